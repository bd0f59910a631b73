"""Drift that breaks a rule (K4, C2) is an escalation under a policy of its own (E2, #15)."""

from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.choices import Role
from escalations.models import Escalation, SlaPolicy
from escalations.services import escalation_evaluate
from reconciliation.models import Drift
from reconciliation.services import reconcile

pytestmark = pytest.mark.django_db


def test_K4_C2_rule_breaking_drift_is_an_escalation_under_its_own_policy_until_put_right(
    client, world, built, platforms
):
    policy = SlaPolicy.objects.get(key="drift-breaks-a-rule")
    assert policy.source == "rule_breaking_drift" and policy.target == 24
    platforms.broadworks.group_numbers_["AlphaWidgets"].remove("+442079460002")  # drift, but no rule broken
    reconcile()
    escalation_evaluate()
    assert not Escalation.objects.filter(policy=policy).exists()

    platforms.akixi.scope["alpha.reports"] = {"any_partition": True, "partition_ids": []}
    platforms.callcabinet.records["AlphaWidgets"]["customer_type"] = "Standard"
    reconcile()
    escalation_evaluate()
    escalation = Escalation.objects.get(policy=policy, closed_at__isnull=True)
    first_seen = Drift.objects.filter(group=built).exclude(rule="").values_list("first_seen_at", flat=True)[0]
    assert escalation.subject_type == "customer_group" and escalation.subject_id == built.pk
    assert escalation.subject_label == "Drift of AlphaWidgets (Alpha Widgets Ltd) breaks C2, K4"
    assert escalation.partner == world.partner_a and escalation.due_at == first_seen + timedelta(hours=24)
    assert escalation.subject_url == built.get_absolute_url()

    client.force_login(world.user(Role.MANAGER))
    page = client.get(reverse("escalations:dashboard"))
    assert b"Platform drift that breaks a rule put right" in page.content, "a row of its own"
    assert client.get(reverse("escalations:acknowledge", args=[escalation.pk])).status_code == 200
    listed = client.get("/api/v1/escalations/", {"policy": policy.key}).json()["results"]
    assert [e["subject"]["label"] for e in listed] == [escalation.subject_label]

    platforms.akixi.scope["alpha.reports"] = {"any_partition": False, "partition_ids": ["P-AlphaWidgets"]}
    platforms.callcabinet.records["AlphaWidgets"]["customer_type"] = "Essential"
    reconcile()
    escalation_evaluate()
    escalation.refresh_from_db()
    assert escalation.closed_at is not None and escalation.close_reason == "resolved"
