"""Table cells are rendered in Python, never by a template compiled per cell (#14: most of a queue
page's CPU went there)."""

from types import SimpleNamespace

import django_tables2 as tables

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
