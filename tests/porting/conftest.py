import pytest


@pytest.fixture(autouse=True)
def porting_rules(db):
    """The seeded rules (the data migration's rows do not survive a transactional test's flush)."""
    from porting.rules import load_porting_rules

    load_porting_rules()
