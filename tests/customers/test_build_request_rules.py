"""Every rule of the build request, checked by the service (the form and API tests go through it
too): G1-G6, N1-N2, B1, V1-V2, A1-A2, K2, K4, C2-C5."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.choices import Role
from customers.build_request import AKIXI_USER_FIXED_SETTINGS, build_plan, suggest_group_id
from customers.models import CustomerGroup, GroupAdmin
from customers.services import (
    customer_group_as_request,
    customer_group_create,
    customer_group_submit,
    customer_group_update,
)
from expoe_portal import vault
from expoe_portal.transitions import TransitionConflict
from number_pool.models import Number
from number_pool.services import numbers_add

from .build_request_data import stock_pool, valid_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool(world):
    return stock_pool(world)


def create(world, role=Role.COORDINATOR, partner=None, **overrides):
    return customer_group_create(
        by=world.user(role), partner=partner or world.partner_a, data=valid_request(**overrides)
    )


def errors_of(world, **overrides):
    with pytest.raises(ValidationError) as exc:
        create(world, **overrides)
    assert not CustomerGroup.objects.exists(), "nothing is half-written"
    return exc.value.message_dict


def test_a_valid_request_is_saved_whole(world, pool):
    group, generated = create(world)
    assert group.is_draft and group.partner == world.partner_a
    assert sorted(group.numbers.values_list("e164", flat=True)) == pool[:3]
    assert set(Number.objects.filter(customer_group=group).values_list("status", flat=True)) == {"assigned"}
    assert [a.user_id for a in group.admins.all()] == ["ada.lovelace@hostedcomm.com"]
    assert list(generated) == ["ada.lovelace@hostedcomm.com"]


def test_G1_G2_the_clone_source_comes_from_settings_and_the_partner(world, pool, settings):
    settings.CLONE_SERVICE_PROVIDER_ID = "ExpoePartner"
    group, _ = create(world)
    assert (group.clone_service_provider_id, group.clone_group_id) == ("ExpoePartner", "ACME01-CLONE")


def test_G2_a_partner_without_a_clone_group_cannot_build(world, pool):
    world.partner_a.clone_group_id = ""
    world.partner_a.save()
    assert "no clone group" in errors_of(world)["partner"][0]


def test_O6_customers_are_built_only_after_go_live(world):
    stock_pool(world, partner=world.partner_b)
    with pytest.raises(ValidationError) as exc:
        create(world, partner=world.partner_b)
    assert "not live yet" in exc.value.message_dict["partner"][0]


def test_G3_group_id_is_unique_across_partners_ignoring_case(world, pool):
    CustomerGroup.objects.create(partner=world.partner_b, group_id="alphawidgets", name="Someone else")
    assert errors_of_existing(world) == ["The group ID “AlphaWidgets” is already used on the platform (G3)."]


def errors_of_existing(world):
    with pytest.raises(ValidationError) as exc:
        create(world)
    return exc.value.message_dict["group_id"]


@pytest.mark.parametrize("bad", ["Alpha Widgets", "", "x" * 31, "-alpha"])
def test_G3_group_id_must_be_a_valid_broadworks_id(world, pool, bad):
    assert "group_id" in errors_of(world, group_id=bad)


def test_G3_group_id_is_suggested_from_the_customer_name(world):
    assert suggest_group_id("Alpha Widgets Ltd") == "AlphaWidgetsLtd"
    CustomerGroup.objects.create(partner=world.partner_a, group_id="AlphaWidgetsLtd", name="x")
    assert suggest_group_id("Alpha Widgets Ltd") == "AlphaWidgetsLtd2"
    assert suggest_group_id("Café Señor & Co.") == "CafeSenorCo"


def test_G4_the_group_name_is_required(world, pool):
    assert errors_of(world, name=" ")["name"] == ["Enter the end customer's name (G4)."]


def test_G5_only_the_two_default_domains(world, pool):
    assert "G5" in errors_of(world, domain="example.com")["domain"][0]


def test_G6_at_least_one_admin(world, pool):
    assert errors_of(world, admins=[])["admins"] == ["Add at least one group administrator (G6)."]


def test_N1_numbers_must_be_in_the_partners_pool(world, pool):
    message = errors_of(world, numbers=["+442079469999", pool[0]])["numbers"][0]
    assert message == "Not available in ACME01's number pool (N2): +442079469999."


def test_N2_another_partners_number_cannot_be_taken(world, pool):
    numbers_add(by=world.user(Role.PROVISIONING_ADMIN), partner=world.partner_b, numbers=["+442079461111"])
    message = errors_of(world, numbers=[pool[0], pool[1], "+442079461111"])["numbers"][0]
    assert "+442079461111" in message and "(N2)" in message
    assert Number.objects.get(e164="+442079461111").customer_group is None


def test_B1_business_profile_number_is_required_and_one_of_the_groups(world, pool):
    assert errors_of(world, business_profile_number="")["business_profile_number"] == [
        "Every group needs a business profile number (B1)."
    ]
    assert (
        "one of the group's numbers (B1)"
        in errors_of(world, business_profile_number=pool[5])["business_profile_number"][0]
    )


def test_V1_the_voice_portal_needs_a_number_or_an_extension(world, pool):
    errors = errors_of(world, voice_portal={"number": "", "extension": "", "external_dial_in": False})
    assert errors["voice_portal.number"] == ["Give the voice portal a number or an extension (V1)."]


def test_V1_an_extension_alone_is_enough_without_outside_dial_in(world, pool):
    group, _ = create(world, voice_portal={"number": "", "extension": "8000", "external_dial_in": False})
    assert (group.voice_portal_number, group.voice_portal_extension) == ("", "8000")


def test_V2_outside_dial_in_needs_a_number(world, pool):
    errors = errors_of(world, voice_portal={"number": "", "extension": "8000", "external_dial_in": True})
    assert "needs a voice portal number (V2)" in errors["voice_portal.number"][0]


def test_V2_the_voice_portal_number_is_one_of_the_groups(world, pool):
    errors = errors_of(world, voice_portal__number=pool[7])
    assert errors["voice_portal.number"] == ["The voice portal number must be one of the group's numbers."]


@pytest.mark.parametrize("extension", ["800", "80000", "80a0"])
def test_V1_the_extension_fits_the_groups_extension_length(world, pool, extension):
    assert errors_of(world, voice_portal__extension=extension)["voice_portal.extension"] == [
        "The extension must be 4 digits long."
    ]


def test_A1_user_id_defaults_to_firstname_surname_at_the_groups_domain(world, pool):
    group, _ = create(world, domain="exponential-e.com")
    assert group.admins.get().user_id == "ada.lovelace@exponential-e.com"


def test_A1_user_ids_are_unique_on_the_platform_but_case_sensitive(world, pool):
    create(world, admins=[{"first_name": "Ada", "last_name": "Lovelace", "user_id": "ada.l@hostedcomm.com"}])
    second = {
        "group_id": "Beta",
        "numbers": [pool[4]],
        "business_profile_number": pool[4],
        "voice_portal__number": pool[4],
    }
    second_akixi = {"akixi": {"licence": "", "users": []}, "callcabinet": {"admin_name": "", "admin_email": ""}}
    with pytest.raises(ValidationError) as exc:
        customer_group_create(
            by=world.user(Role.COORDINATOR),
            partner=world.partner_a,
            data=valid_request(
                **second,
                **second_akixi,
                admins=[{"first_name": "A", "last_name": "L", "user_id": "ada.l@hostedcomm.com"}],
            ),
        )
    assert exc.value.message_dict["admins.0.user_id"] == [
        "The user ID “ada.l@hostedcomm.com” already exists on the platform (A1)."
    ]
    group, _ = customer_group_create(
        by=world.user(Role.COORDINATOR),
        partner=world.partner_a,
        data=valid_request(
            **second, **second_akixi, admins=[{"first_name": "A", "last_name": "L", "user_id": "Ada.L@hostedcomm.com"}]
        ),
    )
    assert group.admins.get().user_id == "Ada.L@hostedcomm.com"


def test_A1_user_id_must_use_the_groups_domain(world, pool):
    errors = errors_of(world, admins=[{"first_name": "Ada", "last_name": "L", "user_id": "ada@exponential-e.com"}])
    assert errors["admins.0.user_id"] == ["User IDs of this group end in @hostedcomm.com (A1, G5)."]


def test_A2_names_are_required_and_weak_typed_passwords_refused(world, pool):
    errors = errors_of(
        world, admins=[{"first_name": "", "last_name": "", "user_id": "x.y@hostedcomm.com", "password": "abc"}]
    )
    assert errors["admins.0.first_name"] == ["Enter the administrator's first name (A2)."]
    assert errors["admins.0.last_name"] == ["Enter the administrator's last name (A2)."]
    assert "at least 8 characters" in errors["admins.0.password"][0]


def test_A2_passwords_are_stored_only_encrypted_and_generated_ones_returned_once(world, pool):
    typed = "Typed-pass-123"
    group, generated = create(
        world,
        admins=[
            {"first_name": "Ada", "last_name": "Lovelace", "password": typed},
            {"first_name": "Bob", "last_name": "Smith", "password": ""},
        ],
    )
    ada, bob = group.admins.order_by("id")
    assert typed not in ada.password_encrypted and vault.decrypt(ada.password_encrypted) == typed
    assert not ada.password_generated and bob.password_generated
    assert list(generated) == ["bob.smith@hostedcomm.com"]
    assert vault.decrypt(bob.password_encrypted) == generated["bob.smith@hostedcomm.com"]
    assert "*" in repr(generated["bob.smith@hostedcomm.com"]), "a password never shows in a repr or traceback"


def test_K2_the_akixi_licence_comes_from_the_settings_list(world, pool):
    assert "(K2)" in errors_of(world, akixi__licence="Gold")["akixi.licence"][0]


def test_K2_without_a_licence_there_are_no_akixi_users(world, pool):
    assert "need the customer's Akixi licence (K2)" in errors_of(world, akixi__licence="")["akixi.licence"][0]


def test_K4_akixi_usernames_are_unique_and_complete(world, pool):
    users = [
        {"username": "alpha.reports", "full_name": "Ada", "email": "ada@alpha.invalid"},
        {"username": "ALPHA.reports", "full_name": "", "email": "not-an-email"},
    ]
    errors = errors_of(world, akixi__users=users)
    assert errors["akixi.users.1.username"] == ["“ALPHA.reports” is used twice in this request (K4)."]
    assert errors["akixi.users.1.full_name"] == ["Enter the user's full name."]
    assert "welcome email" in errors["akixi.users.1.email"][0]


def test_K4_reporting_users_never_get_any_partition(world, pool):
    assert AKIXI_USER_FIXED_SETTINGS["Partition permission"] == "This customer's own partition only"
    group, _ = create(world)
    plan = [step for step in build_plan(group) if step["operation"] == "Add reporting user"]
    assert plan and all("own partition only" in step["detail"] for step in plan)
    assert not any("Any Partition" in step["detail"] for step in build_plan(group))


def test_C2_C3_C4_call_cabinet_is_always_an_essential_customer_coded_by_group_id(world, pool):
    group, _ = create(world)
    steps = [s for s in build_plan(group) if s["platform"] == "callcabinet"]
    assert steps[0]["operation"] == "Add New Essential Customer"
    assert "dealer and billing code AlphaWidgets" in steps[0]["detail"]
    assert "BroadWorks group AlphaWidgets, provider ACME01" in steps[0]["detail"]
    assert group.dealer_code == group.billing_code == "AlphaWidgets"


def test_C5_call_cabinet_administrator_needs_name_and_valid_email(world, pool):
    errors = errors_of(world, callcabinet={"admin_name": "Ada", "admin_email": ""})
    assert "welcome email" in errors["callcabinet.admin_email"][0]
    errors = errors_of(world, callcabinet={"admin_name": "", "admin_email": "bad"})
    assert errors["callcabinet.admin_email"] == ["Enter a valid email address (C5)."]
    assert errors["callcabinet.admin_name"] == ["Enter the customer administrator's name (C5)."]


def test_every_section_error_is_reported_at_once(world, pool):
    errors = errors_of(
        world,
        group_id="",
        business_profile_number="",
        voice_portal__extension="1",
        admins__0__first_name="",
        akixi__users__0__email="x",
        callcabinet__admin_email="y",
    )
    assert {"group_id", "business_profile_number", "voice_portal.extension", "admins.0.first_name"} <= set(errors)
    assert {"akixi.users.0.email", "callcabinet.admin_email"} <= set(errors)


def test_partner_users_request_builds_only_for_their_own_partner(world, pool):
    group, _ = create(world, role=Role.PARTNER_USER)
    assert group.created_by == world.user(Role.PARTNER_USER)
    with pytest.raises(PermissionDenied):
        customer_group_create(
            by=world.user("partner_b_user"), partner=world.partner_a, data=valid_request(group_id="X2")
        )


@pytest.mark.parametrize("role", [Role.TRAINER, Role.MANAGER])
def test_only_builders_request_builds(world, pool, role):
    with pytest.raises(PermissionDenied):
        create(world, role=role)


def test_a_draft_can_be_changed_and_numbers_follow(world, pool):
    group, _ = create(world)
    data = customer_group_as_request(group)
    data["numbers"] = [pool[0], pool[5]]
    data["voice_portal"]["number"] = pool[5]
    group, generated = customer_group_update(by=world.user(Role.COORDINATOR), group=group, data=data)
    assert sorted(group.numbers.values_list("e164", flat=True)) == [pool[0], pool[5]]
    assert Number.objects.get(e164=pool[1]).status == "available"
    assert generated == {}, "an admin keeps the password they were given"


def test_a_confirmed_request_cannot_be_changed(world, pool):
    group, _ = create(world)
    customer_group_submit(by=world.user(Role.COORDINATOR), group=group)
    with pytest.raises(TransitionConflict, match="confirmed"):
        customer_group_update(by=world.user(Role.COORDINATOR), group=group, data=customer_group_as_request(group))
    with pytest.raises(TransitionConflict):
        customer_group_submit(by=world.user(Role.COORDINATOR), group=group)


def test_the_plan_lists_every_operation_in_order(world, pool):
    group, _ = create(world)
    operations = [(s["platform"], s["operation"]) for s in build_plan(group)]
    assert operations == [
        ("broadworks", "Check the group ID is free"),
        ("broadworks", "Read the clone group"),
        ("broadworks", "Create the group from the clone"),
        ("broadworks", "Assign numbers"),
        ("broadworks", "Set the business profile number (group CLID)"),
        ("broadworks", "Enable the voice portal"),
        ("broadworks", "Add group administrator"),
        ("akixi", "Create the customer's partition"),
        ("akixi", "Wait for “synchronisation completed”"),
        ("akixi", "Add reporting user"),
        ("callcabinet", "Add New Essential Customer"),
        ("callcabinet", "Register the customer administrator"),
        ("callcabinet", "Apply call-recording licences"),
    ]
    assert "3: +442079460000–+442079460002 (N1)" in build_plan(group)[3]["detail"]


def test_admin_user_ids_are_unique_in_the_database_exactly(world, pool):
    from django.db import IntegrityError, transaction

    group, _ = create(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupAdmin.objects.create(group=group, first_name="x", last_name="y", user_id="ada.lovelace@hostedcomm.com")
