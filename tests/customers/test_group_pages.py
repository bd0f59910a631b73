"""The customer build request pages: every rule through the form, each message beside its own field
and nothing saved (G2-G6, N1-N2, B1, V1-V2, A1-A2, K2, K4, C2-C5, O6); the preview's one-time
passwords, editing a draft, confirming it, the list's filters and partner scoping."""

import html
import re

import pytest
from django.urls import reverse

from accounts.choices import Role
from customers.build_request import AKIXI_USER_FIXED_SETTINGS
from customers.models import CustomerGroup, GroupAdmin
from customers.services import customer_group_as_request, customer_group_create, customer_group_submit, vault
from number_pool.models import Number
from number_pool.services import numbers_add

from .build_request_data import stock_pool, valid_request

pytestmark = pytest.mark.django_db

CREATE = reverse("customers:group_create")


@pytest.fixture
def pool(world):
    return stock_pool(world)


def _rows(prefix, rows, fields):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "1",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{field}": row.get(field, "") for field in fields})
    return data


def form_data(request=None, *, partner=None, numbers_text=None, **overrides) -> dict:
    """What the page posts for a build request in the service's shape (valid_request by default)."""
    request = request or valid_request(**overrides)
    vp, akixi, cc = request["voice_portal"], request["akixi"], request["callcabinet"]
    data = {
        "group_id": request["group_id"],
        "name": request["name"],
        "domain": request["domain"],
        "extension_length": str(request["extension_length"]),
        "numbers": numbers_text if numbers_text is not None else "\n".join(request["numbers"]),
        "business_profile_number": request["business_profile_number"],
        "voice_portal-number": vp["number"],
        "voice_portal-extension": vp["extension"],
        "akixi-licence": akixi["licence"],
        "callcabinet-admin_name": cc["admin_name"],
        "callcabinet-admin_email": cc["admin_email"],
        **_rows("admins", request["admins"], ("first_name", "last_name", "user_id", "password")),
        **_rows("akixi_users", akixi["users"], ("username", "full_name", "email")),
    }
    if vp["external_dial_in"]:
        data["voice_portal-external_dial_in"] = "on"
    if partner is not None:
        data["partner"] = str(partner.pk)
    return data


def errors_beside(page: str, field_id: str) -> list[str]:
    """The error messages shown under one field: from its input to the next field's wrapper."""
    start = page.index(f'id="{field_id}"')
    following = re.search(r'<div class="(?:mb-3|form-check mb-3)">|</fieldset>|</section>', page[start:])
    block = page[start : start + following.start()] if following else page[start:]
    block = re.sub(r'\s*<button [^>]*data-testid="rule-help".*?</button><span popover.*?</span></span>', "", block)
    return [html.unescape(m) for m in re.findall(r'<div class="invalid-feedback d-block">(.*?)</div>', block)]


def post_as(client, user, data, url=CREATE):
    client.force_login(user)
    response = client.post(url, data)
    return response, response.content.decode()


def assert_nothing_saved():
    assert not CustomerGroup.objects.exists()
    assert not GroupAdmin.objects.exists()
    assert not Number.objects.exclude(status="available").exists()


def refused(client, world, *, user=None, numbers_text=None, **overrides):
    """Post a request with one mistake as partner A's user; the page comes back with nothing saved."""
    response, page = post_as(
        client, user or world.user(Role.PARTNER_USER), form_data(numbers_text=numbers_text, **overrides)
    )
    assert response.status_code == 200, "the form comes back with its messages"
    assert_nothing_saved()
    return page


# --- A good request, and the one-time passwords (A2) --------------------------------------------


def test_a_partner_user_builds_for_their_own_partner_and_sees_the_plan(client, world, pool):
    response, _ = post_as(client, world.user(Role.PARTNER_USER), form_data())
    group = CustomerGroup.objects.get()
    assert response.status_code == 302 and response.url == reverse("customers:group_preview", args=[group.pk])
    assert group.partner == world.partner_a and group.is_draft
    assert sorted(group.numbers.values_list("e164", flat=True)) == pool[:3]
    page = client.get(response.url).content.decode()
    for operation in ("Create the group from the clone", "Assign numbers", "Add New Essential Customer"):
        assert operation in page
    assert page.index("BroadWorks (Partner portal)") < page.index("Akixi") < page.index("Call Cabinet")


def test_the_partner_user_page_has_no_partner_select(client, world):
    client.force_login(world.user(Role.PARTNER_USER))
    page = client.get(CREATE).content.decode()
    assert 'name="partner"' not in page
    assert "ACME01" in page


def test_A2_a_generated_password_is_shown_once_on_the_preview_then_gone(client, world, pool, caplog):
    response, _ = post_as(client, world.user(Role.PARTNER_USER), form_data())
    assert "password" not in response.url
    password = vault.decrypt(GroupAdmin.objects.get().password_encrypted)
    assert password not in str(dict(client.session)), "kept encrypted until shown"
    first = client.get(response.url)
    assert first["Cache-Control"].startswith("max-age=0")
    page = first.content.decode()
    shown = re.search(r'data-testid="password">(.*?)</code>', page).group(1)
    assert "copy them now" in page and "ada.lovelace@hostedcomm.com" in page
    assert vault.decrypt(GroupAdmin.objects.get().password_encrypted) == html.unescape(shown)
    again = client.get(response.url).content.decode()
    assert 'data-testid="password"' not in again and shown not in again
    assert html.unescape(shown) not in caplog.text


def test_A2_a_typed_password_is_never_shown(client, world, pool):
    data = form_data(admins__0={"first_name": "Ada", "last_name": "Lovelace", "user_id": "", "password": "s3cret-pass"})
    response, _ = post_as(client, world.user(Role.PARTNER_USER), data)
    assert "s3cret-pass" not in client.get(response.url).content.decode()


def test_a_coordinator_chooses_the_partner(client, world, pool):
    client.force_login(world.user(Role.COORDINATOR))
    assert 'name="partner"' in client.get(CREATE).content.decode()
    response, _ = post_as(client, world.user(Role.COORDINATOR), form_data(partner=world.partner_a))
    assert response.status_code == 302
    assert CustomerGroup.objects.get().partner == world.partner_a


def test_a_trainer_cannot_request_builds(client, world):
    client.force_login(world.user(Role.TRAINER))
    assert client.get(CREATE).status_code == 403


# --- O6, G2: partner-level refusals at the top --------------------------------------------------


def test_O6_a_partner_user_of_a_partner_not_live_is_told_before_typing_anything(client, world):
    client.force_login(world.user("partner_b_user"))
    page = client.get(CREATE).content.decode()
    assert "BETA02 is not live yet: customers are built after go-live." in html.unescape(page)
    assert 'name="group_id"' not in page


def test_O6_posting_anyway_is_refused_and_nothing_saved(client, world):
    stock_pool(world, partner=world.partner_b)
    response, page = post_as(client, world.user("partner_b_user"), form_data())
    assert "BETA02 is not live yet" in html.unescape(page)
    assert_nothing_saved()


def test_O6_a_coordinator_choosing_a_partner_not_live_sees_the_message_at_the_top(client, world):
    stock_pool(world, partner=world.partner_b)
    response, page = post_as(client, world.user(Role.COORDINATOR), form_data(partner=world.partner_b))
    top = re.search(r'data-testid="top-errors">(.*?)</div>\s*</div>', page, re.S).group(1)
    assert "BETA02 is not live yet" in html.unescape(top)
    assert_nothing_saved()


def test_G2_a_partner_without_a_clone_group_is_refused(client, world, pool):
    world.partner_a.clone_group_id = ""
    world.partner_a.save()
    client.force_login(world.user(Role.PARTNER_USER))
    assert "ACME01 has no clone group to build from." in html.unescape(client.get(CREATE).content.decode())


# --- Group (G3-G5) ----------------------------------------------------------------------------


def test_G3_a_group_id_already_used_shows_beside_group_id(client, world, pool):
    CustomerGroup.objects.create(partner=world.partner_b, group_id="alphawidgets", name="Someone else")
    page = refused_keeping(client, world)
    assert errors_beside(page, "id_group_id") == ["The group ID “AlphaWidgets” is already used on the platform."]


def refused_keeping(client, world, **overrides):
    """As `refused`, when a group already exists on purpose."""
    before = CustomerGroup.objects.count()
    response, page = post_as(client, world.user(Role.PARTNER_USER), form_data(**overrides))
    assert response.status_code == 200 and CustomerGroup.objects.count() == before
    return page


def test_G3_an_invalid_group_id_shows_beside_group_id(client, world, pool):
    page = refused(client, world, group_id="Alpha Widgets")
    assert errors_beside(page, "id_group_id") == [
        "Use 1–30 letters, digits, dots, hyphens or underscores, starting with a letter or digit."
    ]
    assert 'value="Alpha Widgets"' in page, "what was typed is kept, never replaced by a suggestion"


def test_G3_a_blank_group_id_is_suggested_from_the_customer_name(client, world, pool):
    page = refused(client, world, group_id="")
    assert errors_beside(page, "id_group_id") == ["Enter a group ID; the customer's name is the usual choice."]
    assert 'value="AlphaWidgetsLtd"' in page and "suggested from the customer name" in page


def test_G4_the_customer_name_is_required(client, world, pool):
    page = refused(client, world, name="")
    assert errors_beside(page, "id_name") == ["Enter the end customer's name."]


def test_G5_only_the_two_domains(client, world, pool):
    page = refused(client, world, domain="example.com")
    assert errors_beside(page, "id_domain")  # the select refuses anything else
    assert "hostedcomm.com" in page and "exponential-e.com" in page


# --- Numbers, business profile number (N1, N2, B1) --------------------------------------------


def test_N2_a_number_outside_the_partner_pool_shows_beside_numbers(client, world, pool):
    page = refused(client, world, numbers_text="020 7946 0000\n020 7946 0099", business_profile_number=pool[0])
    assert errors_beside(page, "id_numbers") == ["Not available in ACME01's number pool: +442079460099."]


def test_N1_no_numbers_shows_beside_numbers(client, world, pool):
    page = refused(client, world, numbers_text="")
    assert errors_beside(page, "id_numbers") == ["Choose at least one number from the partner's pool."]


def test_N1_unreadable_numbers_are_named_and_the_other_sections_still_checked(client, world, pool):
    page = refused(
        client, world, numbers_text="020 7946 0000 - 020 7946 0002\nnot-a-number", callcabinet__admin_email=""
    )
    assert errors_beside(page, "id_numbers") == ["“not-a-number”: “not-a-number” is not a phone number."]
    # One pass: the rules of the other sections are checked against the numbers that could be read.
    assert errors_beside(page, "id_business_profile_number") == []
    assert errors_beside(page, "id_callcabinet-admin_email") == [
        "Enter the administrator's email: the welcome email goes there."
    ]


def test_N1_ranges_are_accepted(client, world, pool):
    data = form_data(numbers_text="020 7946 0000 - 020 7946 0004")
    response, _ = post_as(client, world.user(Role.PARTNER_USER), data)
    assert response.status_code == 302
    assert CustomerGroup.objects.get().numbers.count() == 5


def test_B1_the_business_profile_number_must_be_one_of_the_numbers(client, world, pool):
    page = refused(client, world, business_profile_number="020 7946 0009")
    assert errors_beside(page, "id_business_profile_number") == [
        "The business profile number must be one of the group's numbers."
    ]
    assert errors_beside(page, "id_numbers") == []


def test_B1_a_business_profile_number_is_required(client, world, pool):
    page = refused(client, world, business_profile_number="")
    assert errors_beside(page, "id_business_profile_number") == ["Every group needs a business profile number."]


# --- Voice portal (V1, V2) --------------------------------------------------------------------


def test_V1_the_voice_portal_needs_a_number_or_an_extension(client, world, pool):
    page = refused(client, world, voice_portal={"number": "", "extension": "", "external_dial_in": False})
    assert errors_beside(page, "id_voice_portal-number") == ["Give the voice portal a number or an extension."]


def test_V2_dialling_in_from_outside_needs_a_voice_portal_number(client, world, pool):
    page = refused(client, world, voice_portal={"number": "", "extension": "8000", "external_dial_in": True})
    assert errors_beside(page, "id_voice_portal-number") == [
        "Dialling into voicemail from outside (a mobile) needs a voice portal number."
    ]
    checkbox = re.search(r'<input type="checkbox" name="voice_portal-external_dial_in"[^>]*>', page).group(0)
    assert "checked" in checkbox, "what was typed is kept"


def test_V1_the_extension_has_the_group_s_length(client, world, pool):
    page = refused(client, world, voice_portal={"number": "", "extension": "80", "external_dial_in": False})
    assert errors_beside(page, "id_voice_portal-extension") == ["The extension must be 4 digits long."]


# --- Group admins (G6, A1, A2) ----------------------------------------------------------------

ADA = {"first_name": "Ada", "last_name": "Lovelace", "user_id": "", "password": ""}


def test_G6_at_least_one_admin(client, world, pool):
    page = refused(client, world, admins=[{"first_name": "", "last_name": "", "user_id": "", "password": ""}])
    assert "Add at least one group administrator." in html.unescape(page.split('data-testid="admins-errors"')[1])


def test_A2_an_admin_without_a_last_name_shows_beside_that_admin_s_last_name(client, world, pool):
    page = refused(client, world, admins=[ADA, {**ADA, "first_name": "Grace", "last_name": ""}])
    assert errors_beside(page, "id_admins-1-last_name") == ["Enter the administrator's last name."]
    assert errors_beside(page, "id_admins-0-last_name") == []


def test_A2_a_weak_password_shows_beside_it_and_is_not_put_back_in_the_page(client, world, pool):
    page = refused(client, world, admins=[{**ADA, "password": "password"}])
    assert errors_beside(page, "id_admins-0-password") == [
        "Use at least 8 characters with letters and digits, or leave it blank to generate one."
    ]
    assert 'value="password"' not in page


def test_A1_a_user_id_used_twice_shows_beside_the_second(client, world, pool):
    page = refused(client, world, admins=[ADA, {**ADA, "first_name": "ADA"}])
    assert errors_beside(page, "id_admins-1-user_id") == [
        "“ada.lovelace@hostedcomm.com” is used twice in this request."
    ]


def test_A1_G5_a_user_id_in_another_domain(client, world, pool):
    page = refused(client, world, admins=[{**ADA, "user_id": "ada@example.com"}])
    assert errors_beside(page, "id_admins-0-user_id") == ["User IDs of this group end in @hostedcomm.com."]


def test_A1_errors_land_on_the_right_row_when_a_blank_row_is_skipped(client, world, pool):
    blank = {"first_name": "", "last_name": "", "user_id": "", "password": ""}
    page = refused(client, world, admins=[ADA, blank, {**ADA, "first_name": "Grace", "last_name": ""}])
    assert errors_beside(page, "id_admins-2-last_name") == ["Enter the administrator's last name."]
    assert errors_beside(page, "id_admins-1-last_name") == []


def test_A1_the_user_id_help_text_and_password_help_text(client, world):
    client.force_login(world.user(Role.PARTNER_USER))
    page = html.unescape(client.get(CREATE).content.decode())
    assert "defaults to firstname.surname@" in page and "Leave blank to generate one" in page


# --- Akixi (K2, K4) ---------------------------------------------------------------------------


def test_K2_reporting_users_need_a_licence(client, world, pool):
    page = refused(client, world, akixi__licence="")
    assert errors_beside(page, "id_akixi-licence") == ["Reporting users need the customer's Akixi licence."]


def test_K2_the_licence_choices_come_from_settings_with_not_licensed(client, world, settings):
    settings.AKIXI_LICENCES = ["Gold"]
    client.force_login(world.user(Role.PARTNER_USER))
    page = client.get(CREATE).content.decode()
    assert '<option value="" selected>Not licensed</option>' in page and '<option value="Gold">Gold</option>' in page


def test_K4_a_reporting_user_with_a_bad_email_shows_beside_it(client, world, pool):
    page = refused(client, world, akixi__users__0__email="ada-at-alpha")
    assert errors_beside(page, "id_akixi_users-0-email") == [
        "Enter a valid email address: the welcome email goes there."
    ]


def test_K4_a_licence_needs_a_reporting_user(client, world, pool):
    page = refused(client, world, akixi__users=[])
    assert "Add at least one Akixi reporting user." in html.unescape(page.split('data-testid="akixi_users-errors"')[1])


def test_K4_a_username_taken_on_akixi(client, world, pool):
    other = CustomerGroup.objects.create(partner=world.partner_b, group_id="Other", name="Other")
    other.akixi_users.create(username="Alpha.Reports", full_name="X", email="x@x.invalid")
    page = refused_keeping(client, world)
    assert errors_beside(page, "id_akixi_users-0-username") == ["The Akixi username “alpha.reports” is already taken."]


def test_K4_the_fixed_settings_are_shown_read_only(client, world):
    client.force_login(world.user(Role.PARTNER_USER))
    page = client.get(CREATE).content.decode()
    fixed = page.split('data-testid="akixi-fixed"')[1].split("</dl>")[0]
    for label, value in AKIXI_USER_FIXED_SETTINGS.items():
        assert f'<dt class="col-sm-6">{html.escape(label)}</dt><dd class="col-sm-6">{html.escape(value)}</dd>' in fixed
    assert "<input" not in fixed and "Any Partition" not in fixed


# --- Call Cabinet (C2-C5) ---------------------------------------------------------------------


def test_C5_an_administrator_without_an_email(client, world, pool):
    page = refused(client, world, callcabinet__admin_email="")
    assert errors_beside(page, "id_callcabinet-admin_email") == [
        "Enter the administrator's email: the welcome email goes there."
    ]


def test_C5_an_email_without_a_name(client, world, pool):
    page = refused(client, world, callcabinet__admin_name="")
    assert errors_beside(page, "id_callcabinet-admin_name") == ["Enter the customer administrator's name."]


def test_C2_C3_the_page_says_essential_customer_and_group_id_codes(client, world):
    client.force_login(world.user(Role.PARTNER_USER))
    section = client.get(CREATE).content.decode().split('data-testid="section-callcabinet"')[1]
    assert "<strong>Essential</strong>" in section and "dealer code and billing code are the group ID" in section


# --- Scoping ----------------------------------------------------------------------------------


BETA_NUMBERS = ["+442079461000", "+442079461001"]


def beta_request():
    return valid_request(
        group_id="BetaBakery",
        name="Beta Bakery",
        numbers=BETA_NUMBERS,
        business_profile_number=BETA_NUMBERS[0],
        voice_portal={"number": "", "extension": "8000", "external_dial_in": False},
        admins=[{"first_name": "Bo", "last_name": "Baker", "user_id": "", "password": ""}],
        akixi={"licence": "", "users": []},
        callcabinet={"admin_name": "", "admin_email": ""},
    )


@pytest.fixture
def group_b(world):
    """A group of partner B (built while B was live for a moment)."""
    numbers_add(by=world.user(Role.PROVISIONING_ADMIN), partner=world.partner_b, numbers=BETA_NUMBERS)
    world.partner_b.live = True
    world.partner_b.save()
    group, _ = customer_group_create(by=world.user(Role.COORDINATOR), partner=world.partner_b, data=beta_request())
    world.partner_b.live = False
    world.partner_b.save()
    return group


@pytest.mark.parametrize("name", ["group_detail", "group_edit", "group_preview", "group_submit"])
def test_a_partner_user_cannot_open_another_partner_s_group(client, world, group_b, name):
    client.force_login(world.user(Role.PARTNER_USER))
    assert client.get(reverse(f"customers:{name}", args=[group_b.pk])).status_code == 404
    assert client.post(reverse("customers:group_submit", args=[group_b.pk])).status_code == 404
    assert CustomerGroup.objects.get().is_draft


def test_a_partner_user_lists_only_their_own_groups(client, world, group_b):
    client.force_login(world.user(Role.PARTNER_USER))
    page = client.get(reverse("customers:group_list")).content.decode()
    assert "BetaBakery" not in page and 'name="partner"' not in page


# --- Edit, confirm ----------------------------------------------------------------------------


@pytest.fixture
def draft(world, pool):
    group, _ = customer_group_create(by=world.user(Role.PARTNER_USER), partner=world.partner_a, data=valid_request())
    return group


def test_edit_is_prefilled_without_passwords(client, world, draft):
    client.force_login(world.user(Role.PARTNER_USER))
    page = client.get(reverse("customers:group_edit", args=[draft.pk])).content.decode()
    assert 'value="AlphaWidgets"' in page and 'value="ada.lovelace@hostedcomm.com"' in page
    assert "+442079460000 - +442079460002" in page
    password = re.search(r'<input type="password" name="admins-0-password"[^>]*>', page).group(0)
    assert "value=" not in password


def test_edit_of_a_draft_saves_and_keeps_the_password(client, world, draft):
    before = GroupAdmin.objects.get().password_encrypted
    request = customer_group_as_request(draft)
    request["name"] = "Alpha Widgets Group"
    request["numbers"] = request["numbers"] + ["+442079460005"]
    data = form_data(request)
    data["admins-INITIAL_FORMS"] = data["akixi_users-INITIAL_FORMS"] = "1"
    response, _ = post_as(client, world.user(Role.PARTNER_USER), data, reverse("customers:group_edit", args=[draft.pk]))
    assert response.status_code == 302 and response.url == reverse("customers:group_preview", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.name == "Alpha Widgets Group" and draft.numbers.count() == 4
    assert GroupAdmin.objects.get().password_encrypted == before
    assert 'data-testid="password"' not in client.get(response.url).content.decode()


def test_edit_errors_show_beside_their_fields_and_change_nothing(client, world, draft):
    request = customer_group_as_request(draft)
    request["business_profile_number"] = "+442079460009"
    response, page = post_as(
        client, world.user(Role.PARTNER_USER), form_data(request), reverse("customers:group_edit", args=[draft.pk])
    )
    assert errors_beside(page, "id_business_profile_number") == [
        "The business profile number must be one of the group's numbers."
    ]
    draft.refresh_from_db()
    assert draft.business_profile_number == "+442079460000"


def test_the_preview_edit_link_goes_back_to_the_form(client, world, draft):
    client.force_login(world.user(Role.PARTNER_USER))
    page = client.get(reverse("customers:group_preview", args=[draft.pk])).content.decode()
    assert f'href="{reverse("customers:group_edit", args=[draft.pk])}"' in page
    assert 'data-confirm="Confirm the build of AlphaWidgets?' in page


def test_submit_confirms_and_shows_the_group(client, world, draft):
    client.force_login(world.user(Role.PARTNER_USER))
    url = reverse("customers:group_submit", args=[draft.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    draft.refresh_from_db()
    assert not draft.is_draft
    assert response.redirect_chain[-1][0] == reverse("customers:group_detail", args=[draft.pk])
    page = html.unescape(response.content.decode())
    assert "Build of AlphaWidgets confirmed and queued." in page and "Confirmed at" in page
    again = client.post(url, follow=True).content.decode()
    assert "This build request is already confirmed." in again


def test_a_confirmed_group_is_no_longer_edited(client, world, draft):
    customer_group_submit(by=world.user(Role.PARTNER_USER), group=draft)
    client.force_login(world.user(Role.PARTNER_USER))
    for name in ("group_edit", "group_preview"):
        response = client.get(reverse(f"customers:{name}", args=[draft.pk]))
        assert response.status_code == 302 and response.url == draft.get_absolute_url()


def test_a_trainer_sees_a_group_but_cannot_change_or_confirm_it(client, world, draft):
    client.force_login(world.user(Role.TRAINER))
    page = client.get(reverse("customers:group_detail", args=[draft.pk])).content.decode()
    assert "AlphaWidgets" in page and "Preview and confirm" not in page
    assert client.get(reverse("customers:group_edit", args=[draft.pk])).status_code == 403
    assert client.post(reverse("customers:group_submit", args=[draft.pk])).status_code == 403
    draft.refresh_from_db()
    assert draft.is_draft


def test_the_detail_page_shows_the_request_but_never_a_password(client, world, draft):
    password = vault.decrypt(GroupAdmin.objects.get().password_encrypted)
    client.force_login(world.user(Role.PARTNER_USER))
    page = html.unescape(client.get(reverse("customers:group_detail", args=[draft.pk])).content.decode())
    for shown in (
        "ada.lovelace@hostedcomm.com",
        "alpha.reports",
        "Reporting Standard",
        "Essential",
        "Draft: not confirmed",
    ):
        assert shown in page
    assert "+442079460000 - +442079460002" in page
    assert password not in page


# --- The list ---------------------------------------------------------------------------------


def test_the_list_filters_by_search_partner_and_state(client, world, draft, group_b):
    customer_group_submit(by=world.user(Role.COORDINATOR), group=group_b)
    client.force_login(world.user(Role.COORDINATOR))
    url = reverse("customers:group_list")

    def shown(**params):
        table = client.get(url, params).context["table"]
        return sorted(row.record.group_id for row in table.paginated_rows)

    assert shown() == ["AlphaWidgets", "BetaBakery"]
    assert shown(q="bakery") == ["BetaBakery"]
    assert shown(q="alpha widgets") == ["AlphaWidgets"]
    assert shown(partner="acme01") == ["AlphaWidgets"]
    assert shown(state="confirmed") == ["BetaBakery"]
    assert shown(state="draft") == ["AlphaWidgets"]


def test_customers_is_in_the_navigation(client, world):
    for role in (Role.PARTNER_USER, Role.COORDINATOR, Role.TRAINER):
        client.force_login(world.user(role))
        labels = [item["label"] for item in client.get(reverse("customers:group_list")).context["nav_items"]]
        assert "Customers" in labels
