from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.api import ScopedReadViewSet
from accounts.models import EscalationContact
from expoe_portal import bounds
from expoe_portal.api import E164Field, ModelPermissions

from . import selectors, services
from .choices import ESCALATION_STATES, SubjectType
from .filters import EscalationFilter
from .models import Escalation


class EscalationContactSerializer(serializers.ModelSerializer):
    phone = E164Field(max_length=32, help_text="E.164; UK national formats are accepted.")

    class Meta:
        model = EscalationContact
        fields = ["id", "level", "role", "name", "phone", "email"]
        read_only_fields = ["id", "level"]

    def update(self, instance, validated_data):
        return services.escalation_contact_update(by=self.context["request"].user, contact=instance, **validated_data)


class EscalationContactViewSet(mixins.UpdateModelMixin, ScopedReadViewSet):
    """The escalation matrix (E1). Everyone signed in reads it; managers edit it."""

    queryset = EscalationContact.objects.order_by("level")
    serializer_class = EscalationContactSerializer
    permission_classes = [ModelPermissions]
    filterset_fields = ["level"]


# --- Escalations (E2) -------------------------------------------------------------------------


class SubjectSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=SubjectType.choices)
    id = serializers.IntegerField()
    label = serializers.CharField()
    url = serializers.CharField(help_text="The item's page in the portal.")


class ContactSerializer(serializers.Serializer):
    level = serializers.IntegerField()
    role = serializers.CharField()
    name = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.EmailField()


class AcknowledgedSerializer(serializers.Serializer):
    by = serializers.CharField()
    at = serializers.DateTimeField()
    note = serializers.CharField()


class EscalationSerializer(serializers.ModelSerializer):
    """API.md: subject, policy, due_at, state, level (0-3), contact; the rest is added detail."""

    subject = serializers.SerializerMethodField()
    policy = serializers.CharField(source="policy.key")
    policy_name = serializers.CharField(source="policy.name")
    state = serializers.ChoiceField(choices=ESCALATION_STATES, source="live_state")
    level = serializers.IntegerField(source="current_level", help_text="The matrix level to contact now (E1).")
    contact = serializers.SerializerMethodField()
    partner = serializers.SlugRelatedField(slug_field="partner_id", read_only=True)
    acknowledged = serializers.SerializerMethodField()

    class Meta:
        model = Escalation
        fields = [
            "id",
            "subject",
            "policy",
            "policy_name",
            "partner",
            "started_at",
            "at_risk_at",
            "due_at",
            "state",
            "level",
            "contact",
            "acknowledged",
        ]

    @extend_schema_field(SubjectSerializer)
    def get_subject(self, obj):
        return {"type": obj.subject_type, "id": obj.subject_id, "label": obj.subject_label, "url": obj.subject_url}

    @extend_schema_field(ContactSerializer(allow_null=True))
    def get_contact(self, obj):
        contact = self.context["contacts"].get(obj.current_level)
        if contact is None:
            return None
        return {
            "level": contact.level,
            "role": contact.role,
            "name": contact.name,
            "phone": contact.phone,
            "email": contact.email,
        }

    @extend_schema_field(AcknowledgedSerializer(allow_null=True))
    def get_acknowledged(self, obj):
        if obj.acknowledged_at is None:
            return None
        by = obj.acknowledged_by.username if obj.acknowledged_by else ""
        return {
            "by": by,
            "at": serializers.DateTimeField().to_representation(obj.acknowledged_at),
            "note": obj.acknowledge_note,
        }


class AcknowledgeSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=bounds.NOTE, help_text="What is being done about it.")


class EscalationViewSet(ScopedReadViewSet):
    """Open items with deadlines (E2), most overdue first. Partner users see their own partner's."""

    serializer_class = EscalationSerializer
    permission_classes = [ModelPermissions]
    filterset_class = EscalationFilter
    queryset = Escalation.objects.none()  # for the schema; the real one is built per request

    def get_queryset(self):
        return selectors.escalation_open_list(user=self.request.user).order_by("due_at", "id")

    def get_serializer_context(self):
        # One query for the matrix, whatever the page size.
        return {**super().get_serializer_context(), "contacts": selectors.escalation_contacts_by_level()}

    @extend_schema(request=AcknowledgeSerializer, responses=EscalationSerializer)
    # The service checks the acknowledge permission (staff who run the work), not model permissions.
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def acknowledge(self, request, pk=None):
        """Acknowledge a breach (who, when, note): it stays at its level until its item is resolved.
        409 when someone acknowledged it first."""
        escalation = self.get_object()
        body = AcknowledgeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.escalation_acknowledge(by=request.user, escalation=escalation, note=body.validated_data["note"])
        return Response(self.get_serializer(self.get_queryset().get(pk=escalation.pk)).data)
