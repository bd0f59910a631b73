"""The shared seam every platform call goes through: error kinds, redaction, the ExternalCall row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

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
    with recorded_call(platform="broadworks", operation="add_group_from_template", target="ACME01/Alpha") as call:
        row = ExternalCall.objects.get()
        assert row.outcome == "started", "saved before the call, so a killed process leaves a trace"
        call.response = {"added": True}
    row.refresh_from_db()
    assert (row.outcome, row.response) == ("ok", {"added": True})
    assert row.duration_ms is not None


def writes(queries) -> list[str]:
    return [q["sql"].split(" ", 1)[0] for q in queries.captured_queries if not q["sql"].startswith("SELECT")]


def test_a_read_is_recorded_once_complete_after_it_returns():
    before = timezone.now()
    with (
        CaptureQueriesContext(connection) as queries,
        recorded_call(platform="broadworks", operation="group_exists", target="ACME01/Alpha", read=True) as call,
    ):
        assert not ExternalCall.objects.exists(), "a read changes nothing: nothing to find if the process dies"
        call.response = {"exists": False}
    assert writes(queries) == ["INSERT"]
    row = ExternalCall.objects.get()
    assert (row.outcome, row.response, row.target) == ("ok", {"exists": False}, "ACME01/Alpha")
    assert before <= row.started_at <= timezone.now(), "when the call began, not when its row was saved"


def test_inside_calling_for_reads_are_saved_with_the_next_write_or_at_the_end(world):
    from integrations.base import calling_for

    with calling_for("build:7/step:admins", partner=world.partner_a):
        for operation in ("group_admin_exists", "group_profile"):
            with recorded_call(platform="broadworks", operation=operation, read=True):
                pass
        assert not ExternalCall.objects.exists()
        with (
            CaptureQueriesContext(connection) as queries,
            recorded_call(platform="broadworks", operation="add_group_admin"),
        ):
            assert ExternalCall.objects.filter(outcome="started").count() == 1
        assert writes(queries) == ["INSERT", "UPDATE"], "the two reads and the write's row in one insert"
        with recorded_call(platform="broadworks", operation="group_admins", read=True):
            pass
        assert ExternalCall.objects.count() == 3
    rows = list(ExternalCall.objects.order_by("id").values_list("operation", "outcome", "context"))
    assert rows == [
        ("group_admin_exists", "ok", "build:7/step:admins"),
        ("group_profile", "ok", "build:7/step:admins"),
        ("add_group_admin", "ok", "build:7/step:admins"),
        ("group_admins", "ok", "build:7/step:admins"),
    ], "in the order they were made"


def test_a_failed_read_inside_calling_for_is_saved_when_the_block_ends(world):
    from integrations.base import calling_for

    with (
        pytest.raises(TransientError),
        calling_for("build:7/step:admins", partner=world.partner_a),
        recorded_call(platform="broadworks", operation="group_admin_exists", read=True),
    ):
        raise TransientError("Connection reset")
    row = ExternalCall.objects.get()
    assert (row.outcome, row.error) == ("transient_error", "Connection reset")


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
