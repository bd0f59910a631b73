"""/api/v1/drift/ and /api/v1/reconciliation-runs/ (#15), scoped like everything else: a partner
user's token sees only its own customers' drift; another partner's row is a 404."""

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.api import ScopedReadViewSet
from customers.selectors import change_summary, group_changes

from . import services
from .choices import Aspect, DriftState, Platform, RunTrigger
from .filters import DriftFilter
from .models import Drift, ReconciliationRun
from .repairs import fix_for


class RepairSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    summary = serializers.CharField()


class DriftSerializer(serializers.ModelSerializer):
    """One difference between our record of a customer and a platform: `ours` and `theirs` have the
    same shape (`theirs` null when the platform has none). `repair_steps` are the build steps a
    repair re-runs for it; `by_hand` what only a person can do (C2, a group gone, ...)."""

    group = serializers.CharField(source="group.group_id", help_text="The customer's group ID.")
    partner = serializers.CharField(source="group.partner.partner_id")
    platform = serializers.ChoiceField(choices=Platform.choices)
    aspect = serializers.ChoiceField(choices=Aspect.choices)
    aspect_label = serializers.CharField(source="get_aspect_display")
    state = serializers.ChoiceField(choices=DriftState.choices)
    ours = serializers.JSONField()
    theirs = serializers.JSONField(allow_null=True)
    repair = serializers.SerializerMethodField()
    repair_steps = serializers.SerializerMethodField()
    by_hand = serializers.SerializerMethodField()

    class Meta:
        model = Drift
        fields = [
            "id",
            "group",
            "partner",
            "platform",
            "aspect",
            "aspect_label",
            "rule",
            "state",
            "ours",
            "theirs",
            "first_seen_at",
            "last_seen_at",
            "resolved_at",
            "repair",
            "repair_steps",
            "by_hand",
        ]

    @extend_schema_field(RepairSerializer(allow_null=True))
    def get_repair(self, drift):
        change = drift.repair
        return None if change is None else {"id": change.pk, "status": change.status, "summary": change.summary}

    def _fix(self, drift):
        # Worked out once per drift for both fields (a list page shows many).
        if getattr(drift, "_fix", None) is None:
            drift._fix = fix_for(drift)
        return drift._fix

    def get_repair_steps(self, drift) -> list[str]:
        return self._fix(drift).steps if drift.resolved_at is None else []

    def get_by_hand(self, drift) -> list[str]:
        return self._fix(drift).by_hand if drift.resolved_at is None else []


class RepairResultSerializer(serializers.Serializer):
    """The change queued to repair the customer, as /customer-groups/{id}/changes/ shows it."""

    change = serializers.DictField(help_text="The change (as in customer-groups/{id}/changes/).")
    generated_passwords = serializers.DictField(
        child=serializers.CharField(), help_text="Admins created again: user ID -> new password, shown this once."
    )


class DriftViewSet(ScopedReadViewSet):
    """Drift found by reconciliation. Filters: ?state=open&platform=akixi&partner=ACME01&group_id=…&rule=K4"""

    queryset = Drift.objects.select_related("group__partner", "repair").order_by("-last_seen_at", "-id")
    serializer_class = DriftSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = DriftFilter

    @extend_schema(request=None, responses={201: RepairResultSerializer})
    @action(detail=True, methods=["post"], url_path="repair")
    def repair(self, request, pk=None):
        """Repair the drift's customer: one change on its build engine re-running the idempotent steps
        that restore every open drift of the customer a step can fix (409 while another build or
        change of it is open; 400 with what a person must do when no step can fix any). The drift
        resolves at the next reconciliation that finds both sides equal."""
        drift = self.get_object()
        change = services.drift_repair(by=request.user, group=drift.group)
        shown = change_summary(group_changes(drift.group).get(pk=change.pk))
        return Response({"change": shown, "generated_passwords": change.generated_passwords}, status=201)


class RunSerializer(serializers.ModelSerializer):
    partner = serializers.CharField(source="partner.partner_id", allow_null=True, default=None)
    group = serializers.CharField(source="group.group_id", allow_null=True, default=None)
    trigger = serializers.ChoiceField(choices=RunTrigger.choices)
    not_checked = serializers.DictField(child=serializers.IntegerField(), help_text="Platform -> customers.")
    errors = serializers.ListField(child=serializers.DictField(), help_text="[{group, platform, error}]")

    class Meta:
        model = ReconciliationRun
        fields = [
            "id",
            "trigger",
            "partner",
            "group",
            "started_at",
            "finished_at",
            "groups_checked",
            "drift_new",
            "drift_still",
            "drift_resolved",
            "not_checked",
            "error_count",
            "errors",
        ]


class ReconciliationRunViewSet(ScopedReadViewSet):
    """Reconciliation runs: when, over which customers, what they found, what they could not check
    (staff)."""

    queryset = ReconciliationRun.objects.select_related("partner", "group")
    serializer_class = RunSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        if not self.request.user.is_staff_member:
            raise PermissionDenied("Reconciliation runs are for provisioning staff.")
        return super().get_queryset()
