"""The hand-over page (A2, O7): what the partner passes to the end customer, with each generated
administrator password revealed once on request after the build, then never again; never stored
in clear, never in a URL, a message or a log."""

import logging
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.models import AuditEvent
from customers.demo import DEMO_GROUPS
from customers.models import CustomerGroup, GroupAdmin
from expoe_portal import vault

from .test_group_pages import form_data

pytestmark = pytest.mark.django_db


def reveal(client, group, admin):
    return client.post(reverse("customers:group_handover_reveal", args=[group.pk]), {"admin": admin.pk}, follow=True)


def test_A2_a_password_already_shown_is_wiped_once_the_platform_has_it(
    world, platforms, django_capture_on_commit_callbacks
):
    from customers import builds
    from customers.services import customer_group_create

    from .build_request_data import stock_pool, valid_request

    stock_pool(world)
    group, _ = customer_group_create(by=world.user(Role.COORDINATOR), partner=world.partner_a, data=valid_request())
    GroupAdmin.objects.update(password_shown_at=timezone.now())  # shown once already (the preview)
    with django_capture_on_commit_callbacks(execute=True):
        builds.build_start(by=world.user(Role.COORDINATOR), group=group)
    admin = GroupAdmin.objects.get()
    assert admin.password_encrypted == "" and admin.password_wiped_at is not None
    assert len(platforms.broadworks.admins["ada.lovelace@hostedcomm.com"]) >= 12


def test_A2_a_generated_password_never_shown_is_kept_encrypted_after_the_build_for_the_hand_over(built, platforms):
    admin = built.admins.get()
    assert admin.password_generated and admin.password_shown_at is None
    assert vault.decrypt(admin.password_encrypted) == platforms.broadworks.admins[admin.user_id]


def test_a_generated_password_is_revealed_once_then_never_again(client, world, built, caplog):
    admin = built.admins.get()
    assert admin.password_generated and admin.password_encrypted, "kept, encrypted, for its one showing"
    kept = vault.decrypt(admin.password_encrypted)
    client.force_login(world.user(Role.PARTNER_USER))
    page = client.get(reverse("customers:group_handover", args=[built.pk])).content.decode()
    assert "https://ucaas.hostedcomm.com/app/#!/" in page and "ucaasprov" not in page  # O7
    assert built.group_id in page and admin.user_id in page and "alpha.reports" in page
    assert kept not in page and "Show the password once" in page

    with caplog.at_level(logging.DEBUG):
        first = reveal(client, built, admin)
    body = first.content.decode()
    assert first.status_code == 200 and kept in body and first["Cache-Control"] == "no-store"
    assert kept not in first.request["PATH_INFO"] and kept not in caplog.text
    assert not [m for m in first.context["messages"] if kept in str(m)]
    admin.refresh_from_db()
    assert admin.password_encrypted == "" and admin.password_shown_by == world.user(Role.PARTNER_USER)
    audit = AuditEvent.objects.get(action="group_admin.password_revealed")
    assert kept not in str(audit.changes) and audit.changes == {"user_id": admin.user_id}

    client.force_login(world.user(Role.COORDINATOR))
    second = reveal(client, built, admin).content.decode()
    assert kept not in second
    assert "already shown" in second and world.user(Role.PARTNER_USER).display_name in second
    again = client.get(reverse("customers:group_handover", args=[built.pk])).content.decode()
    assert kept not in again and "Show the password once" not in again


def test_a_password_shown_in_the_preview_is_not_shown_again(
    client, world, platforms, django_capture_on_commit_callbacks
):
    from .build_request_data import stock_pool, valid_request

    stock_pool(world)
    client.force_login(world.user(Role.PARTNER_USER))
    preview = client.post(reverse("customers:group_create"), form_data(valid_request()), follow=True)
    assert "copy them now" in preview.content.decode()  # the create form goes on to the preview
    group = CustomerGroup.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("customers:group_submit", args=[group.pk]))
    admin = group.admins.get()
    assert admin.password_shown_at is not None and admin.password_encrypted == "", "wiped once BroadWorks has it"
    page = client.get(reverse("customers:group_handover", args=[group.pk])).content.decode()
    assert "Already shown" in page and "Show the password once" not in page


def test_the_demo_customers_passwords_are_revealable_once_after_their_build(
    client, platforms, django_capture_on_commit_callbacks
):
    call_command("seed_demo", stdout=StringIO())
    from accounts.models import User

    client.force_login(User.objects.get(username="coordinator"))
    group = CustomerGroup.objects.get(group_id=DEMO_GROUPS[0][1])
    admin = group.admins.get()
    before = client.get(reverse("customers:group_handover", args=[group.pk])).content.decode()
    assert "once the build has made the administrator" in before
    assert "once the build has made the administrator" in reveal(client, group, admin).content.decode()
    assert GroupAdmin.objects.get(pk=admin.pk).password_encrypted, "a refusal keeps it"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("customers:group_submit", args=[group.pk]))
    detail = client.get(reverse("customers:group_detail", args=[group.pk])).content.decode()
    assert reverse("customers:group_handover", args=[group.pk]) in detail
    first = reveal(client, group, admin)
    assert first.context["revealed"]["user_id"] == admin.user_id and len(first.context["revealed"]["password"]) >= 12
    assert "already shown" in reveal(client, group, admin).content.decode()


def test_another_partners_hand_over_is_a_404(client, world, built):
    client.force_login(world.user("partner_b_user"))
    assert client.get(reverse("customers:group_handover", args=[built.pk])).status_code == 404
    assert reveal(client, built, built.admins.get()).status_code == 404
    assert built.admins.get().password_encrypted


def test_A2_a_password_nobody_asked_for_is_wiped_by_the_daily_task_once_its_days_have_passed(built):
    from datetime import timedelta

    from customers.models import BuildStep
    from customers.services import HANDOVER_PASSWORD_DAYS
    from customers.tasks import expire_handover_passwords

    admin = built.admins.get()
    made = BuildStep.objects.get(build__group=built, name="admins")
    BuildStep.objects.filter(pk=made.pk).update(
        finished_at=timezone.now() - timedelta(days=HANDOVER_PASSWORD_DAYS) + timedelta(hours=1)
    )
    assert expire_handover_passwords() == "0 wiped", "still within its days"
    admin.refresh_from_db()
    assert admin.password_encrypted
    BuildStep.objects.filter(pk=made.pk).update(
        finished_at=timezone.now() - timedelta(days=HANDOVER_PASSWORD_DAYS, hours=1)
    )
    assert expire_handover_passwords() == "1 wiped"
    admin.refresh_from_db()
    assert (admin.password_encrypted, admin.password_shown_at) == ("", None) and admin.password_wiped_at


def test_A2_beat_wipes_unseen_hand_over_passwords_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["expire-handover-passwords"]
    assert entry["task"] == "customers.tasks.expire_handover_passwords"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({3}, {15})
