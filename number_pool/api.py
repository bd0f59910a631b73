"""/api/v1/numbers/ and /api/v1/number-ranges/: the number pool (N1)."""

from rest_framework import generics, serializers

from accounts.api import ScopedReadViewSet
from expoe_portal import bounds
from expoe_portal.api import ModelPermissions
from partners.models import Partner

from . import services
from .filters import NumberFilter
from .models import Number
from .parsing import parse_number, parse_range


class NumberSerializer(serializers.ModelSerializer):
    partner = serializers.SlugRelatedField(slug_field="partner_id", read_only=True)
    customer_group = serializers.SlugRelatedField(slug_field="group_id", read_only=True)

    class Meta:
        model = Number
        fields = ["id", "e164", "partner", "customer_group", "status"]


class NumberViewSet(ScopedReadViewSet):
    """The numbers a user may see: staff every pool, a partner user their own (N1)."""

    queryset = Number.objects.select_related("partner", "customer_group").order_by("e164")
    serializer_class = NumberSerializer
    permission_classes = [ModelPermissions]
    filterset_class = NumberFilter


class NumberRangeSerializer(serializers.Serializer):
    partner = serializers.SlugRelatedField(slug_field="partner_id", queryset=Partner.objects.all())
    first = serializers.CharField(max_length=bounds.NUMBER_ENTRY, help_text="E.164 or UK national format.")
    last = serializers.CharField(
        required=False, max_length=bounds.NUMBER_ENTRY, help_text="The range's last number; omit for one number."
    )
    count = serializers.IntegerField(read_only=True)

    def validate(self, attrs):
        from django.core.exceptions import ValidationError as DjangoValidationError

        errors = {}
        for field in ("first", "last"):
            if attrs.get(field):
                try:
                    parse_number(attrs[field])
                except DjangoValidationError as exc:
                    errors[field] = exc.messages
        if not errors:
            try:  # both ends read; what is left is how they relate (order, kind, size)
                attrs["numbers"] = parse_range(attrs["first"], attrs.get("last") or attrs["first"])
            except DjangoValidationError as exc:
                errors["last"] = exc.messages
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class NumberRangeView(generics.CreateAPIView):
    """POST {"partner", "first", "last"}: every number of the range joins the partner's pool (staff only, N1).

    All or nothing: a range that overlaps numbers already in any pool is refused, naming them."""

    serializer_class = NumberRangeSerializer

    def perform_create(self, serializer):
        data = serializer.validated_data
        count = services.numbers_add(by=self.request.user, partner=data["partner"], numbers=data["numbers"])
        serializer.instance = {
            "partner": data["partner"],
            "first": data["numbers"][0],
            "last": data["numbers"][-1],
            "count": count,
        }
