from django.db.models import Prefetch
from django.utils import timezone
from django_fsm_log.models import StateLog
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.scoping import scope_for
from expoe_portal.api import Conflict, E164Field, ModelPermissions, ScopedQuerysetMixin, TransitionNotAllowed

from . import builds, services
from .build_request import build_plan
from .choices import OnboardingStatus, SlaState
from .filters import NumberFilter, OrderFilter, PartnerFilter
from .forms import TRANSITION_FORMS, transition_form
from .group_forms import CustomerGroupFilter
from .models import (
    CustomerGroup,
    Number,
    OnboardingAccount,
    OnboardingOrder,
    Partner,
    PartnerContact,
    TrainingSession,
)
from .number_parsing import parse_number, parse_range
from .selectors import build_summary, onboarding_order_transitions, partner_list, sla_state_expression


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

    @extend_schema_field(serializers.ChoiceField(choices=OnboardingStatus.choices))
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


class PartnerViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Partners. Staff create and edit; a partner user reads only their own partner."""

    queryset = Partner.objects.all()
    serializer_class = PartnerSerializer
    permission_classes = [ModelPermissions]
    filterset_class = PartnerFilter

    def get_queryset(self):
        return partner_list(user=self.request.user).prefetch_related("contacts").order_by("partner_id")


# --- Onboarding orders -----------------------------------------------------------------------


class HistoryEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField(source="timestamp")
    by = serializers.CharField(source="by.username", default=None)
    transition = serializers.CharField()
    # "from" is a Python keyword, so these two are named in to_representation.
    note = serializers.CharField(source="description", default=None)

    def to_representation(self, entry):
        data = super().to_representation(entry)
        return {
            "at": data["at"],
            "by": data["by"],
            "from": entry.source_state,
            "to": entry.state,
            "transition": data["transition"],
            "note": data["note"],
        }


class OnboardingAccountSerializer(serializers.ModelSerializer):
    completed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = OnboardingAccount
        fields = ["platform", "status", "reference", "error", "completed_by", "completed_at"]


class TrainingSessionSerializer(serializers.ModelSerializer):
    trainer = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = TrainingSession
        fields = ["platform", "held_on", "trainer", "notes"]


class OnboardingOrderSerializer(serializers.ModelSerializer):
    partner = serializers.SlugRelatedField(slug_field="partner_id", queryset=Partner.objects.all())
    coordinator = serializers.SlugRelatedField(slug_field="username", read_only=True)
    trainer = serializers.SlugRelatedField(slug_field="username", read_only=True)
    sla_state = serializers.ChoiceField(choices=SlaState.choices, read_only=True)
    history = serializers.SerializerMethodField()
    accounts = OnboardingAccountSerializer(many=True, read_only=True)
    training = TrainingSessionSerializer(many=True, read_only=True, source="training_sessions")
    note = serializers.CharField(write_only=True, required=False, allow_blank=True)

    class Meta:
        model = OnboardingOrder
        fields = [
            "id",
            "partner",
            "status",
            "signed_order_received_at",
            "confirmation_due_at",
            "confirmed_at",
            "coordinator",
            "trainer",
            "kickoff_at",
            "sla_state",
            "history",
            "accounts",
            "training",
            "went_live_at",
            "held_from",
            "hold_reason",
            "cancelled_at",
            "cancel_reason",
            "note",
        ]
        read_only_fields = [f for f in fields if f not in ("partner", "signed_order_received_at", "note")]

    @extend_schema_field(HistoryEntrySerializer(many=True))
    def get_history(self, order):
        from .selectors import onboarding_order_history

        return HistoryEntrySerializer(onboarding_order_history(order=order), many=True).data

    def validate_partner(self, partner):
        # The partner must be one the caller can see; another partner's ID reads as unknown.
        if not scope_for(self.context["request"].user, Partner.objects.filter(pk=partner.pk)).exists():
            raise serializers.ValidationError(f"Object with partner_id={partner.partner_id} does not exist.")
        return partner

    def create(self, validated_data):
        return services.onboarding_order_create(by=self.context["request"].user, **validated_data)


class AccountRecordSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=120, help_text="The account's ID on the platform.")


class TransitionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    blocked = serializers.CharField(help_text="What the transition still waits for; empty when it can run.")


class OnboardingOrderViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Onboarding orders (O1-O6). Administrators log signed orders; each role runs its transitions."""

    queryset = OnboardingOrder.objects.select_related("partner", "coordinator", "trainer").prefetch_related(
        Prefetch("accounts", queryset=OnboardingAccount.objects.select_related("completed_by")),
        Prefetch("training_sessions", queryset=TrainingSession.objects.select_related("trainer")),
        Prefetch("state_logs", queryset=StateLog.objects.select_related("by")),
    )
    serializer_class = OnboardingOrderSerializer
    permission_classes = [ModelPermissions]
    filterset_class = OrderFilter

    def get_queryset(self):
        return super().get_queryset().annotate(sla=sla_state_expression(timezone.now()))

    @extend_schema(responses=TransitionSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="transitions")
    def transitions(self, request, pk=None):
        """The transitions the caller may run now."""
        order = self.get_object()
        rows = onboarding_order_transitions(order=order, user=request.user)
        return Response(TransitionSerializer(rows, many=True).data)

    @extend_schema(request=dict, responses=OnboardingOrderSerializer)
    # The service decides who may run what (roles and ownership, O1-O6), not model permissions.
    @action(
        detail=True,
        methods=["post"],
        url_path=r"transitions/(?P<name>[a-z_]+)",
        permission_classes=[IsAuthenticated],
    )
    def run_transition(self, request, pk=None, name=None):
        """Run one transition with its fields (the same fields as its form on the order page).

        `expected_status` (optional): the status the caller last saw; 409 if it has changed."""
        order = self.get_object()
        if name not in TRANSITION_FORMS:
            raise NotFound(f"“{name}” is not a transition of an onboarding order.")
        form = transition_form(name, order, request.data, prefixed=False)
        if not form.is_valid():
            raise serializers.ValidationError(
                {field: [e["message"] for e in errors] for field, errors in form.errors.get_json_data().items()}
            )
        data = dict(form.cleaned_data)
        expected = data.pop("expected_status", None)
        try:
            order = services.onboarding_order_transition(
                by=request.user, order=order, name=name, data=data, expected_status=expected
            )
        except services.OrderConflict as exc:
            raise Conflict(str(exc)) from exc
        except services.TransitionRefused as exc:
            raise TransitionNotAllowed(str(exc)) from exc
        return Response(self.get_serializer(self.get_queryset().get(pk=order.pk)).data)

    @extend_schema(request=AccountRecordSerializer, responses=OnboardingOrderSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path=r"accounts/(?P<platform>[a-z_]+)",
        permission_classes=[IsAuthenticated],
    )
    def record_account(self, request, pk=None, platform=None):
        """O2: the order's co-ordinator records one partner account (with its reference) as created."""
        order = self.get_object()
        serializer = AccountRecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.onboarding_account_record(
                by=request.user,
                order=order,
                platform=platform,
                reference=serializer.validated_data["reference"],
            )
        except services.TransitionRefused as exc:
            raise TransitionNotAllowed(str(exc)) from exc
        return Response(self.get_serializer(self.get_queryset().get(pk=order.pk)).data)


# --- Numbers (N1, N2) ------------------------------------------------------------------------


class NumberSerializer(serializers.ModelSerializer):
    partner = serializers.SlugRelatedField(slug_field="partner_id", read_only=True)
    customer_group = serializers.SlugRelatedField(slug_field="group_id", read_only=True)

    class Meta:
        model = Number
        fields = ["id", "e164", "partner", "customer_group", "status"]


class NumberViewSet(ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The numbers a user may see: staff every pool, a partner user their own (N1)."""

    queryset = Number.objects.select_related("partner", "customer_group").order_by("e164")
    serializer_class = NumberSerializer
    permission_classes = [ModelPermissions]
    filterset_class = NumberFilter


class NumberRangeSerializer(serializers.Serializer):
    partner = serializers.SlugRelatedField(slug_field="partner_id", queryset=Partner.objects.all())
    first = serializers.CharField(help_text="E.164 or UK national format.")
    last = serializers.CharField(required=False, help_text="The range's last number; omit for one number.")
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


# --- Customer groups: the build request ------------------------------------------------------


class VoicePortalSerializer(serializers.Serializer):
    number = serializers.CharField(required=False, allow_blank=True, default="")
    extension = serializers.CharField(required=False, allow_blank=True, default="")
    external_dial_in = serializers.BooleanField(required=False, default=False)


class GroupAdminSerializer(serializers.Serializer):
    first_name = serializers.CharField(allow_blank=True)
    last_name = serializers.CharField(allow_blank=True)
    user_id = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Default firstname.surname@domain"
    )
    password = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        write_only=True,
        style={"input_type": "password"},
        help_text="Leave blank to have one generated; it is returned once, in this response only.",
    )


class AkixiUserSerializer(serializers.Serializer):
    username = serializers.CharField(allow_blank=True)
    full_name = serializers.CharField(allow_blank=True)
    email = serializers.CharField(allow_blank=True)


class AkixiSerializer(serializers.Serializer):
    licence = serializers.CharField(required=False, allow_blank=True, default="", help_text="Blank: not licensed.")
    users = AkixiUserSerializer(many=True, required=False, default=list)


class CallCabinetSerializer(serializers.Serializer):
    admin_name = serializers.CharField(required=False, allow_blank=True, default="")
    admin_email = serializers.CharField(required=False, allow_blank=True, default="")


class PlanStepSerializer(serializers.Serializer):
    platform = serializers.CharField()
    operation = serializers.CharField()
    detail = serializers.CharField()


class BuildStatusSerializer(serializers.Serializer):
    status = serializers.CharField()
    progress = serializers.IntegerField()
    steps = serializers.ListField(child=serializers.DictField())


class CustomerGroupSerializer(serializers.Serializer):
    """One end customer's build request. Every rule is checked by the service; errors come back
    in the request's own shape ({"voice_portal": {"number": [...]}, "admins": [{}, {...}]})."""

    id = serializers.IntegerField(read_only=True)
    partner = serializers.SlugRelatedField(slug_field="partner_id", queryset=Partner.objects.all())
    group_id = serializers.CharField(allow_blank=True)
    name = serializers.CharField(allow_blank=True)
    domain = serializers.CharField(allow_blank=True)
    extension_length = serializers.IntegerField(required=False, default=4)
    numbers = serializers.ListField(child=serializers.CharField(), allow_empty=True)
    business_profile_number = serializers.CharField(allow_blank=True)
    voice_portal = VoicePortalSerializer()
    admins = GroupAdminSerializer(many=True, allow_empty=True)
    akixi = AkixiSerializer(required=False)
    callcabinet = CallCabinetSerializer(required=False)
    build = serializers.SerializerMethodField()
    generated_passwords = serializers.SerializerMethodField(
        help_text="Only in the response that generated them: {user_id: password}. Never shown again."
    )

    def validate_partner(self, partner):
        if not scope_for(self.context["request"].user, Partner.objects.filter(pk=partner.pk)).exists():
            raise serializers.ValidationError(f"Object with partner_id={partner.partner_id} does not exist.")
        return partner

    @extend_schema_field(BuildStatusSerializer)
    def get_build(self, group):
        return build_summary(group)

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_generated_passwords(self, group):
        return self.context.get("generated_passwords", {})

    def to_representation(self, group):
        request = services.customer_group_as_request(group)
        for admin in request["admins"]:
            admin.pop("password")
        return {
            "id": group.pk,
            "partner": group.partner.partner_id,
            **request,
            "build": self.get_build(group),
            "generated_passwords": self.get_generated_passwords(group),
        }

    def _as_request(self, validated):
        data = {key: value for key, value in validated.items() if key != "partner"}
        data.setdefault("akixi", {"licence": "", "users": []})
        data.setdefault("callcabinet", {"admin_name": "", "admin_email": ""})
        return data

    def create(self, validated):
        group, generated = services.customer_group_create(
            by=self.context["request"].user, partner=validated["partner"], data=self._as_request(validated)
        )
        self.context["generated_passwords"] = generated
        return group

    def update(self, group, validated):
        if validated.get("partner") and validated["partner"].pk != group.partner_id:
            raise serializers.ValidationError({"partner": ["A customer group cannot move to another partner."]})
        group, generated = services.customer_group_update(
            by=self.context["request"].user, group=group, data=self._as_request(validated)
        )
        self.context["generated_passwords"] = generated
        return group


class BuildStartSerializer(CustomerGroupSerializer):
    """The customer group after pressing Build, with what the press did."""

    outcome = serializers.ChoiceField(
        choices=[outcome.value for outcome in builds.StartOutcome],
        read_only=True,
        help_text="queued (confirmed and started), retrying (from the failed step), requeued (it had "
        "stopped: its next step was due and no worker had it), unchanged (under way or done).",
    )
    detail = serializers.CharField(read_only=True, help_text="The same, in words.")

    def to_representation(self, group):
        outcome = self.context["outcome"]
        return {**super().to_representation(group), "outcome": outcome.value, "detail": outcome.describe(group)}


class CallCabinetConfirmationSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=100, help_text="The customer reference Call Cabinet showed.")


class CustomerGroupViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Customer groups and their build requests. Partner users see and request their own
    partner's (once live, O6); a request can change only while it is a draft."""

    queryset = CustomerGroup.objects.select_related("partner", "build").prefetch_related(
        Prefetch("numbers", queryset=Number.objects.order_by("e164")), "admins", "akixi_users", "build__steps"
    )
    serializer_class = CustomerGroupSerializer
    permission_classes = [ModelPermissions]
    # The list page's filters (API.md: named after fields): ?partner=ACME01&group_id=…&build=failed
    filterset_class = CustomerGroupFilter
    http_method_names = ["get", "post", "put", "head", "options"]

    def perform_update(self, serializer):
        try:
            serializer.save()
        except services.TransitionRefused as exc:
            raise Conflict(str(exc)) from exc

    @extend_schema(request=None, responses=BuildStartSerializer)
    @action(detail=True, methods=["post"], url_path="build", permission_classes=[IsAuthenticated])
    def build(self, request, pk=None):
        """Start the build, or retry a failed one from its failed step. A draft request is confirmed
        first (review its plan at `plan/`); from then on it is built, not edited. Pressing it while
        the build is queued, running or done changes nothing, unless nothing live moves it (its
        next step is due and no worker has it): then it is queued again (`outcome`: `requeued`)."""
        group = self.get_object()
        try:
            _build, outcome = builds.build_start(by=request.user, group=group)
        except builds.BuildConflict as exc:
            raise Conflict(str(exc)) from exc
        group = self.get_queryset().get(pk=group.pk)
        return Response(BuildStartSerializer(group, context={**self.get_serializer_context(), "outcome": outcome}).data)

    @extend_schema(request=CallCabinetConfirmationSerializer, responses=CustomerGroupSerializer)
    @action(detail=True, methods=["post"], url_path="callcabinet-confirmation", permission_classes=[IsAuthenticated])
    def callcabinet_confirmation(self, request, pk=None):
        """Call Cabinet in manual mode (C2-C5): an EXPO.e co-ordinator confirms the Essential customer
        they created by hand, with its customer reference; the waiting build step then completes."""
        group = self.get_object()
        body = CallCabinetConfirmationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            builds.build_confirm_manual_step(by=request.user, group=group, reference=body.validated_data["reference"])
        except builds.BuildConflict as exc:
            raise Conflict(str(exc)) from exc
        return Response(self.get_serializer(self.get_queryset().get(pk=group.pk)).data)

    @extend_schema(responses=PlanStepSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="plan")
    def plan(self, request, pk=None):
        """Every operation the build will perform, in order, per platform."""
        return Response(build_plan(self.get_object()))
