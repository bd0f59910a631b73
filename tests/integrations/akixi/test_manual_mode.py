"""Akixi in manual mode (AKIXI_MODE=manual): the same methods as the API gateway, carried out by a
person. Nothing is sent; each create fails with the exact values to type into Akixi (code "manual",
which a build step shows as waiting for a person) until a co-ordinator's confirmation is read back
through the dotted-path settings."""

import inspect
from types import SimpleNamespace

import pytest

from customers import build_steps
from integrations.akixi.client import (
    AkixiGateway,
    AkixiManualGateway,
    akixi_gateway,
    manual_partition_instructions,
    manual_user_instructions,
)
from integrations.base import PermanentError
from integrations.models import ExternalCall

from .bodies import alpha_dental_group

pytestmark = pytest.mark.django_db

CONFIRMED = {"resellers": set(), "partitions": {}, "users": set()}


# What the portal would name in AKIXI_CONFIRMED_*: here, a dictionary the tests fill in.
def confirmed_reseller(partner_id):
    return partner_id in CONFIRMED["resellers"]


def confirmed_partition(group_id):
    return CONFIRMED["partitions"].get(group_id)


def confirmed_user(username):
    return username in CONFIRMED["users"]


@pytest.fixture
def manual(settings):
    for kept in CONFIRMED.values():
        kept.clear()
    settings.AKIXI_MODE = "manual"
    settings.AKIXI_CONFIRMED_RESELLER = f"{__name__}.confirmed_reseller"
    settings.AKIXI_CONFIRMED_PARTITION = f"{__name__}.confirmed_partition"
    settings.AKIXI_CONFIRMED_USER = f"{__name__}.confirmed_user"
    gateway = akixi_gateway()
    assert isinstance(gateway, AkixiManualGateway)
    return gateway


PARTITION = {
    "description": "Alpha Dental",
    "billing_id": "alpha-dental",
    "licensed_for": "Reporting Standard",
    "provider_id": "ACME01",
    "group_id": "alpha-dental",
}


def test_the_mode_is_chosen_by_settings(settings):
    settings.AKIXI_MODE = "api"
    assert isinstance(akixi_gateway(), AkixiGateway)
    settings.AKIXI_MODE = " Manual "
    assert isinstance(akixi_gateway(), AkixiManualGateway)
    del settings.AKIXI_MODE
    assert isinstance(akixi_gateway(), AkixiGateway), "api unless set"
    settings.AKIXI_MODE = "carrier pigeon"
    with pytest.raises(PermanentError, match='AKIXI_MODE must be "api" or "manual"'):
        akixi_gateway()


def test_without_confirmation_settings_nothing_is_confirmed(settings):
    settings.AKIXI_MODE = "manual"
    for name in ("AKIXI_CONFIRMED_RESELLER", "AKIXI_CONFIRMED_PARTITION", "AKIXI_CONFIRMED_USER"):
        if hasattr(settings, name):
            delattr(settings, name)
    gateway = akixi_gateway()
    assert gateway.reseller_exists("ACME01") is False
    assert gateway.find_partition("alpha-dental") is None
    assert gateway.user_exists("ada.lovelace") is False


def test_the_manual_gateway_has_the_api_gateways_methods_with_the_same_parameters():
    def public(cls):
        names = {"reseller_exists", "add_reseller", "find_partition", "add_partition", "sync_status"}
        names |= {"request_sync", "user_exists", "add_reporting_user"}
        return {name: list(inspect.signature(getattr(cls, name)).parameters) for name in names}

    assert public(AkixiManualGateway) == public(AkixiGateway)


def test_K1_the_reseller_account_is_asked_for_until_confirmed(manual):
    with pytest.raises(PermanentError) as waiting:
        manual.add_reseller("ACME01", "Acme Telecom", "ops@acme.invalid")
    assert waiting.value.code == "manual"
    assert str(waiting.value) == (
        "In Akixi create the reseller account for partner ACME01 (Acme Telecom) (K1). "
        "Welcome email to: ops@acme.invalid. Then confirm here."
    )
    CONFIRMED["resellers"].add("ACME01")
    assert manual.reseller_exists("ACME01") is True
    assert manual.add_reseller("ACME01", "Acme Telecom", "ops@acme.invalid") == "ACME01"


def test_K2_K3_the_partition_instructions_carry_the_guides_fixed_values(manual):
    with pytest.raises(PermanentError) as waiting:
        manual.add_partition(**PARTITION)
    assert waiting.value.code == "manual"
    assert str(waiting.value) == " ".join(manual_partition_instructions(**PARTITION))
    for line in (
        "Description: Alpha Dental.",
        "Billing ID/Tag: alpha-dental.",
        "Licensed for: Reporting Standard.",
        "Telephony server type: Service Provider Group.",
        "Enterprise/Provider ID: ACME01.",
        "Group ID: alpha-dental.",
        "Synchronisation Type: By Service Pack.",
        "Maintain Parity: on (nightly synchronisation).",
        "press “Perform synchronisation now” (K3)",
        "Then confirm here with the partition's ID.",
    ):
        assert line in str(waiting.value)
    CONFIRMED["partitions"]["alpha-dental"] = " 42 "
    assert manual.find_partition("alpha-dental") == "42"
    assert manual.add_partition(**PARTITION) == "42"
    assert manual.sync_status("42") == "completed", "a partition is confirmed once synchronised"


def test_K3_asking_for_a_sync_again_tells_the_coordinator_to_press_it(manual):
    with pytest.raises(PermanentError, match="open partition 42 and press “Perform synchronisation now”") as waiting:
        manual.request_sync(42)
    assert waiting.value.code == "manual"


def test_a_blank_value_reads_as_missing(manual):
    with pytest.raises(PermanentError, match=r"Billing ID/Tag: \(missing: complete the request first\)"):
        manual.add_partition(**{**PARTITION, "billing_id": " "})


def test_K4_the_user_instructions_carry_K4s_settings_and_the_partition(manual):
    with pytest.raises(PermanentError) as waiting:
        manual.add_reporting_user(
            username="ada.lovelace", full_name="Ada Lovelace", email="ada@a.invalid", partition="42"
        )
    assert waiting.value.code == "manual"
    user = {"username": "ada.lovelace", "full_name": "Ada Lovelace", "email": "ada@a.invalid", "partition": "42"}
    assert str(waiting.value) == " ".join(manual_user_instructions(**user))
    for line in (
        "Role: Reporting Only User. Reporting level: 1000 Supervisor. Default reports: Standard Reports.",
        "Tick Password Change Required, Send Welcome Email and Enable MFA.",
        "Partition permission: partition 42 only — never “Any Partition” (K4).",
        "Group, device and agent: Any.",
    ):
        assert line in str(waiting.value)
    CONFIRMED["users"].add("ada.lovelace")
    assert manual.user_exists("ada.lovelace") is True
    assert manual.add_reporting_user(**user) == "ada.lovelace"


@pytest.mark.parametrize("partition", ["Any Partition", "any", -1, None, [42], True, ""])
def test_K4_any_partition_is_refused_in_manual_mode_too(manual, partition):
    CONFIRMED["users"].add("ada.lovelace")
    with pytest.raises(PermanentError) as refused:
        manual.add_reporting_user(username="ada.lovelace", full_name="A", email="a@a.invalid", partition=partition)
    assert refused.value.code in ("any_partition", "no_partition", "bad_partition")
    with pytest.raises(PermanentError):
        manual.sync_status(partition)


def test_the_build_steps_wait_for_a_person_and_complete_once_confirmed(manual):
    group = alpha_dental_group()
    platforms = SimpleNamespace(akixi=manual)
    with pytest.raises(PermanentError) as waiting:
        build_steps.akixi_partition(group=group, platforms=platforms)
    assert waiting.value.code == "manual"
    CONFIRMED["partitions"]["alpha-dental"] = "42"
    assert build_steps.akixi_partition(group=group, platforms=platforms) == "42"
    assert build_steps.akixi_sync(group=group, platforms=platforms) == "completed"
    with pytest.raises(PermanentError, match="partition 42 only") as waiting:
        build_steps.akixi_users(group=group, platforms=platforms)
    assert waiting.value.code == "manual"
    CONFIRMED["users"].add("ada.lovelace")
    assert build_steps.akixi_users(group=group, platforms=platforms) == "1 users"
    assert ExternalCall.objects.count() == 0, "manual mode sends nothing"
