import django_tables2 as tables

from expoe_portal.tables import BadgeColumn, PortalTable, WhenColumn

from .models import OnboardingOrder


class OrderTable(PortalTable):
    empty_none_yet = "No onboarding orders yet."
    empty_action = ("Log the first signed order", "onboarding:order_create")
    empty_otherwise = "An order shows here once its signed order is logged."
    partner = tables.Column(
        accessor="partner__partner_id",
        linkify=("onboarding:order_detail", {"pk": tables.A("pk")}),
        verbose_name="Partner",
        order_by=("partner__partner_id",),
    )
    partner_name = tables.Column(accessor="partner__name", verbose_name="Name")
    status = BadgeColumn(colour="status_badge", label="get_status_display", testid="order-status", order_by=("status",))
    sla = tables.TemplateColumn(
        template_name="onboarding/_sla_badge.html",
        verbose_name="Confirmation deadline",
        order_by=("confirmation_due_at",),
    )
    signed_order_received_at = WhenColumn(verbose_name="Signed order", format="j M Y H:i")
    coordinator = tables.Column(verbose_name="Co-ordinator", default="—", order_by=("coordinator__first_name",))
    trainer = tables.Column(verbose_name="Trainer", default="—", order_by=("trainer__first_name",))
    kickoff_at = WhenColumn(verbose_name="Kickoff", format="j M Y H:i", default="—")

    class Meta:
        model = OnboardingOrder
        fields = (
            "partner",
            "partner_name",
            "status",
            "sla",
            "signed_order_received_at",
            "coordinator",
            "trainer",
            "kickoff_at",
        )
        attrs = {"class": "table table-hover align-middle"}
        empty_text = "No onboarding orders match these filters."
        order_by = ("-signed_order_received_at",)

    def render_coordinator(self, value):
        return value.display_name

    def render_trainer(self, value):
        return value.display_name
