"""Reconciliation's part of `seed_demo`: nothing to seed. The demo's customers are drafts until
someone builds one; the nightly run (or `manage.py reconcile`) then checks it on the simulators."""


def seed_reconciliation() -> list[str]:
    return []
