"""Shared helpers for the escalation tests: run the evaluator at a moment, read what it made."""

import time_machine

from escalations.models import Escalation, SlaPolicy
from escalations.selectors import escalation_list
from escalations.services import escalation_evaluate


def evaluate_at(moment, captured=None):
    """Run the evaluator with the clock stopped at `moment`; its emails are sent (tests run tasks
    eagerly) once the transaction commits, as in production."""
    with time_machine.travel(moment, tick=False):
        if captured is None:
            return escalation_evaluate()
        with captured(execute=True):
            return escalation_evaluate()


def open_escalation(policy_key, subject_id):
    return Escalation.objects.get(policy__key=policy_key, subject_id=subject_id, closed_at__isnull=True)


def state_and_level(user, policy_key, subject_id, moment):
    """The state as the dashboard and API read it (SQL, at `moment`) and the model agrees; the level reached."""
    with time_machine.travel(moment, tick=False):
        row = escalation_list(user=user).get(policy__key=policy_key, subject_id=subject_id, closed_at__isnull=True)
        assert row.live_state == row.state_at(moment), "the SQL state must agree with the model's"
        return row.live_state, row.level


def policy(key) -> SlaPolicy:
    return SlaPolicy.objects.get(key=key)
