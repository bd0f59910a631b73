import django_tables2 as tables

from expoe_portal.tables import PortalTable, WhenColumn

from .audit_words import audit_sentence
from .models import AuditEvent


class AuditEventTable(PortalTable):
    empty_none_yet = "Nothing recorded yet."
    at = WhenColumn(verbose_name="When", format="j M Y H:i:s", attrs={"td": {"class": "text-nowrap small"}})
    sentence = tables.Column(
        accessor="action", verbose_name="What happened", orderable=False, attrs={"td": {"class": "text-break"}}
    )
    partner = tables.Column(accessor="partner__partner_id", verbose_name="Partner", default="—")

    class Meta:
        model = AuditEvent
        fields = ("at", "sentence", "partner")
        attrs = {"class": "table table-sm align-middle"}
        empty_text = "Nothing recorded matches these filters."
        order_by = ("-at",)

    def render_sentence(self, record):
        return audit_sentence(
            actor=record.actor.display_name if record.actor else "",
            action=record.action,
            target_label=record.target_label,
            target_id=record.target_id,
            changes=record.changes,
        )
