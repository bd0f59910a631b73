"""Table cells are rendered in Python, never by a template compiled per cell (#14: most of a queue
page's CPU went there)."""

import re
from types import SimpleNamespace

import django_tables2 as tables
import pytest

from customers.tables import CustomerGroupTable
from expoe_portal.tables import BadgeColumn
from number_pool.tables import NumberTable
from onboarding.tables import OrderTable
from partners.tables import PartnerTable
from porting.tables import PortRequestTable


def test_a_badge_shows_the_rows_status_escaped():
    column = BadgeColumn(colour="status_badge", label="get_status_display", testid="order-status")
    row = SimpleNamespace(status_badge="danger", get_status_display=lambda: "Rejected <by BT>")
    assert column.render(record=row) == (
        '<span class="badge text-bg-danger" data-testid="order-status">Rejected &lt;by BT&gt;</span>'
    )


def test_no_table_compiles_a_template_per_cell():
    for table in (PortRequestTable, NumberTable, OrderTable, PartnerTable, CustomerGroupTable):
        inline = [
            name
            for name, column in table.base_columns.items()
            if isinstance(column, tables.TemplateColumn) and column.template_code
        ]
        assert inline == [], f"{table.__name__}: {inline}"


def test_a_date_is_shown_in_the_portals_time_zone_without_a_template(settings):
    from datetime import UTC, date, datetime

    from expoe_portal.tables import WhenColumn

    settings.TIME_ZONE = "Europe/London"
    summer = datetime(2026, 7, 1, 8, 30, tzinfo=UTC)
    assert WhenColumn(format="j M Y H:i").render(summer) == "1 Jul 2026 09:30"  # BST
    assert WhenColumn(format="D j M Y").render(date(2026, 12, 25)) == "Fri 25 Dec 2026"


def _markup(html: str) -> str:

    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).replace(" >", ">").strip()


@pytest.mark.django_db
def test_rows_rendered_in_python_are_the_markup_django_tables2_s_template_made(world, rf):
    """Every app's table, with rows (and a cell needing escaping), and empty: the same HTML as
    django-tables2's Bootstrap 5 template gives, which the browser tests and the pages rely on."""
    from django.contrib.auth.models import AnonymousUser
    from django.utils import timezone

    from accounts.choices import Role
    from accounts.models import AuditEvent
    from accounts.tables import AuditEventTable
    from customers.models import CustomerGroup
    from customers.services import customer_group_create
    from number_pool.models import Number
    from onboarding.models import OnboardingOrder
    from onboarding.services import onboarding_order_create
    from partners.models import Partner
    from porting.choices import PortStatus
    from porting.models import PortRequest
    from tests.customers.build_request_data import stock_pool, valid_request
    from tests.porting.walk import port_in_state

    port_in_state(world, PortStatus.SUBMITTED)
    port_in_state(world, PortStatus.DRAFT, losing_provider="<b>Acme & Co</b>")
    stock_pool(world)
    customer_group_create(by=world.user(Role.COORDINATOR), partner=world.partner_a, data=valid_request())
    onboarding_order_create(
        by=world.user(Role.PROVISIONING_ADMIN), partner=world.partner_b, signed_order_received_at=timezone.now()
    )
    request = rf.get("/")
    request.user = AnonymousUser()
    for table_class, rows in (
        (PortRequestTable, PortRequest.objects.all()),
        (NumberTable, Number.objects.all()),
        (OrderTable, OnboardingOrder.objects.all()),
        (PartnerTable, Partner.objects.all()),
        (CustomerGroupTable, CustomerGroup.objects.all()),
        (AuditEventTable, AuditEvent.objects.all()),
        (PortRequestTable, PortRequest.objects.none()),
    ):
        assert rows.exists() or table_class is PortRequestTable
        ours = table_class(rows).as_html(request)
        theirs = table_class(rows, template_name="django_tables2/bootstrap5.html").as_html(request)
        # Plus each cell's column name, which a phone shows beside the value as rows stack (#16).
        headers = re.findall(r'<th [^>]*scope="col">\s*(?:<a [^>]*>)?([^<]*?)\s*<', theirs)
        labels = re.findall(r'<td [^>]*data-label="([^"]*)"', ours)
        assert labels[: len(headers)] == (headers if rows.exists() else []), table_class.__name__
        if not rows.exists():  # an empty list says what to do next (#16): tests/portal/test_empty_lists.py
            ours, theirs = (re.sub(r"<tbody.*</tbody>", "", html, flags=re.S) for html in (ours, theirs))
        assert _markup(re.sub(r' data-label="[^"]*"', "", ours)) == _markup(theirs), table_class.__name__
