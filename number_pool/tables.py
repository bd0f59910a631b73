import django_tables2 as tables

from expoe_portal.tables import BadgeColumn, PortalTable, WhenColumn

from .models import Number


class NumberTable(PortalTable):
    empty_none_yet = "No numbers in the pool yet."
    empty_action = ("Add the first numbers", "number_pool:numbers_add")
    empty_otherwise = "Numbers join the pool when EXPO.e adds them or a port request completes."
    e164 = tables.Column(verbose_name="Number")
    display = tables.Column(verbose_name="National format", accessor="e164", orderable=False)
    partner = tables.Column(accessor="partner__partner_id", verbose_name="Partner", order_by=("partner__partner_id",))
    status = BadgeColumn(colour="status_badge", label="get_status_display", order_by=("status",))
    customer_group = tables.Column(accessor="customer_group__group_id", verbose_name="Customer group", default="—")
    added_at = WhenColumn(verbose_name="Added", format="j M Y")

    class Meta:
        model = Number
        fields = ("e164", "display", "partner", "status", "customer_group", "added_at")
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = "No numbers match these filters."

    def render_display(self, record):
        return record.display
