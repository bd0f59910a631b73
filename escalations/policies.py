"""The SLA policies the portal starts with (E2). Managers tune them afterwards; loading again
creates only missing ones and never undoes an edit (as the escalation matrix does, decision 5)."""

from django.conf import settings

from .choices import SlaClock

# Stage -> (hours allowed in it, at-risk hours before that). O1 covers "received".
STAGE_DEFAULTS = {
    "confirmed": ("Co-ordinator assigned after confirmation", 24, 6),
    "coordinator_assigned": ("Partner accounts created", 120, 24),
    "accounts_created": ("Kickoff arranged", 72, 24),
    "kickoff_arranged": ("Training started", 336, 48),
    "training": ("Training finished and live", 504, 72),
}


def default_policies() -> list[dict]:
    policies = [
        {
            "key": "O1-order-confirmation",
            "name": "Order confirmation",
            "rule": "O1",
            "source": "order_confirmation",
            "description": "From the signed order's arrival until the order is confirmed or cancelled; "
            "due at the order's own confirmation deadline (48 hours, fixed when the order is logged).",
            "clock": SlaClock.ITEM_DEADLINE,
            "target": None,
            "at_risk_hours": settings.ONBOARDING_SLA_AT_RISK_HOURS,
            "breach_start_level": 0,
            "climb_every_hours": 12,
        }
    ]
    for position, (stage, (name, hours, at_risk)) in enumerate(STAGE_DEFAULTS.items(), start=10):
        policies.append(
            {
                "key": f"stage-{stage.replace('_', '-')}",
                "name": name,
                "rule": "E2",
                "source": "onboarding_stage",
                "source_arg": stage,
                "description": f"From the moment the order enters “{stage.replace('_', ' ')}” until it leaves "
                "that stage (on hold or cancelled stops the clock).",
                "clock": SlaClock.CALENDAR_HOURS,
                "target": hours,
                "at_risk_hours": at_risk,
                "breach_start_level": 0,
                "climb_every_hours": 24,
                "position": position,
            }
        )
    policies.append(
        {
            "key": "build-failed-or-stuck",
            "name": "Customer build finished",
            "rule": "G6",
            "source": "customer_build",
            "description": "From the build's first start (a retry does not restart it) while it is queued, "
            "running or failed; stops when it succeeds or is cancelled.",
            "clock": SlaClock.CALENDAR_HOURS,
            "target": 4,
            "at_risk_hours": 1,
            "breach_start_level": 0,
            "climb_every_hours": 4,
            "position": 20,
        }
    )
    policies.append(
        {
            "key": "drift-breaks-a-rule",
            "name": "Platform drift that breaks a rule put right",
            "rule": "K4",
            "source": "rule_breaking_drift",
            "description": "From the nightly reconciliation's first sight of drift that breaks a rule (an Akixi "
            "user with more than the customer's own partition; a Call Cabinet customer that is not "
            "Essential) until a later reconciliation finds it put right.",
            "clock": SlaClock.CALENDAR_HOURS,
            "target": 24,
            "at_risk_hours": 8,
            "breach_start_level": 0,
            "climb_every_hours": 24,
            "position": 21,
        }
    )
    policies += [
        {
            "key": "port-acceptance",
            "name": "Port accepted or rejected by the losing provider",
            "rule": "P1",
            "source": "port_acceptance",
            "description": "From the latest submission (a resubmission restarts it) until the losing "
            "provider accepts or rejects, or the port is cancelled; counted in working days of the number's "
            "country and nation.",
            "clock": SlaClock.WORKING_DAYS,
            "target": 2,
            "at_risk_hours": 4,
            "breach_start_level": 0,
            "climb_every_hours": 24,
            "position": 30,
        },
        {
            "key": "port-rejected-twice",
            "name": "Port rejected twice",
            "rule": "E2",
            "source": "port_rejected_twice",
            "description": "A port the losing provider has rejected twice goes up the matrix at once: due at "
            "the second rejection (since the latest cancellation by the losing provider, if any); stops "
            "when the port is accepted, completed or cancelled.",
            "clock": SlaClock.ITEM_DEADLINE,
            "target": None,
            "at_risk_hours": 0,
            "breach_start_level": 1,
            "climb_every_hours": 48,
            "position": 32,
        },
        {
            "key": "port-date",
            "name": "Port completed by its port date",
            "rule": "P4",
            "source": "port_date",
            "description": "From acceptance until the port is completed or cancelled; due at the end of the "
            "port date (UK time).",
            "clock": SlaClock.ITEM_DEADLINE,
            "target": None,
            "at_risk_hours": 24,
            "breach_start_level": 1,
            "climb_every_hours": 12,
            "position": 31,
        },
    ]
    return policies
