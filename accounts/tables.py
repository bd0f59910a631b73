import json

import django_tables2 as tables

from expoe_portal.tables import PortalTable, WhenColumn

from .models import AuditEvent


class AuditEventTable(PortalTable):
    empty_none_yet = "Nothing recorded yet."
    at = WhenColumn(verbose_name="When", format="j M Y H:i:s", attrs={"td": {"class": "text-nowrap small"}})
    actor = tables.Column(
        accessor="actor__username", verbose_name="Who", default="system", order_by=("actor__username",)
    )
    action = tables.Column()
    target_label = tables.Column(verbose_name="What")
    partner = tables.Column(accessor="partner__partner_id", verbose_name="Partner", default="—")
    changes = tables.Column(verbose_name="Details", orderable=False, attrs={"td": {"class": "small text-break"}})

    class Meta:
        model = AuditEvent
        fields = ("at", "actor", "action", "target_label", "partner", "changes")
        attrs = {"class": "table table-sm align-middle"}
        empty_text = "Nothing recorded matches these filters."
        order_by = ("-at",)

    def render_changes(self, value):
        return json.dumps(value, ensure_ascii=False, default=str)[:300] if value else "—"
