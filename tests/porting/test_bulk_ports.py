"""Bulk ports (issue #18): each number with its own status, the checks before submission (P3), the
partial acceptance into a child request, numbers counted in the queue and on the dashboard."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.choices import Role
from accounts.models import AuditEvent
from number_pool.choices import NumberStatus
from number_pool.models import Number
from porting import services
from porting.choices import PortedNumberStatus, PortStatus
from porting.models import PortComment, PortedNumber, PortRequest

from .walk import new_draft, port_in_state, run, sign_loa

pytestmark = pytest.mark.django_db


def statuses(port_request) -> dict[str, str]:
    return dict(PortedNumber.objects.filter(port_request=port_request).values_list("e164", "status"))


def numbers_of(first: int, count: int) -> list[str]:
    return [f"+44161496{n:04d}" for n in range(first, first + count)]


def bulk(first: int, count: int) -> dict:
    """A request for `count` numbers from 0161 496 <first> (Gamma's block in the sample data)."""
    return {"numbers": numbers_of(first, count), "main_billing_number": numbers_of(first, 1)[0]}


# --- Each number's status follows the request --------------------------------------------------------


def test_each_number_has_its_own_status_through_the_transitions(world):
    port_request = port_in_state(world, PortStatus.DRAFT, signed_loa=True)
    assert set(statuses(port_request).values()) == {PortedNumberStatus.REQUESTED}
    assert len(statuses(port_request)) == port_request.number_count == 4
    run(world, port_request, "submit", role=Role.PARTNER_USER)
    run(world, port_request, "accept")
    assert set(statuses(port_request).values()) == {PortedNumberStatus.ACCEPTED}
    run(world, port_request, "complete")
    assert set(statuses(port_request).values()) == {PortedNumberStatus.PORTED}
    cancelled = port_in_state(world, PortStatus.CANCELLED)
    assert set(statuses(cancelled).values()) == {PortedNumberStatus.CANCELLED}


def test_P5_resubmission_after_a_correction_keeps_each_numbers_status_in_step(world):
    rejected = port_in_state(world, PortStatus.REJECTED)
    kept, dropped = rejected.numbers[:3], rejected.numbers[3]
    assert set(statuses(rejected).values()) == {PortedNumberStatus.REQUESTED}  # the request was rejected, not them
    services.port_request_update(
        by=world.user(Role.PARTNER_USER), port_request=rejected, data={"numbers": [*kept, "+441614960077"]}
    )
    sign_loa(world, rejected)  # the letter covers the numbers it was signed for (P3)
    run(world, rejected, "resubmit", role=Role.PARTNER_USER)
    assert statuses(rejected) == dict.fromkeys([*kept, "+441614960077"], PortedNumberStatus.REQUESTED)
    assert dropped not in statuses(rejected)
    assert PortRequest.objects.get(pk=rejected.pk).number_count == 4


# --- Checks before submission (P3) ---------------------------------------------------------------


def test_P3_a_number_in_another_open_port_request_is_refused_naming_it(world):
    first = port_in_state(world, PortStatus.SUBMITTED, **bulk(100, 3))
    again = new_draft(world, signed_loa=True, partner=world.partner_b, numbers=[numbers_of(101, 1)[0], "+441614960200"])
    with pytest.raises(ValidationError) as exc:
        services.port_request_submit(by=world.user("partner_b_user"), port_request=again)
    assert exc.value.message_dict["numbers"] == [
        f"Cannot be ported (P3): +441614960101 is in port request {first.pk} (submitted)."
    ]
    # A draft holds nothing; once the first request is cancelled the number is free.
    run(world, first, "cancel")
    assert services.port_request_submit(by=world.user("partner_b_user"), port_request=again).status == "submitted"


def test_P3_a_number_in_a_pool_and_one_in_a_port_are_both_named(world):
    Number.objects.create(e164="+441614960300", partner=world.partner_b)
    other = port_in_state(world, PortStatus.ACCEPTED, numbers=["+441614960301"], main_billing_number="+441614960301")
    draft = new_draft(world, signed_loa=True, **bulk(300, 3))
    with pytest.raises(ValidationError) as exc:
        services.port_request_submit(by=world.user(Role.PARTNER_USER), port_request=draft)
    message = exc.value.message_dict["numbers"][0]
    assert "+441614960300 is already in BETA02's pool" in message
    assert f"+441614960301 is in port request {other.pk} (accepted)" in message
    assert "+441614960302" not in message


def test_P3_a_number_named_twice_in_one_request_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        new_draft(world, numbers=["0161 496 0400", {"first": "0161 496 0399", "last": "0161 496 0401"}])
    assert exc.value.message_dict["numbers"] == ["Each number once: named more than once: +441614960400."]
    with pytest.raises(ValidationError) as exc:
        new_draft(world, numbers="0161 496 0400\n0161 496 0400")
    assert "+441614960400" in exc.value.message_dict["numbers"][0]


def test_P3_a_range_holder_the_numbering_data_disagrees_with_is_flagged_not_refused(world, client):
    # The sample data (porting/data/number_blocks.json) gives 0161 496 0xxx to Gamma.
    draft = new_draft(world, signed_loa=True, **bulk(500, 2), range_holder="BT")
    client.force_login(world.user(Role.PARTNER_USER))
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "2 numbers (+441614960500; +441614960501) are in a block held by Gamma, not BT." in page
    assert services.port_request_submit(by=world.user(Role.PARTNER_USER), port_request=draft).status == "submitted"
    right = new_draft(world, signed_loa=True, **bulk(510, 2), range_holder="gamma")
    assert 'data-testid="range-holder-warnings"' not in client.get(right.get_absolute_url()).content.decode()


def test_P3_the_checks_take_the_same_queries_for_ten_numbers_as_for_a_thousand(world):
    def submit_queries(count: int, first: int) -> int:
        draft = new_draft(world, signed_loa=True, **bulk(first, count))
        with CaptureQueriesContext(connection) as queries:
            services.port_request_submit(by=world.user(Role.PARTNER_USER), port_request=draft)
        return len(queries.captured_queries)

    assert submit_queries(10, 1000) == submit_queries(1000, 2000)


# --- Partial acceptance ------------------------------------------------------------------------


def test_a_partial_acceptance_moves_the_refused_numbers_into_a_child_request(world):
    submitted = port_in_state(world, PortStatus.SUBMITTED, **bulk(600, 5))
    refused = numbers_of(603, 2)
    run(world, submitted, "accept", refused_numbers=refused, refusal_reason="Not on the losing provider's records")
    parent = PortRequest.objects.get(pk=submitted.pk)
    assert parent.status == PortStatus.ACCEPTED and parent.numbers == numbers_of(600, 3) and parent.number_count == 3
    assert statuses(parent) == {
        **dict.fromkeys(numbers_of(600, 3), PortedNumberStatus.ACCEPTED),
        **dict.fromkeys(refused, PortedNumberStatus.REFUSED),
    }
    assert set(PortedNumber.objects.filter(e164__in=refused).values_list("refusal_reason", flat=True)) - {""} == {
        "Not on the losing provider's records"
    }
    # Only the accepted numbers are reserved in the pool.
    assert sorted(Number.objects.filter(status=NumberStatus.PORTING).values_list("e164", flat=True)) == parent.numbers
    child = parent.children.get()
    assert child.status == PortStatus.DRAFT and child.numbers == refused and child.parent == parent
    assert (child.partner, child.registered_address, child.losing_provider, child.range_holder) == (
        parent.partner,
        parent.registered_address,
        parent.losing_provider,
        parent.range_holder,
    )
    assert statuses(child) == dict.fromkeys(refused, PortedNumberStatus.REQUESTED)
    note = PortComment.objects.get(port_request=child)
    assert not note.internal and "Not on the losing provider's records" in note.body
    audit = AuditEvent.objects.filter(action="port_request.accept").latest("pk")
    assert audit.changes["refused_numbers"] == 2 and audit.changes["child"] == child.pk
    # The child, corrected or not, can be submitted once its own letter is signed: its numbers are no
    # longer held by the parent.
    sign_loa(world, child)
    assert services.port_request_submit(by=world.user(Role.PARTNER_USER), port_request=child).status == "submitted"


@pytest.mark.parametrize(
    ("refused", "reason", "field", "message"),
    [
        (["+441614960799"], "x", "refused_numbers", "Not numbers of this request: +441614960799."),
        ("all", "x", "refused_numbers", "Every number is refused: record a rejection of the request instead."),
        (["+441614960700"], "", "refusal_reason", "Say why the carrier refused these numbers."),
    ],
)
def test_a_partial_acceptance_is_refused_with_the_reason_beside_the_field(world, refused, reason, field, message):
    submitted = port_in_state(world, PortStatus.SUBMITTED, **bulk(700, 2))
    refused = submitted.numbers if refused == "all" else refused
    with pytest.raises(ValidationError) as exc:
        run(world, submitted, "accept", refused_numbers=refused, refusal_reason=reason)
    assert exc.value.message_dict[field] == [message]
    assert PortRequest.objects.get(pk=submitted.pk).status == PortStatus.SUBMITTED
    assert not PortRequest.objects.filter(parent=submitted).exists()


def test_a_partial_acceptance_on_the_page_links_parent_and_child(client, world):
    submitted = port_in_state(world, PortStatus.SUBMITTED, **bulk(800, 4))
    client.force_login(world.user(Role.COORDINATOR))
    response = client.post(
        reverse("porting:transition", args=[submitted.pk, "accept"]),
        {
            "accept-expected_status": "submitted",
            "accept-refused_numbers": "0161 496 0802 - 0161 496 0803",
            "accept-refusal_reason": "Ported away last month",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    child = PortRequest.objects.get(parent=submitted)
    parent_page = client.get(submitted.get_absolute_url()).content.decode()
    assert f'href="/ports/{child.pk}/"' in parent_page and "Ported away last month" in parent_page
    assert re.search(r'data-testid="number-statuses">.*2 accepted.*2 refused', parent_page)
    client.force_login(world.user(Role.PARTNER_USER))
    child_page = client.get(child.get_absolute_url()).content.decode()
    assert f'href="/ports/{submitted.pk}/"' in child_page and "Ported away last month" in child_page


def test_a_partial_acceptance_through_the_api(api_as, world):
    submitted = port_in_state(world, PortStatus.SUBMITTED, **bulk(900, 3))
    client = api_as(world.user(Role.COORDINATOR))
    response = client.post(
        f"/api/v1/port-requests/{submitted.pk}/transitions/accept/",
        {"refused_numbers": ["0161 496 0902"], "refusal_reason": "Wrong account"},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["numbers"] == numbers_of(900, 2) and body["number_count"] == 2
    child = client.get(f"/api/v1/port-requests/{body['children'][0]}/").json()
    assert child["parent"] == submitted.pk and child["numbers"] == ["+441614960902"] and child["status"] == "draft"


# --- Entering many numbers ----------------------------------------------------------------------


def test_numbers_come_from_a_csv_upload_on_the_form(client, world):
    client.force_login(world.user(Role.PARTNER_USER))
    upload = SimpleUploadedFile("numbers.csv", b"number\n0161 496 1000\n0161 496 1001 - 0161 496 1099\n", "text/csv")
    response = client.post(reverse("porting:create"), {"country": "GB", "numbers": "", "numbers_file": upload})
    assert response.status_code == 302
    port_request = PortRequest.objects.get()
    assert port_request.number_count == 100 and port_request.numbers[-1] == "+441614961099"
    assert PortedNumber.objects.filter(port_request=port_request).count() == 100


def test_ten_thousand_numbers_created_submitted_and_accepted_in_the_queries_of_ten(world):
    """Apart from the batched INSERTs of the rows, a port of 10,000 numbers runs the same queries
    as one of 10: nothing is asked per number."""

    def steps(first: str, last: str) -> list[int]:
        counts = []
        with CaptureQueriesContext(connection) as queries:
            draft = new_draft(
                world, signed_loa=True, numbers=[{"first": first, "last": last}], main_billing_number=first
            )
        counts.append(queries)
        for name, role in (("submit", Role.PARTNER_USER), ("accept", Role.COORDINATOR)):
            with CaptureQueriesContext(connection) as queries:
                run(world, draft, name, role=role)
            counts.append(queries)
        assert set(statuses(draft).values()) == {PortedNumberStatus.ACCEPTED}
        return [sum(not q["sql"].startswith("INSERT") for q in c.captured_queries) for c in counts]

    steps("0161 498 0000", "0161 498 0001")  # the permission and content-type caches warmed
    assert steps("0161 496 0000", "0161 496 9999") == steps("0161 497 0000", "0161 497 0009")
    assert PortedNumber.objects.filter(e164__startswith="+44161496").count() == 10_000


# --- Counting numbers ----------------------------------------------------------------------------


def test_the_queue_counts_numbers_as_well_as_requests_in_the_same_queries(client, world):
    client.force_login(world.user(Role.COORDINATOR))
    port_in_state(world, PortStatus.SUBMITTED)

    def queue():
        client.get(reverse("porting:list"))
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("porting:list")).content.decode()
        return page, len(queries.captured_queries)

    page, one = queue()
    assert "1 request, 4 numbers." in page
    new_draft(world, signed_loa=True, **bulk(3000, 250))
    port_in_state(world, PortStatus.ACCEPTED)
    page, three = queue()
    assert "3 requests, 258 numbers." in page and ">250<" in page
    assert three == one


def test_the_dashboard_counts_numbers_by_status(client, world):
    port_in_state(world, PortStatus.SUBMITTED)
    port_in_state(world, PortStatus.COMPLETED, **bulk(4000, 20))
    client.force_login(world.user(Role.MANAGER))
    page = client.get(reverse("porting:dashboard")).content.decode()
    assert "24 numbers, 20 ported" in page
    by_status = re.search(r'data-testid="numbers-by-status">(.*?)</ul>', page, re.S).group(1)
    assert "Submitted: 4" in by_status and "Completed: 20" in by_status


def test_P3_the_page_names_where_a_number_already_is_without_the_rule_id_for_partners(client, world):
    Number.objects.create(e164="+441614960950", partner=world.partner_b)
    draft = new_draft(world, signed_loa=True, **bulk(950, 2))
    client.force_login(world.user(Role.PARTNER_USER))
    response = client.post(reverse("porting:transition", args=[draft.pk, "submit"]), {"submit-note": ""})
    assert response.status_code == 400
    text = response.content.decode()
    assert "+441614960950 is already in BETA02&#x27;s pool" in text and "(P3)" not in text
