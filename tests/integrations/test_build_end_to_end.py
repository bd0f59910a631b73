"""A customer build end to end: the real gateways talking to the three simulators over sockets.

Afterwards each simulator holds exactly what the rules require (G1-G6, B1, V1-V2, A1-A2, K2-K4,
C2-C4), a canary password appears in no ExternalCall row, and running the build's steps again
writes nothing."""

import json

import pytest

from accounts.choices import Role
from customers import builds
from customers.services import customer_group_create
from integrations.models import ExternalCall
from number_pool.services import numbers_add
from tests.customers.build_request_data import valid_request

pytestmark = pytest.mark.django_db

CANARY = "Canary-Admin-Pass-77"
POOL = [f"+44207946{n:04d}" for n in range(10)]


def test_a_build_runs_end_to_end_and_each_platform_holds_what_the_rules_require(
    world, simulators, django_capture_on_commit_callbacks
):
    from integrations.platforms import get_platforms

    platforms = get_platforms()
    # O2 (K1, C1): the partner's reseller accounts exist before its customers are built.
    platforms.akixi.add_reseller("ACME01", "Acme Telecom", "ops@acme.invalid")
    platforms.callcabinet.add_reseller("ACME01", "Acme Telecom", "ops@acme.invalid")
    numbers_add(by=world.user(Role.PROVISIONING_ADMIN), partner=world.partner_a, numbers=POOL)
    group, _ = customer_group_create(
        by=world.user(Role.PARTNER_USER),
        partner=world.partner_a,
        data=valid_request(admins=[{"first_name": "Ada", "last_name": "Lovelace", "password": CANARY}]),
    )

    with django_capture_on_commit_callbacks(execute=True):
        build, _ = builds.build_start(by=world.user(Role.PARTNER_USER), group=group)
    build.refresh_from_db()
    assert build.status == "succeeded", (
        build.last_error,
        list(build.steps.values_list("name", "status", "last_error")),
    )

    bw_state = simulators["bw"].state.data
    bw_group = bw_state["service_providers"]["ACME01"]["groups"]["AlphaWidgets"]
    assert (bw_group["name"], bw_group["default_domain"]) == ("Alpha Widgets Ltd", "hostedcomm.com")  # G4, G5
    assert sorted(n.replace("-", "") for n in bw_group["dns"]) == POOL[:3]  # N1, as BroadWorks writes them
    assert all(number.startswith("+44-") and d["activated"] for number, d in bw_group["dns"].items())
    assert "Call Recording" in bw_group["user_services"], "C6: ready for call-recording licences"
    assert bw_group["calling_line_id_phone_number"].replace("-", "") == "+442079460000"  # B1
    portal = bw_group["voice_portal"]  # V1, V2
    assert portal["phone_number"].replace("-", "") == "+442079460001" and portal["extension"] == "8000"
    admin = bw_state["users"]["ada.lovelace@hostedcomm.com"]  # A1
    assert (admin["kind"], admin["group_id"]) == ("group_admin", "AlphaWidgets")
    assert CANARY not in json.dumps(bw_state), "the simulator keeps no password"

    ak = json.loads(simulators["ak"].read_text())
    (partition,) = ak["partitions"].values()
    assert (partition["TelephonyServerType"], partition["SynchronisationType"], partition["MaintainParity"]) == (
        "Service Provider Group",
        "By Service Pack",
        True,
    )
    assert (partition["GroupId"], partition["EnterpriseOrProviderId"]) == ("AlphaWidgets", "ACME01")
    (user,) = ak["users"].values()
    assert user["Role"] == "Reporting Only User" and user["PartitionPermission"] == [partition["Id"]]

    cc = json.loads(simulators["cc"].read_text())
    (customer,) = cc["customers"].values()
    assert customer["CustomerType"] == "Essential"
    assert (customer["DealerCode"], customer["BillingCode"], customer["BroadWorksGroupId"], customer["ProviderId"]) == (
        "AlphaWidgets",
        "AlphaWidgets",
        "AlphaWidgets",
        "ACME01",
    )

    assert ExternalCall.objects.filter(context__startswith=f"build:{build.pk}/").exists()
    for call in ExternalCall.objects.all():
        assert CANARY not in json.dumps([call.request, call.response, call.error])

    # Running every step again (as a redelivered task would) creates nothing more.
    from customers.build_steps import STEPS

    writes_before = ExternalCall.objects.count()
    for step in build.steps.order_by("position"):
        if step.name != "akixi_sync":
            STEPS[step.name](group=group, platforms=get_platforms())
    write_ops = {
        "add_group_from_template",
        "add_numbers_to_service_provider",
        "assign_numbers",
        "set_group_clid",
        "add_group_admin",
        "add_partition",
        "add_reporting_user",
        "add_essential_customer",
    }
    again = ExternalCall.objects.all()[: ExternalCall.objects.count() - writes_before]
    assert not [c.operation for c in again if c.operation in write_ops]


def _partner_accounts(world):
    """O2 for Betacom (BETA02, not on any simulator yet): its co-ordinator creates its accounts."""
    from onboarding import partner_accounts
    from onboarding.models import OnboardingOrder
    from tests.onboarding.walk import new_order, run

    order = new_order(world)
    for name, role in [("confirm", Role.PROVISIONING_ADMIN), ("assign_coordinator", Role.MANAGER)]:
        order = run(world, order, name, role)
    partner_accounts.accounts_provision_start(by=world.user(Role.COORDINATOR), order=order)
    return OnboardingOrder.objects.get(pk=order.pk)


def _go_live(world, order):
    """O3-O6 on the order whose accounts were created: kickoff, training on every platform, live."""
    from tests.onboarding.walk import record_remaining_training, run

    run(world, order, "arrange_kickoff", Role.COORDINATOR)
    order = record_remaining_training(world, type(order).objects.get(pk=order.pk))
    run(world, order, "go_live", Role.COORDINATOR)
    world.partner_b.refresh_from_db()


def _first_customer(world, client, django_capture_on_commit_callbacks):
    """The new partner's first customer, built as its partner user would, shown to its co-ordinator."""
    numbers = [f"+44161496{n:04d}" for n in range(3)]
    numbers_add(by=world.user(Role.PROVISIONING_ADMIN), partner=world.partner_b, numbers=numbers)
    data = valid_request(
        group_id="BetaBakery",
        name="Beta Bakery Ltd",
        numbers=numbers,
        business_profile_number=numbers[0],
        voice_portal__number=numbers[1],
        present_group_number_as_clid=True,
        akixi__users=[{"username": "beta.reports", "full_name": "Bea Baker", "email": "bea@beta.invalid"}],
    )
    group, _ = customer_group_create(by=world.user(Role.PROVISIONING_ADMIN), partner=world.partner_b, data=data)
    with django_capture_on_commit_callbacks(execute=True):
        build, _ = builds.build_start(by=world.user(Role.PROVISIONING_ADMIN), group=group)
    build.refresh_from_db()
    client.force_login(world.user(Role.COORDINATOR))
    return build, client.get(group.get_absolute_url()).content.decode()


def test_O2_a_new_partner_goes_through_onboarding_and_its_first_customer_build_succeeds_on_the_strict_platforms(
    world, simulators, client, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        order = _partner_accounts(world)
    order.refresh_from_db()
    assert order.status == "accounts_created", list(order.accounts.values_list("platform", "status", "error"))
    bw = simulators["bw"].state.data
    sp = bw["service_providers"]["BETA02"]
    template = bw["service_providers"]["ExpoePartner"]["groups"]["EXPOE-MASTER-CLONE"]
    assert set(template["group_services"]) <= set(sp["group_services"])  # authorised as its template needs
    assert set(template["service_packs"]) <= set(sp["service_packs"]) and "Call Recording" in sp["user_services"]
    clone = bw["service_providers"]["ExpoePartner"]["groups"]["BETA02-CLONE"]  # G1, G2
    assert clone["name"] == "Betacom clone template"
    assert order.accounts.get(platform="broadworks").reference == (
        "BETA02; clone group BETA02-CLONE; Partner Portal login BETA02-admin"
    )
    login = bw["users"]["BETA02-admin"]
    assert (login["kind"], login["service_provider_id"]) == ("service_provider_admin", "BETA02")
    (invitation,) = [m for m in mailoutbox if "Partner Portal login" in m.subject]
    assert "Login: BETA02-admin" in invitation.body and "ucaasprov.hostedcomm.com" in invitation.body  # O7
    assert "BETA02" in json.loads(simulators["ak"].read_text())["resellers"]
    assert "BETA02" in json.loads(simulators["cc"].read_text())["resellers"]

    _go_live(world, order)
    build, page = _first_customer(world, client, django_capture_on_commit_callbacks)
    assert build.status == "succeeded", list(build.steps.values_list("name", "status", "last_error"))
    group = bw["service_providers"]["BETA02"]["groups"]["BetaBakery"]
    assert (group["calling_line_id_phone_number"], group["use_group_number"]) == ("+44-1614960000", True)  # B1
    assert "Call Recording" in group["user_services"]  # C6
    assert "apply call-recording licences" in page, "C6: the partner's next step is on the build page"


def test_O2_without_the_service_provider_authorisation_the_first_build_fails_with_broadworks_own_error(
    world, simulators, client, settings, django_capture_on_commit_callbacks
):
    settings.BROADWORKS_AUTHORISE_SERVICE_PROVIDER = False
    with django_capture_on_commit_callbacks(execute=True):
        order = _partner_accounts(world)
    order.refresh_from_db()
    assert order.status == "accounts_created"  # nothing on BroadWorks objected yet

    _go_live(world, order)
    build, page = _first_customer(world, client, django_capture_on_commit_callbacks)
    assert build.status == "failed" and build.steps.get(status="failed").name == "clone_group"
    refusal = "Service not authorized for service provider BETA02"
    assert f"[Error 4403] {refusal}: " in build.last_error
    assert refusal in page, "the co-ordinator sees BroadWorks' own error"
    assert "BetaBakery" not in simulators["bw"].state.data["service_providers"]["BETA02"]["groups"]


def _build_and_show(world, client, group, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        build, _ = builds.build_start(by=world.user(Role.PARTNER_USER), group=group)
    build.refresh_from_db()
    client.force_login(world.user(Role.PARTNER_USER))
    page = client.get(group.get_absolute_url()).content.decode()
    return build, page


def test_G3_a_group_id_taken_on_broadworks_by_someone_else_fails_the_build_with_a_clear_message(
    world, simulators, client, django_capture_on_commit_callbacks
):
    from django.utils.html import escape

    from integrations.platforms import get_platforms

    get_platforms().broadworks.add_group_from_template(
        service_provider_id="ACME01",
        template_group_id="ACME01-CLONE",
        group_id="AlphaWidgets",
        name="Someone Else Ltd",
        domain="hostedcomm.com",
        extension_length=4,
    )
    numbers_add(by=world.user(Role.PROVISIONING_ADMIN), partner=world.partner_a, numbers=POOL)
    group, _ = customer_group_create(by=world.user(Role.PARTNER_USER), partner=world.partner_a, data=valid_request())

    build, page = _build_and_show(world, client, group, django_capture_on_commit_callbacks)

    assert build.status == "failed" and build.steps.get(status="failed").name == "clone_group"
    message = "BroadWorks already has a group AlphaWidgets in ACME01 (named “Someone Else Ltd”)"
    assert message in build.last_error
    assert escape(message) in page or message in page, "the partner's user sees why on the build page"
    bw_group = simulators["bw"].state.data["service_providers"]["ACME01"]["groups"]["AlphaWidgets"]
    assert bw_group["name"] == "Someone Else Ltd" and not bw_group["dns"], "their group was left untouched"


def test_A1_an_admin_user_id_taken_on_broadworks_fails_the_build_with_the_platforms_message(
    world, simulators, client, django_capture_on_commit_callbacks
):
    from integrations.platforms import get_platforms

    platforms = get_platforms()
    # The partner is on every platform (O2), so the admins step is the only one that can fail.
    platforms.akixi.add_reseller("ACME01", "Acme Telecom", "ops@acme.invalid")
    platforms.callcabinet.add_reseller("ACME01", "Acme Telecom", "ops@acme.invalid")
    bw = platforms.broadworks
    bw.add_group_from_template(
        service_provider_id="ACME01",
        template_group_id="ACME01-CLONE",
        group_id="OtherCustomer",
        name="Other Customer Ltd",
        domain="hostedcomm.com",
        extension_length=4,
    )
    bw.add_group_admin(
        "ACME01",
        "OtherCustomer",
        user_id="ada.lovelace@hostedcomm.com",
        first_name="Ada",
        last_name="Other",
        password="Someone-Elses-9",
    )
    numbers_add(by=world.user(Role.PROVISIONING_ADMIN), partner=world.partner_a, numbers=POOL)
    group, _ = customer_group_create(by=world.user(Role.PARTNER_USER), partner=world.partner_a, data=valid_request())

    build, page = _build_and_show(world, client, group, django_capture_on_commit_callbacks)

    assert build.status == "failed" and build.steps.get(status="failed").name == "admins"
    assert "User ID already exists: ada.lovelace@hostedcomm.com" in build.last_error
    assert "User ID already exists: ada.lovelace@hostedcomm.com" in page
    # Steps beside it may have run (they need only the group); none is left half-way.
    statuses = dict(build.steps.values_list("name", "status"))
    assert statuses["clone_group"] == "done", "the admins step needs the group"
    assert sorted(set(statuses.values())) == ["done", "failed", "pending"]


def test_N1_N2_changes_after_the_build_reach_broadworks_and_numbers_taken_off_stay_in_the_partners_pool(
    world, simulators, django_capture_on_commit_callbacks
):
    """#15: a built customer's numbers added and taken off as changes, through the real gateway, on
    the BroadWorks simulator (which refuses what BroadWorks would: a number off another pool, the
    group's CLID or its voice portal's number)."""
    from customers import changes
    from integrations.platforms import get_platforms

    platforms = get_platforms()
    platforms.akixi.add_reseller("ACME01", "Acme Telecom", "ops@acme.invalid")
    platforms.callcabinet.add_reseller("ACME01", "Acme Telecom", "ops@acme.invalid")
    numbers_add(by=world.user(Role.PROVISIONING_ADMIN), partner=world.partner_a, numbers=POOL)
    group, _ = customer_group_create(by=world.user(Role.COORDINATOR), partner=world.partner_a, data=valid_request())
    coordinator = world.user(Role.COORDINATOR)
    with django_capture_on_commit_callbacks(execute=True):
        builds.build_start(by=coordinator, group=group)

    def on_broadworks():
        sp = simulators["bw"].state.data["service_providers"]["ACME01"]
        dashless = {n.replace("-", ""): owner for n, owner in sp["dns"].items()}
        return sorted(n.replace("-", "") for n in sp["groups"]["AlphaWidgets"]["dns"]), dashless

    for change, numbers in (
        (changes.change_numbers_add, POOL[5:7]),
        (changes.change_numbers_remove, [POOL[2], POOL[5]]),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            done = change(by=coordinator, group=group, numbers=numbers)
        done.refresh_from_db()
        assert done.status == "succeeded", list(done.steps.values_list("name", "status", "last_error"))
    on_group, pool = on_broadworks()
    assert on_group == [POOL[0], POOL[1], POOL[6]]
    assert pool[POOL[2]] is None and pool[POOL[5]] is None, "back on the partner's pool, free (N1, N2)"
