"""/api/v1/port-requests/ as API.md names it: fields, statuses and transitions (P1-P7)."""

from django.db.models import Prefetch
from django.http import HttpResponse
from django_fsm_log.models import StateLog
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import negotiation, serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.api import ScopedViewSet
from accounts.scoping import scope_for
from customers.models import CustomerGroup
from expoe_portal import bounds
from expoe_portal.api import (
    HistoryEntrySerializer,
    ModelPermissions,
    TransitionActions,
)
from partners.models import Partner

from . import dates, documents, loa, services
from . import numbers as bulk
from .filters import PortRequestFilter
from .models import PortDateChange, PortDocument, PortRejection, PortRequest
from .selectors import port_request_history, port_request_transitions


class RejectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PortRejection
        fields = ["at", "code", "reason"]


class DateChangeSerializer(serializers.ModelSerializer):
    """P4 (#18): one change of the requested or the confirmed port date, with who and why."""

    by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = PortDateChange
        fields = ["field", "old", "new", "by", "at", "reason"]
        read_only_fields = fields


class ClearableDateField(serializers.DateField):
    """A date that may be cleared: JSON's null, or (a form-encoded body has no null) "" or "null"."""

    def to_internal_value(self, value):
        if value in ("", "null"):
            return None
        return super().to_internal_value(value)


class PortDateChangeRequestSerializer(serializers.Serializer):
    port_date = serializers.DateField(help_text="The carrier's new confirmed port date.", validators=[bounds.sane_date])
    reason = serializers.CharField(max_length=bounds.NOTE, help_text="Why the carrier moved it.")


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class NumbersField(serializers.Field):
    """E.164 numbers; input items may be numbers in national format or `{"first", "last"}` ranges."""

    def to_representation(self, value):
        return list(value)

    def to_internal_value(self, data):
        if not isinstance(data, list | str):
            raise serializers.ValidationError('Send a list of numbers and {"first", "last"} ranges.')
        if isinstance(data, str) and len(data) > bounds.numbers_text_length():
            raise serializers.ValidationError(bounds.too_many_numbers(None).messages)
        if isinstance(data, list) and len(data) > bounds.numbers_per_request():
            raise serializers.ValidationError(bounds.too_many_numbers(len(data), what="items").messages)
        return data  # parsed (and every bad entry named) by the service


class SignedLoaSerializer(serializers.ModelSerializer):
    """A signed letter of authority kept with the request (P3, P6); online signatures say who signed,
    when (UTC) and from which address, and who collected it."""

    collected_by = serializers.SlugRelatedField(source="uploaded_by", slug_field="username", read_only=True)
    signed_online = serializers.BooleanField(read_only=True)

    class Meta:
        model = PortDocument
        fields = [
            "id",
            "original_name",
            "uploaded_at",
            "collected_by",
            "signed_online",
            "signer_name",
            "signer_position",
            "signed_at",
            "signed_from",
        ]
        read_only_fields = fields


class LoaSignSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=bounds.LINE, help_text="The signer's full name, as they type it.")
    position = serializers.CharField(max_length=bounds.LINE, help_text="Their position at the end customer.")
    consent = serializers.BooleanField(help_text=f"True when the signer ticked: “{loa.LOA_CONSENT}”")


class AnswerPdfWhateverIsAccepted(negotiation.BaseContentNegotiation):
    """The letter's route answers a PDF (or an error in API.md's JSON) whatever Accept says, so a
    client asking for application/pdf is not refused with 406."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


# A request's progress and its end: set by its transitions, never written through the API.
PROGRESS_FIELDS = [
    "status",
    "submitted_at",
    "accepted_on",
    "lead_time_working_days",
    "lead_time_rule",
    "port_date",
    "rule_port_date",
    "slippage_working_days",
]
CLOSING_FIELDS = ["completed_on", "cancelled_at", "cancel_reason"]


class PortRequestSerializer(serializers.ModelSerializer):
    partner = serializers.SlugRelatedField(slug_field="partner_id", queryset=Partner.objects.all(), required=False)
    customer_group = serializers.SlugRelatedField(
        slug_field="group_id", queryset=CustomerGroup.objects.all(), required=False, allow_null=True
    )
    numbers = NumbersField(required=False)
    risks_acknowledged = serializers.BooleanField(required=False)
    requested_port_date = ClearableDateField(
        required=False,
        allow_null=True,
        validators=[bounds.sane_date],
        help_text="The port date the partner asks for (P4): a working day no earlier than the lead time allows.",
    )
    risks_acknowledged_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    rejections = RejectionSerializer(many=True, read_only=True)
    date_changes = DateChangeSerializer(many=True, read_only=True)
    history = serializers.SerializerMethodField()
    missing_for_submission = serializers.SerializerMethodField()
    letter_of_authority = serializers.SerializerMethodField()
    cancellation_deadline = serializers.DateTimeField(read_only=True, allow_null=True)
    # Issue #18: bulk ports and partial acceptance.
    number_count = serializers.IntegerField(read_only=True)
    parent = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="The request this one was split from (numbers refused at its acceptance)."
    )
    children = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Requests split from this one: the numbers refused at its acceptance."
    )
    range_holder_warnings = serializers.SerializerMethodField()

    class Meta:
        model = PortRequest
        fields = [
            "id",
            "partner",
            *services.EDITABLE_FIELDS,  # what the partner asks for; the rest is the request's progress
            "risks_acknowledged_by",
            "risks_acknowledged_at",
            *PROGRESS_FIELDS,
            "cancellation_deadline",
            *CLOSING_FIELDS,
            "rejections",
            "date_changes",
            "history",
            "missing_for_submission",
            "number_count",
            "parent",
            "children",
            "range_holder_warnings",
            "letter_of_authority",
        ]
        read_only_fields = [*PROGRESS_FIELDS, *CLOSING_FIELDS, "risks_acknowledged_at"]
        # Typed numbers ("0113 496 0000") are longer than the E.164 the service stores.
        # A provider's name from the managers' list (any case: stored as the list spells it), or any
        # other provider's name as free text.
        extra_kwargs = {
            "main_billing_number": {"max_length": 32},
            "losing_provider": {"help_text": "A provider on the providers' list (any case), or another's name."},
            "range_holder": {"help_text": "A provider on the providers' list (any case), or another's name."},
        }

    @extend_schema_field(HistoryEntrySerializer(many=True))
    def get_history(self, port_request):
        history = port_request_history(port_request=port_request, user=self._user())
        return HistoryEntrySerializer(history, many=True).data

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_missing_for_submission(self, port_request) -> dict:
        if port_request.status not in ("draft", "rejected"):
            return {}
        return services.missing_for_submission(port_request)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_range_holder_warnings(self, port_request) -> list:
        """Numbers the numbering data gives to another range holder: to check, not refused."""
        return bulk.range_holder_warnings(port_request)

    @extend_schema_field(SignedLoaSerializer(allow_null=True))
    def get_letter_of_authority(self, port_request):
        """The signed letter that still covers the request (null: none, or it was signed for other values)."""
        signed = loa.current_loa(port_request)
        return SignedLoaSerializer(signed).data if signed is not None else None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["risks_acknowledged"] = instance.risks_acknowledged
        return data

    def _user(self):
        return self.context["request"].user

    def validate_partner(self, partner):
        # Another partner's ID reads as unknown, exactly as a missing one does.
        if not scope_for(self._user(), Partner.objects.filter(pk=partner.pk)).exists():
            raise serializers.ValidationError(f"Object with partner_id={partner.partner_id} does not exist.")
        return partner

    def validate_customer_group(self, group):
        if group is not None and not scope_for(self._user(), CustomerGroup.objects.filter(pk=group.pk)).exists():
            raise serializers.ValidationError(f"Object with group_id={group.group_id} does not exist.")
        return group

    def create(self, validated_data):
        user = self._user()
        partner = validated_data.pop("partner", None)
        if partner is None:
            if not user.is_partner_user:
                raise serializers.ValidationError({"partner": ["This field is required."]})
            partner = user.partner
        return services.port_request_create(by=user, partner=partner, data=validated_data)

    def update(self, instance, validated_data):
        if "partner" in validated_data and validated_data.pop("partner") != instance.partner:
            raise serializers.ValidationError({"partner": ["A port request cannot move to another partner."]})
        return services.port_request_update(by=self._user(), port_request=instance, data=validated_data)


class PortTransitionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    rule = serializers.CharField()


class PortTransitionRequestSerializer(serializers.Serializer):
    """The union of every transition's fields (API.md); each transition reads its own."""

    note = serializers.CharField(required=False, allow_blank=True, max_length=bounds.NOTE)
    note_for_partner = serializers.BooleanField(
        required=False, default=False, help_text="Show the note to the partner; otherwise only EXPO.e staff read it."
    )
    expected_status = serializers.CharField(
        required=False, max_length=bounds.LINE, help_text="The status you last saw; 409 if it changed."
    )
    accepted_on = serializers.DateField(required=False, help_text="accept", validators=[bounds.sane_date])
    confirmed_port_date = serializers.DateField(
        required=False,
        help_text="accept: the carrier's confirmed port date; default the rule's",
        validators=[bounds.sane_date],
    )
    code = serializers.CharField(required=False, help_text="reject", max_length=32)
    reason = serializers.CharField(
        required=False, allow_blank=True, help_text="reject, cancel, cancel_by_losing_provider", max_length=bounds.NOTE
    )
    at = serializers.DateTimeField(
        required=False, help_text="cancel_by_losing_provider; default now", validators=[bounds.sane_date]
    )
    completed_on = serializers.DateField(required=False, help_text="complete", validators=[bounds.sane_date])
    refused_numbers = NumbersField(
        required=False, help_text="accept: the numbers the carrier refused; they move to a new child request."
    )
    refusal_reason = serializers.CharField(
        required=False, allow_blank=True, help_text="accept: why the carrier refused them.", max_length=bounds.NOTE
    )


@extend_schema_view(
    transitions=extend_schema(responses=PortTransitionSerializer(many=True)),
    run_transition=extend_schema(request=PortTransitionRequestSerializer, responses=PortRequestSerializer),
    letter_of_authority=extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The letter of authority pre-filled from the request, to sign."
            )
        }
    ),
    sign_letter_of_authority=extend_schema(
        request=LoaSignSerializer,
        responses={201: OpenApiResponse(SignedLoaSerializer, description="The signed letter, kept with the request.")},
    ),
)
class PortRequestViewSet(TransitionActions, ScopedViewSet):
    """Port requests (P1-P7). Partner users draft and submit their own; the team records carrier events."""

    queryset = PortRequest.objects.select_related(
        "partner", "customer_group", "risks_acknowledged_by"
    ).prefetch_related(
        "rejections",
        Prefetch("children", queryset=PortRequest.objects.only("pk", "parent_id")),
        Prefetch("documents", queryset=PortDocument.objects.select_related("uploaded_by")),
        Prefetch("date_changes", queryset=PortDateChange.objects.select_related("by")),
        Prefetch("state_logs", queryset=StateLog.objects.select_related("by", "shared_note")),
    )
    serializer_class = PortRequestSerializer
    permission_classes = [ModelPermissions]
    filterset_class = PortRequestFilter

    transition_names = tuple(services.PORT_TRANSITIONS)
    transition_noun = "a port request"

    def transitions_for(self, instance, user):
        return PortTransitionSerializer(port_request_transitions(port_request=instance, user=user), many=True).data

    def transition_fields(self, instance, name, data):
        fields = PortTransitionRequestSerializer(data=data)
        fields.is_valid(raise_exception=True)
        return fields.validated_data

    @extend_schema(request=PortDateChangeRequestSerializer, responses=PortRequestSerializer)
    @action(detail=True, methods=["post"], url_path="port-date", permission_classes=[IsAuthenticated])
    def port_date(self, request, pk=None):
        """The carrier moved the confirmed port date of an accepted port (P4): co-ordinators record
        the new date with the reason; the losing provider's 48 hours (P7) count from it."""
        port_request = self.get_object()
        body = PortDateChangeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        dates.port_date_change(by=request.user, port_request=port_request, **body.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=port_request.pk)).data)

    def transition_run(self, *, by, instance, name, data, expected_status):
        return services.port_request_transition(
            by=by, port_request=instance, name=name, data=data, expected_status=expected_status
        )

    @action(
        detail=True,
        methods=["get"],
        url_path="loa",
        content_negotiation_class=AnswerPdfWhateverIsAccepted,
        pagination_class=None,
        filter_backends=[],
    )
    def letter_of_authority(self, request, pk=None):
        """The letter of authority as a PDF, pre-filled from the request (P3, P6)."""
        port_request = self.get_object()
        response = HttpResponse(loa.loa_pdf(port_request), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="letter-of-authority-{port_request.pk}.pdf"'
        return response

    @action(detail=True, methods=["post"], url_path="loa/sign", filter_backends=[], pagination_class=None)
    def sign_letter_of_authority(self, request, pk=None):
        """The end customer signs the letter online (a draft or rejected request): name, position,
        consent; the time, the caller's address and the signed-in user are stamped into the kept PDF."""
        port_request = self.get_object()
        fields = LoaSignSerializer(data=request.data)
        fields.is_valid(raise_exception=True)
        signed = documents.loa_sign_online(
            by=request.user,
            port_request=port_request,
            address=request.META.get("REMOTE_ADDR", ""),
            **fields.validated_data,
        )
        return Response(SignedLoaSerializer(signed).data, status=status.HTTP_201_CREATED)
