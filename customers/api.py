"""/api/v1/customer-groups/: customer groups, their build requests and their builds (API.md)."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.views.decorators.debug import sensitive_variables
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.api import ScopedViewSet
from accounts.scoping import scope_for
from expoe_portal import bounds
from expoe_portal.api import ModelPermissions
from number_pool.models import Number
from number_pool.parsing import expand_entries, parse_entry
from partners.models import Partner

from . import builds, services
from . import changes as customer_changes
from .build_request import build_plan
from .change_forms import change_form
from .change_kinds import KINDS as CHANGE_KINDS
from .choices import BuildKind
from .filters import CustomerGroupFilter
from .models import CustomerGroup, ServiceBuild
from .selectors import build_summary, change_summary, group_changes


class VoicePortalSerializer(serializers.Serializer):
    number = serializers.CharField(required=False, allow_blank=True, default="", max_length=bounds.NUMBER_ENTRY)
    extension = serializers.CharField(required=False, allow_blank=True, default="", max_length=6)
    external_dial_in = serializers.BooleanField(required=False, default=False)


class GroupAdminSerializer(serializers.Serializer):
    first_name = serializers.CharField(allow_blank=True, max_length=64)
    last_name = serializers.CharField(allow_blank=True, max_length=64)
    user_id = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=161, help_text="Default firstname.surname@domain"
    )
    password = serializers.CharField(
        required=False,
        max_length=bounds.PASSWORD,
        allow_blank=True,
        default="",
        write_only=True,
        style={"input_type": "password"},
        help_text="Leave blank to have one generated; it is returned once, in this response only.",
    )


class AkixiUserSerializer(serializers.Serializer):
    username = serializers.CharField(allow_blank=True, max_length=120)
    full_name = serializers.CharField(allow_blank=True, max_length=200)
    email = serializers.CharField(allow_blank=True, max_length=bounds.EMAIL)


class AkixiSerializer(serializers.Serializer):
    licence = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=64, help_text="Blank: not licensed."
    )
    users = AkixiUserSerializer(many=True, required=False, default=list)


class CallCabinetSerializer(serializers.Serializer):
    admin_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    admin_email = serializers.CharField(required=False, allow_blank=True, default="", max_length=bounds.EMAIL)


class PlanStepSerializer(serializers.Serializer):
    platform = serializers.CharField()
    operation = serializers.CharField()
    detail = serializers.CharField()
    steps = serializers.ListField(
        child=serializers.CharField(), help_text="The build steps that perform it (their names in `build.steps`)."
    )


class BuildStatusSerializer(serializers.Serializer):
    status = serializers.CharField()
    progress = serializers.IntegerField()
    steps = serializers.ListField(child=serializers.DictField())


class ChangeSerializer(BuildStatusSerializer):
    """A change to a built customer (#15): a run of steps like its build, with what it changes."""

    id = serializers.IntegerField()
    change = serializers.ChoiceField(choices=[*CHANGE_KINDS, "repair"])
    summary = serializers.CharField()
    numbers = serializers.ListField(child=serializers.CharField(), help_text="E.164: the numbers it adds or takes off.")
    details = serializers.DictField(
        help_text="What the change names (numbers, administrators, users, settings before it)."
    )
    error = serializers.CharField(help_text="Why it stopped, when it failed.")
    requested_by = serializers.CharField(allow_null=True)
    queued_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    generated_passwords = serializers.DictField(
        child=serializers.CharField(),
        required=False,
        help_text="Only in the response that started an administrator's change with no password: "
        "{user_id: password}, once.",
    )


NUMBER_CHANGES = ("add_numbers", "remove_numbers")


class ChangeRequestSerializer(serializers.Serializer):
    """One change; the fields its kind takes (others are ignored). Every rule of the build request is
    checked on the customer as the change would leave it."""

    change = serializers.ChoiceField(
        choices=list(CHANGE_KINDS),
        help_text="add_numbers, remove_numbers (N1, N2): `numbers`. business_profile (B1): `number`, "
        "`present_as_caller_id`. voice_portal (V1, V2): `number`, `extension`, `external_dial_in`. add_admin (A1, "
        "A2): `first_name`, `last_name`, `user_id` (default firstname.surname@domain), `password` (blank: generated, "
        "returned once). remove_admins: `user_ids`. add_akixi_user (K4): `username`, `full_name`, `email`. "
        "remove_akixi_users: `usernames`. akixi_sync (K3): nothing. callcabinet_admin (C5): `admin_name`, "
        "`admin_email`. decommission (staff only): `confirm_group_id`, the group ID typed again.",
    )
    numbers = serializers.ListField(
        child=serializers.CharField(max_length=bounds.NUMBER_ENTRY),
        required=False,
        max_length=bounds.numbers_per_request(),
        error_messages=bounds.numbers_list_errors(),
        help_text="E.164 numbers, or ranges written first - last.",
    )
    number = serializers.CharField(required=False, allow_blank=True, max_length=bounds.NUMBER_ENTRY)
    present_as_caller_id = serializers.BooleanField(required=False)
    extension = serializers.CharField(required=False, allow_blank=True, max_length=6)
    external_dial_in = serializers.BooleanField(required=False)
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=64)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=64)
    user_id = serializers.CharField(required=False, allow_blank=True, max_length=161)
    password = serializers.CharField(
        required=False, allow_blank=True, write_only=True, style={"input_type": "password"}, max_length=bounds.PASSWORD
    )
    user_ids = serializers.ListField(child=serializers.CharField(max_length=161), required=False, max_length=1_000)
    username = serializers.CharField(required=False, allow_blank=True, max_length=120)
    full_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    email = serializers.CharField(required=False, allow_blank=True, max_length=bounds.EMAIL)
    usernames = serializers.ListField(child=serializers.CharField(max_length=120), required=False, max_length=1_000)
    admin_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    admin_email = serializers.CharField(required=False, allow_blank=True, max_length=bounds.EMAIL)
    confirm_group_id = serializers.CharField(required=False, allow_blank=True, max_length=bounds.LINE)

    def validate(self, attrs):
        if attrs["change"] in NUMBER_CHANGES:
            if not attrs.get("numbers"):
                raise serializers.ValidationError({"numbers": ["This field is required."]})
            try:
                attrs["numbers"] = expand_entries(attrs["numbers"], parse_entry, lambda index, entry: f"“{entry}”")
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"numbers": exc.messages}) from exc
        return attrs


class CustomerGroupSerializer(serializers.Serializer):
    """One end customer's build request. Every rule is checked by the service; errors come back
    in the request's own shape ({"voice_portal": {"number": [...]}, "admins": [{}, {...}]})."""

    id = serializers.IntegerField(read_only=True)
    partner = serializers.SlugRelatedField(slug_field="partner_id", queryset=Partner.objects.all())
    group_id = serializers.CharField(allow_blank=True, max_length=bounds.LINE)  # the service names G3 past 30
    name = serializers.CharField(allow_blank=True, max_length=200)
    domain = serializers.CharField(allow_blank=True, max_length=64)
    extension_length = serializers.IntegerField(required=False, default=4)
    numbers = serializers.ListField(
        child=serializers.CharField(max_length=bounds.NUMBER_ENTRY),
        allow_empty=True,
        max_length=bounds.numbers_per_request(),
        error_messages=bounds.numbers_list_errors(),
    )
    business_profile_number = serializers.CharField(allow_blank=True, max_length=bounds.NUMBER_ENTRY)
    present_group_number_as_clid = serializers.BooleanField(
        required=False, default=False, help_text="B1: users present the business profile number as their caller ID."
    )
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
        services.admin_passwords_shown(by=self.context["request"].user, user_ids=generated)  # in this reply (A2)
        return group

    def update(self, group, validated):
        if validated.get("partner") and validated["partner"].pk != group.partner_id:
            raise serializers.ValidationError({"partner": ["A customer group cannot move to another partner."]})
        group, generated = services.customer_group_update(
            by=self.context["request"].user, group=group, data=self._as_request(validated)
        )
        self.context["generated_passwords"] = generated
        services.admin_passwords_shown(by=self.context["request"].user, user_ids=generated)  # in this reply (A2)
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


class ManualConfirmationSerializer(serializers.Serializer):
    reference = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=200,
        help_text="What the platform showed, where the step has one.",
    )


class CallCabinetConfirmationSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=100, help_text="The customer reference Call Cabinet showed.")


class CustomerGroupViewSet(ScopedViewSet):
    """Customer groups and their build requests. Partner users see and request their own
    partner's (once live, O6); a request can change only while it is a draft."""

    queryset = CustomerGroup.objects.select_related("partner").prefetch_related(
        Prefetch("numbers", queryset=Number.objects.order_by("e164")),
        "admins",
        "akixi_users",
        # The `build` object is the first build's: its changes' steps are read at `changes/` only.
        Prefetch("builds", queryset=ServiceBuild.objects.filter(kind=BuildKind.BUILD).prefetch_related("steps")),
    )
    serializer_class = CustomerGroupSerializer
    permission_classes = [ModelPermissions]
    # The list page's filters (API.md: named after fields): ?partner=ACME01&group_id=…&build=failed
    filterset_class = CustomerGroupFilter
    http_method_names = ["get", "post", "put", "head", "options"]

    @extend_schema(request=None, responses=BuildStartSerializer)
    @action(detail=True, methods=["post"], url_path="build", permission_classes=[IsAuthenticated])
    def build(self, request, pk=None):
        """Start the build, or retry a failed one from its failed step. A draft request is confirmed
        first (review its plan at `plan/`); from then on it is built, not edited. Pressing it while
        the build is queued, running or done changes nothing, unless nothing live moves it (its
        next step is due and no worker has it): then it is queued again (`outcome`: `requeued`)."""
        group = self.get_object()
        _build, outcome = builds.build_start(by=request.user, group=group)
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
        builds.build_confirm_manual_step(by=request.user, group=group, reference=body.validated_data["reference"])
        return Response(self.get_serializer(self.get_queryset().get(pk=group.pk)).data)

    @extend_schema(request=ManualConfirmationSerializer, responses=CustomerGroupSerializer)
    @action(detail=True, methods=["post"], url_path="manual-confirmation", permission_classes=[IsAuthenticated])
    def manual_confirmation(self, request, pk=None):
        """A platform in manual mode: an EXPO.e co-ordinator confirms the step waiting on them (Call
        Cabinet's Essential customer, C2-C5; Akixi's partition, K2-K3, or reporting users, K4),
        with the reference the platform showed where the step has one."""
        group = self.get_object()
        body = ManualConfirmationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        builds.build_confirm_manual_step(by=request.user, group=group, reference=body.validated_data["reference"])
        return Response(self.get_serializer(self.get_queryset().get(pk=group.pk)).data)

    @extend_schema(methods=["GET"], request=None, responses=ChangeSerializer(many=True))
    @extend_schema(methods=["POST"], request=ChangeRequestSerializer, responses={201: ChangeSerializer})
    @action(detail=True, methods=["get", "post"], url_path="changes", permission_classes=[IsAuthenticated])
    def changes(self, request, pk=None):
        """Changes to the customer after its build (#15), newest first (paginated). POST starts one
        (`change` says which; see its fields), checked with every rule of the build request, run like
        the build, one change at a time (409 while another is open); `summary`, `status` and
        `progress` follow it. Partner users make every change to their own partner's customers but
        decommissioning, which is EXPO.e staff's."""
        group = self.get_object()
        if request.method == "POST":
            kind, values = self._change_values(group)
            change = customer_changes.change_start(by=request.user, group=group, change=kind, values=values)
            shown = {"generated_passwords": change.generated_passwords} if change.generated_passwords else {}
            return Response({**change_summary(group_changes(group).get(pk=change.pk)), **shown}, status=201)
        page = self.paginate_queryset(group_changes(group))
        return self.get_paginated_response([change_summary(c) for c in page])

    @sensitive_variables("body", "form")
    def _change_values(self, group) -> tuple[str, dict]:
        """The change's kind and values, checked by the same form as its page (errors: a 400 by field)."""
        body = ChangeRequestSerializer(data=self.request.data)
        body.is_valid(raise_exception=True)
        change = body.validated_data["change"]
        if not customer_changes.may_make(self.request.user, group, change):
            raise PermissionDenied("You cannot make this change to this customer.")
        if change in NUMBER_CHANGES:
            return change, {"numbers": body.validated_data["numbers"]}
        form = change_form(change, group, {k: v for k, v in self.request.data.items() if k != "change"})
        if not form.is_valid():
            raise serializers.ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
        return change, dict(form.cleaned_data)

    @extend_schema(request=None, responses=ChangeSerializer, operation_id="customer_groups_changes_act")
    @action(
        detail=True,
        methods=["post"],
        url_path=r"changes/(?P<change_id>[0-9]+)/(?P<act>retry|cancel|confirm)",
        permission_classes=[IsAuthenticated],
    )
    def change_act(self, request, pk=None, change_id=None, act=None):
        """A failed change: `retry` runs it again from its failed step; `cancel` gives it up and puts
        our records back as before it (what a platform already did stays, in its call log); 409
        unless it failed. A change waiting for a step done by hand (a platform in manual mode, its
        step's `error` says what to do): `confirm` (EXPO.e staff) says it is done, and it carries on."""
        group = self.get_object()
        change = get_object_or_404(group_changes(group), pk=change_id)
        customer_changes.CHANGE_ACTIONS[act](by=request.user, change=change)
        return Response(change_summary(group_changes(group).get(pk=change.pk)))

    @extend_schema(responses=PlanStepSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="plan", pagination_class=None)
    def plan(self, request, pk=None):
        """Every operation the build will perform, in order, per platform."""
        return Response(build_plan(self.get_object()))
