import django_tables2 as tables

from expoe_portal.phone import format_national
from expoe_portal.tables import BadgeColumn, PortalTable, WhenColumn

from .models import PortRequest


class PortRequestTable(PortalTable):
    empty_none_yet = "No port requests yet."
    empty_action = ("Request the first port", "porting:create")
    id = tables.Column(linkify=("porting:detail", {"pk": tables.A("pk")}), verbose_name="Port")
    partner = tables.Column(accessor="partner__partner_id", verbose_name="Partner", order_by=("partner__partner_id",))
    numbers = tables.Column(verbose_name="Numbers", orderable=False)
    number_count = tables.Column(verbose_name="Count", attrs={"td": {"class": "text-end"}})
    country = tables.Column(verbose_name="Country")
    number_type = tables.Column(verbose_name="Type")
    losing_provider = tables.Column(verbose_name="Losing provider", default="—")
    status = BadgeColumn(colour="status_badge", label="get_status_display", order_by=("status",))
    submitted_at = WhenColumn(verbose_name="Submitted", format="j M Y", default="—")
    port_date = WhenColumn(verbose_name="Port date", format="D j M Y", default="—")

    class Meta:
        model = PortRequest
        fields = (
            "id",
            "partner",
            "numbers",
            "number_count",
            "country",
            "number_type",
            "losing_provider",
            "status",
            "submitted_at",
            "port_date",
        )
        attrs = {"class": "table table-hover align-middle", "data-testid": "port-queue"}
        empty_text = "No port requests match these filters."
        order_by = ("-id",)

    def render_numbers(self, value):
        if not value:
            return "—"
        more = f" + {len(value) - 1} more" if len(value) > 1 else ""
        return f"{format_national(value[0])}{more}"

    def render_number_count(self, value):
        return f"{value:,}"

    def render_country(self, record):
        return f"{record.country}{'-' + record.region if record.region else ''}"
