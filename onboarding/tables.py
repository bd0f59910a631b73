import django_tables2 as tables

from .models import Number, OnboardingOrder, Partner


class PartnerTable(tables.Table):
    partner_id = tables.Column(linkify=("onboarding:partner_detail", {"pk": tables.A("pk")}), verbose_name="Partner ID")
    name = tables.Column()
    clone_group_id = tables.Column(verbose_name="Clone group", default="—")
    onboarding_status = tables.TemplateColumn(
        template_name="onboarding/_onboarding_status_badge.html", verbose_name="Onboarding", orderable=False
    )
    contact_count = tables.Column(verbose_name="Contacts")

    class Meta:
        model = Partner
        fields = ("partner_id", "name", "clone_group_id", "onboarding_status", "contact_count")
        attrs = {"class": "table table-hover align-middle"}
        empty_text = "No partners match."


class OrderTable(tables.Table):
    partner = tables.Column(
        accessor="partner__partner_id",
        linkify=("onboarding:order_detail", {"pk": tables.A("pk")}),
        verbose_name="Partner",
        order_by=("partner__partner_id",),
    )
    partner_name = tables.Column(accessor="partner__name", verbose_name="Name")
    status = tables.TemplateColumn(template_name="onboarding/_order_status_badge.html", order_by=("status",))
    sla = tables.TemplateColumn(
        template_name="onboarding/_sla_badge.html",
        verbose_name="Confirmation SLA (O1)",
        order_by=("confirmation_due_at",),
    )
    signed_order_received_at = tables.DateTimeColumn(verbose_name="Signed order", format="j M Y H:i")
    coordinator = tables.Column(verbose_name="Co-ordinator", default="—", order_by=("coordinator__first_name",))
    trainer = tables.Column(verbose_name="Trainer", default="—", order_by=("trainer__first_name",))
    kickoff_at = tables.DateTimeColumn(verbose_name="Kickoff", format="j M Y H:i", default="—")

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
        empty_text = "No onboarding orders match."
        order_by = ("-signed_order_received_at",)

    def render_coordinator(self, value):
        return value.display_name

    def render_trainer(self, value):
        return value.display_name


class NumberTable(tables.Table):
    e164 = tables.Column(verbose_name="Number")
    display = tables.Column(verbose_name="National format", accessor="e164", orderable=False)
    partner = tables.Column(accessor="partner__partner_id", verbose_name="Partner", order_by=("partner__partner_id",))
    status = tables.TemplateColumn(
        '<span class="badge text-bg-{{ record.status_badge }}">{{ record.get_status_display }}</span>'
    )
    customer_group = tables.Column(accessor="customer_group__group_id", verbose_name="Customer group", default="—")
    added_at = tables.DateTimeColumn(verbose_name="Added", format="j M Y")

    class Meta:
        model = Number
        fields = ("e164", "display", "partner", "status", "customer_group", "added_at")
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = "No numbers match."

    def render_display(self, record):
        return record.display
