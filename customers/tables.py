import django_tables2 as tables

from expoe_portal.tables import PortalTable, WhenColumn

from .models import CustomerGroup


class CustomerGroupTable(PortalTable):
    empty_none_yet = "No customers yet."
    empty_action = ("Add the first customer", "customers:group_create")
    group_id = tables.Column(linkify=("customers:group_detail", {"pk": tables.A("pk")}), verbose_name="Group ID")
    name = tables.Column(verbose_name="Customer")
    partner = tables.Column(accessor="partner__partner_id", verbose_name="Partner", order_by=("partner__partner_id",))
    domain = tables.Column()
    number_count = tables.Column(verbose_name="Numbers")
    state = tables.TemplateColumn(
        template_name="customers/group_state_badge.html", verbose_name="State", order_by=("submitted_at",)
    )
    build = tables.TemplateColumn(
        template_name="customers/_group_build_badge.html", verbose_name="Build", order_by=("latest_build_status",)
    )
    created_at = WhenColumn(verbose_name="Requested", format="j M Y H:i")

    class Meta:
        model = CustomerGroup
        fields = ("group_id", "name", "partner", "domain", "number_count", "state", "build", "created_at")
        attrs = {"class": "table table-hover align-middle"}
        empty_text = "No customers match these filters."
        order_by = ("-created_at",)
