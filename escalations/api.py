from rest_framework import mixins, serializers, viewsets

from expoe_portal.api import E164Field, ModelPermissions, ScopedQuerysetMixin

from . import services
from .models import EscalationContact


class EscalationContactSerializer(serializers.ModelSerializer):
    phone = E164Field(max_length=32, help_text="E.164; UK national formats are accepted.")

    class Meta:
        model = EscalationContact
        fields = ["id", "level", "role", "name", "phone", "email"]
        read_only_fields = ["id", "level"]

    def update(self, instance, validated_data):
        return services.escalation_contact_update(by=self.context["request"].user, contact=instance, **validated_data)


class EscalationContactViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The escalation matrix (E1). Everyone signed in reads it; managers edit it."""

    queryset = EscalationContact.objects.order_by("level")
    serializer_class = EscalationContactSerializer
    permission_classes = [ModelPermissions]
    filterset_fields = ["level"]
