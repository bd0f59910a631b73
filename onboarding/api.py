from django.db.models import Prefetch
from django.utils import timezone
from django_fsm_log.models import StateLog
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.api import ScopedReadViewSet
from accounts.scoping import scope_for
from expoe_portal import bounds
from expoe_portal.api import (
    HistoryEntrySerializer,
    ModelPermissions,
    TransitionActions,
)
from partners.models import Partner

from . import partner_accounts, services
from .choices import SlaState
from .filters import OrderFilter
from .forms import TRANSITION_FORMS, transition_form
from .models import OnboardingAccount, OnboardingOrder, TrainingSession
from .selectors import onboarding_order_transitions, sla_state_expression

# --- Onboarding orders -----------------------------------------------------------------------


class OnboardingAccountSerializer(serializers.ModelSerializer):
    completed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = OnboardingAccount
        fields = ["platform", "status", "reference", "error", "completed_by", "completed_at"]


class TrainingSessionSerializer(serializers.ModelSerializer):
    trainer = serializers.SlugRelatedField(slug_field="username", read_only=True)
    notes = serializers.SerializerMethodField(help_text="Internal notes are never shown to partner users.")

    class Meta:
        model = TrainingSession
        fields = ["platform", "held_on", "trainer", "notes", "notes_for_partner"]

    def get_notes(self, session) -> str:
        return session.notes_for(self.context["request"].user)


class OnboardingOrderSerializer(serializers.ModelSerializer):
    partner = serializers.SlugRelatedField(slug_field="partner_id", queryset=Partner.objects.all())
    coordinator = serializers.SlugRelatedField(slug_field="username", read_only=True)
    trainer = serializers.SlugRelatedField(slug_field="username", read_only=True)
    sla_state = serializers.ChoiceField(choices=SlaState.choices, read_only=True)
    history = serializers.SerializerMethodField()
    accounts = OnboardingAccountSerializer(many=True, read_only=True)
    training = TrainingSessionSerializer(many=True, read_only=True, source="training_sessions")
    note = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=bounds.NOTE)

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
        extra_kwargs = {"signed_order_received_at": {"validators": [bounds.sane_date]}}

    @extend_schema_field(HistoryEntrySerializer(many=True))
    def get_history(self, order):
        from .selectors import onboarding_order_history

        user = self.context["request"].user
        return HistoryEntrySerializer(onboarding_order_history(order=order, user=user), many=True).data

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


@extend_schema_view(
    transitions=extend_schema(responses=TransitionSerializer(many=True)),
    run_transition=extend_schema(request=dict, responses=OnboardingOrderSerializer),
)
class OnboardingOrderViewSet(TransitionActions, mixins.CreateModelMixin, ScopedReadViewSet):
    """Onboarding orders (O1-O6). Administrators log signed orders; each role runs its transitions."""

    queryset = OnboardingOrder.objects.select_related("partner", "coordinator", "trainer").prefetch_related(
        Prefetch("accounts", queryset=OnboardingAccount.objects.select_related("completed_by")),
        Prefetch("training_sessions", queryset=TrainingSession.objects.select_related("trainer")),
        Prefetch("state_logs", queryset=StateLog.objects.select_related("by", "shared_note")),
    )
    serializer_class = OnboardingOrderSerializer
    permission_classes = [ModelPermissions]
    filterset_class = OrderFilter

    def get_queryset(self):
        return super().get_queryset().annotate(sla=sla_state_expression(timezone.now()))

    transition_names = tuple(TRANSITION_FORMS)
    transition_noun = "an onboarding order"

    def transitions_for(self, instance, user):
        return TransitionSerializer(onboarding_order_transitions(order=instance, user=user), many=True).data

    def transition_fields(self, instance, name, data):
        # The same fields, read by the same form, as the transition's form on the order page.
        form = transition_form(name, instance, data, prefixed=False)
        if not form.is_valid():
            raise serializers.ValidationError(
                {field: [e["message"] for e in errors] for field, errors in form.errors.get_json_data().items()}
            )
        return form.cleaned_data

    def transition_run(self, *, by, instance, name, data, expected_status):
        return services.onboarding_order_transition(
            by=by, order=instance, name=name, data=data, expected_status=expected_status
        )

    @extend_schema(request=None, responses={202: OnboardingOrderSerializer})
    @action(detail=True, methods=["post"], url_path="accounts/create", permission_classes=[IsAuthenticated])
    def accounts_create(self, request, pk=None):
        """O2: the order's co-ordinator queues the creation of the partner's accounts on the
        platforms, as the order page's button does (202: each account's status shows its progress)."""
        order = self.get_object()
        partner_accounts.accounts_provision_start(by=request.user, order=order)
        return Response(self.get_serializer(self.get_queryset().get(pk=order.pk)).data, status=202)

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
        services.onboarding_account_record(
            by=request.user, order=order, platform=platform, reference=serializer.validated_data["reference"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=order.pk)).data)


# --- Numbers (N1, N2) ------------------------------------------------------------------------


# --- Customer groups: the build request ------------------------------------------------------
