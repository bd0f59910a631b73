"""`manage.py seed_demo` adds port requests in every state, through the services, once."""

from io import StringIO

import pytest
from django.core.management import call_command

from number_pool.choices import NumberStatus
from number_pool.models import Number
from porting.choices import PortStatus
from porting.models import PortRejection, PortRequest

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_port_requests_in_every_state_idempotently():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "Demo port requests (ACME01):" in out.getvalue()
    assert set(PortRequest.objects.values_list("status", flat=True)) == set(PortStatus.values)
    accepted = PortRequest.objects.get(status=PortStatus.ACCEPTED)
    assert accepted.port_date and accepted.region == "WLS" and "22 working days" in accepted.lead_time_rule
    assert PortRejection.objects.get().code == "postcode_mismatch"
    completed = PortRequest.objects.get(status=PortStatus.COMPLETED)
    assert set(Number.objects.filter(e164__in=completed.numbers).values_list("status", flat=True)) == {
        NumberStatus.ASSIGNED
    }
    draft = PortRequest.objects.get(status=PortStatus.DRAFT)
    assert not draft.range_holder and not draft.risks_acknowledged  # shows what is missing (P3)
    before = list(PortRequest.objects.order_by("pk").values_list("pk", "status", "updated_at"))
    call_command("seed_demo", stdout=StringIO())
    assert list(PortRequest.objects.order_by("pk").values_list("pk", "status", "updated_at")) == before


def test_the_demo_ports_have_a_history_for_the_lead_time_dashboard():
    from porting import dashboard

    call_command("seed_demo", stdout=StringIO())
    completed = PortRequest.objects.get(status=PortStatus.COMPLETED)
    assert completed.submitted_at.date() < completed.accepted_on < completed.port_date == completed.completed_on
    assert completed.completion_working_days == completed.lead_time_working_days == 22
    assert all(day.weekday() < 5 for day in (completed.accepted_on, completed.completed_on))
    figures = dashboard.port_dashboard(PortRequest.objects.all())
    assert figures["acceptance_median"] > 0, "days from submission to acceptance are not all zero"
