"""The shared seam every platform call goes through: error kinds, redaction, the ExternalCall row."""

import pytest

from integrations.base import REDACTED, PermanentError, TransientError, recorded_call, redact
from integrations.models import ExternalCall

pytestmark = pytest.mark.django_db

CANARY = "Canary-Pass-4242"


def test_redact_hides_secrets_in_nested_data_and_oci_xml():
    data = {
        "userId": "ada@hostedcomm.com",
        "password": CANARY,
        "headers": {"x-api-key": CANARY, "Accept": "json"},
        "users": [{"Password": CANARY, "Username": "ada"}],
        "xml": f"<GroupAdminAddRequest><userId>ada</userId><password>{CANARY}</password></GroupAdminAddRequest>",
    }
    clean = redact(data)
    assert CANARY not in str(clean)
    assert clean["userId"] == "ada@hostedcomm.com" and clean["headers"]["Accept"] == "json"
    assert clean["users"][0] == {"Password": REDACTED, "Username": "ada"}
    assert "<password>********</password>" in clean["xml"]
    assert data["password"] == CANARY, "the caller's data is not changed"


def test_a_call_is_recorded_before_it_runs_and_completed_after():
    with recorded_call(platform="broadworks", operation="group_exists", target="ACME01/Alpha") as call:
        row = ExternalCall.objects.get()
        assert row.outcome == "started", "saved before the call, so a killed process leaves a trace"
        call.response = {"exists": False}
    row.refresh_from_db()
    assert (row.outcome, row.response) == ("ok", {"exists": False})
    assert row.duration_ms is not None


@pytest.mark.parametrize(
    ("error", "outcome"), [(TransientError, "transient_error"), (PermanentError, "permanent_error")]
)
def test_errors_are_recorded_with_their_kind_and_reason(error, outcome):
    with pytest.raises(error), recorded_call(platform="akixi", operation="add_partition", target="Alpha"):
        raise error("Group already exists", code="4123")
    row = ExternalCall.objects.get()
    assert (row.outcome, row.error) == (outcome, "Group already exists")


def test_an_unclassified_error_is_recorded_as_permanent_so_nothing_retries_blindly():
    with pytest.raises(KeyError), recorded_call(platform="callcabinet", operation="add_customer"):
        raise KeyError("surprise")
    assert ExternalCall.objects.get().outcome == "permanent_error"


def test_a_password_never_reaches_the_row():
    request = {"userId": "ada", "password": CANARY}
    with recorded_call(platform="broadworks", operation="add_group_admin", request=request) as call:
        call.response = {"echo": f"<password>{CANARY}</password>"}
    row = ExternalCall.objects.get()
    assert CANARY not in str(row.request) and CANARY not in str(row.response)


def test_calls_inside_calling_for_are_tagged_with_who_asked(world):
    from integrations.base import calling_for

    with (
        calling_for("build:7/step:admins", partner=world.partner_a),
        recorded_call(platform="broadworks", operation="add_group_admin"),
    ):
        pass
    with recorded_call(platform="broadworks", operation="group_exists"):
        pass
    tagged, untagged = ExternalCall.objects.order_by("id")
    assert (tagged.context, tagged.partner) == ("build:7/step:admins", world.partner_a)
    assert (untagged.context, untagged.partner) == ("", None)
