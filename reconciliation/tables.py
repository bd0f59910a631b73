import django_tables2 as tables

from expoe_portal.rules import RULES, without_rule_ids
from expoe_portal.tables import BadgeColumn, PortalTable, WhenColumn

from .models import Drift


class DriftTable(PortalTable):
    empty_none_yet = "No drift: every built customer matches its platforms."
    group = tables.Column(
        accessor="group__group_id",
        linkify=("customers:group_detail", {"pk": tables.A("group_id")}),
        verbose_name="Group ID",
        order_by=("group__group_id",),
    )
    partner = tables.Column(
        accessor="group__partner__partner_id", verbose_name="Partner", order_by=("group__partner__partner_id",)
    )
    platform = tables.Column()
    aspect = tables.Column(linkify=("reconciliation:drift_detail", {"pk": tables.A("pk")}), verbose_name="What differs")
    rule = tables.Column(verbose_name="Rule broken")
    state = BadgeColumn(colour="state_badge", label="get_state_display", orderable=False, verbose_name="State")
    first_seen_at = WhenColumn(verbose_name="First seen", format="j M Y H:i")
    last_seen_at = WhenColumn(verbose_name="Last seen", format="j M Y H:i")
    resolved_at = WhenColumn(verbose_name="Resolved", format="j M Y H:i")

    def render_aspect(self, value):
        return without_rule_ids(value)  # (partners never read a rule's id; staff open it on the drift's page)

    def render_rule(self, value):
        return ", ".join(RULES[rule_id].name if rule_id in RULES else rule_id for rule_id in value.split(", "))

    class Meta:
        model = Drift
        fields = (
            "group",
            "partner",
            "platform",
            "aspect",
            "rule",
            "state",
            "first_seen_at",
            "last_seen_at",
            "resolved_at",
        )
        attrs = {"class": "table table-hover align-middle"}
        empty_text = "No drift matches these filters."
        order_by = ("-last_seen_at",)
