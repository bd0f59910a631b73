import django_tables2 as tables

from expoe_portal.tables import BadgeColumn, PortalTable

from .models import Partner


class PartnerTable(PortalTable):
    empty_none_yet = "No partners yet."
    empty_action = ("Add the first partner", "partners:partner_create")
    partner_id = tables.Column(linkify=("onboarding:partner_detail", {"pk": tables.A("pk")}), verbose_name="Partner ID")
    name = tables.Column()
    clone_group_id = tables.Column(verbose_name="Clone group", default="—")
    onboarding_status = BadgeColumn(
        colour="onboarding_status_badge",
        label="get_onboarding_status_display",
        verbose_name="Onboarding",
        orderable=False,
    )
    contact_count = tables.Column(verbose_name="Contacts")

    class Meta:
        model = Partner
        fields = ("partner_id", "name", "clone_group_id", "onboarding_status", "contact_count")
        attrs = {"class": "table table-hover align-middle"}
        empty_text = "No partners match these filters."
