"""/api/v1/partners/: the partners, their contacts and their onboarding status (API.md)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api import ScopedViewSet
from expoe_portal.api import E164Field, ModelPermissions

from . import services
from .choices import ONBOARDING_STATUSES
from .filters import PartnerFilter
from .models import Partner, PartnerContact
from .selectors import partner_list


class PartnerContactSerializer(serializers.ModelSerializer):
    phone = E164Field(max_length=32, help_text="E.164; UK national formats are accepted.")

    class Meta:
        model = PartnerContact
        fields = ["name", "role", "email", "phone"]


class PartnerSerializer(serializers.ModelSerializer):
    onboarding_status = serializers.SerializerMethodField()
    contacts = PartnerContactSerializer(many=True, required=False)

    class Meta:
        model = Partner
        fields = ["id", "partner_id", "name", "clone_group_id", "onboarding_status", "live", "contacts"]

    @extend_schema_field(serializers.ChoiceField(choices=ONBOARDING_STATUSES))
    def get_onboarding_status(self, partner) -> str:
        return partner.onboarding_status

    def validate_partner_id(self, value):
        if self.instance is not None and value != self.instance.partner_id:
            raise serializers.ValidationError("The partner ID cannot change once the partner exists.")
        return value

    def create(self, validated_data):
        validated_data.setdefault("contacts", [])
        return services.partner_create(by=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("partner_id", None)
        return services.partner_update(by=self.context["request"].user, partner=instance, **validated_data)


class PartnerViewSet(ScopedViewSet):
    """Partners. Staff create and edit; a partner user reads only their own partner."""

    queryset = Partner.objects.all()
    serializer_class = PartnerSerializer
    permission_classes = [ModelPermissions]
    filterset_class = PartnerFilter

    def get_queryset(self):
        return partner_list(user=self.request.user).prefetch_related("contacts").order_by("partner_id")
