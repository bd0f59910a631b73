"""/api/v1/events/ and /api/v1/webhook-endpoints/ as API.md names them (#18)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api import ScopedQuerysetMixin, ScopedReadViewSet
from accounts.scoping import scope_for
from expoe_portal.api_schema import ErrorSerializer
from partners.models import Partner

from . import services
from .choices import ALL_EVENTS, EVENT_TYPES
from .filters import EventFilter
from .models import Event, WebhookDelivery, WebhookEndpoint


class EventObjectSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="onboarding_order, build or port_request")
    id = serializers.IntegerField()


class EventSerializer(serializers.ModelSerializer):
    partner = serializers.CharField(source="partner.partner_id", read_only=True)
    object = serializers.SerializerMethodField()
    data = serializers.DictField(
        read_only=True, help_text="The change: `from`, `to`, `transition`, and the object's key fields."
    )

    class Meta:
        model = Event
        fields = ["id", "at", "type", "partner", "object", "data"]
        read_only_fields = fields

    @extend_schema_field(EventObjectSerializer)
    def get_object(self, event):
        return {"type": event.object_type, "id": event.object_id}


class EventViewSet(ScopedReadViewSet):
    """What happened to your objects, oldest first: poll with `?since=<the last id you saw>`."""

    queryset = Event.objects.select_related("partner").order_by("id")
    serializer_class = EventSerializer
    filterset_class = EventFilter


EVENT_CHOICES = [ALL_EVENTS, *EVENT_TYPES]


class WebhookEndpointSerializer(serializers.ModelSerializer):
    partner = serializers.SlugRelatedField(
        slug_field="partner_id",
        queryset=Partner.objects.all(),
        required=False,
        help_text="Whose events it receives; a partner user's own partner unless said (staff must say).",
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_CHOICES),
        min_length=1,
        max_length=len(EVENT_CHOICES),
        help_text="The event types to receive, or `*` for all of them.",
    )
    url = serializers.CharField(max_length=500, help_text="Where events are POSTed: https:// on the internet.")

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "partner", "url", "events", "active", "created_at"]
        read_only_fields = ["id", "created_at"]

    def _user(self):
        return self.context["request"].user

    def validate_partner(self, partner):
        if not scope_for(self._user(), Partner.objects.filter(pk=partner.pk)).exists():
            raise serializers.ValidationError(f"Object with partner_id={partner.partner_id} does not exist.")
        return partner

    def create(self, validated_data):
        user = self._user()
        partner = validated_data.pop("partner", None)
        if partner is None:
            if not user.is_partner_user:
                raise serializers.ValidationError({"partner": ["This field is required."]})
            partner = user.partner
        endpoint, secret = services.webhook_endpoint_create(by=user, partner=partner, **validated_data)
        endpoint.secret = secret  # shown in this one answer (WebhookEndpointCreatedSerializer)
        return endpoint

    def update(self, instance, validated_data):
        if "partner" in validated_data and validated_data.pop("partner") != instance.partner:
            raise serializers.ValidationError({"partner": ["An endpoint cannot move to another partner."]})
        return services.webhook_endpoint_update(by=self._user(), endpoint=instance, **validated_data)


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="Signs every delivery (X-Expoe-Signature): shown this once, never again."
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    event = EventSerializer(read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = ["id", "event", "attempt", "status", "status_code", "error", "at", "next_attempt_at"]
        read_only_fields = fields


DELIVERY_PAGE = inline_serializer(
    "PaginatedWebhookDeliveryList",
    fields={
        "count": serializers.IntegerField(),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": WebhookDeliverySerializer(many=True),
    },
)
NOT_ALLOWED = OpenApiResponse(ErrorSerializer, description="Only the partner's own users and the provisioning team.")


@extend_schema_view(
    create=extend_schema(responses={201: WebhookEndpointCreatedSerializer, 403: NOT_ALLOWED}),
    update=extend_schema(responses={200: WebhookEndpointSerializer, 403: NOT_ALLOWED}),
    partial_update=extend_schema(responses={200: WebhookEndpointSerializer, 403: NOT_ALLOWED}),
    destroy=extend_schema(responses={204: OpenApiResponse(description="Removed."), 403: NOT_ALLOWED}),
)
class WebhookEndpointViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """A partner's HTTPS endpoints for the events it chose; the secret that signs their deliveries
    is shown once, in the answer that creates the endpoint."""

    queryset = WebhookEndpoint.objects.select_related("partner").order_by("id")
    serializer_class = WebhookEndpointSerializer

    def get_serializer_class(self):
        return WebhookEndpointCreatedSerializer if self.action == "create" else super().get_serializer_class()

    def perform_destroy(self, instance):
        services.webhook_endpoint_delete(by=self.request.user, endpoint=instance)

    @extend_schema(responses=DELIVERY_PAGE)
    @action(detail=True, methods=["get"], serializer_class=WebhookDeliverySerializer)
    def deliveries(self, request, pk=None):
        """Every attempt to deliver an event to this endpoint, newest first, with its answer's code."""
        endpoint = self.get_object()
        attempts = endpoint.deliveries.select_related("event__partner").order_by("-id")
        page = self.paginate_queryset(attempts)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(request=None, responses={201: WebhookDeliverySerializer, 403: NOT_ALLOWED})
    @action(
        detail=True,
        methods=["post"],
        url_path=r"deliveries/(?P<delivery_id>[0-9]+)/redeliver",
        serializer_class=WebhookDeliverySerializer,
    )
    def redeliver(self, request, pk=None, delivery_id=None):
        """Send the event of this delivery to the endpoint again now, as a new attempt."""
        endpoint = self.get_object()
        delivery = get_object_or_404(WebhookDelivery, pk=delivery_id, endpoint=endpoint)
        again = services.webhook_redeliver(by=request.user, delivery=delivery)
        return Response(WebhookDeliverySerializer(again).data, status=status.HTTP_201_CREATED)
