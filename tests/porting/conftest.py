import pytest


@pytest.fixture(autouse=True)
def porting_rules(db):
    """The seeded rules (the data migration's rows do not survive a transactional test's flush)."""
    from porting.rules import load_porting_rules

    load_porting_rules()


@pytest.fixture(autouse=True)
def fresh_cache():
    """The dashboard caches its figures: no test reads another's (tests roll back their changes
    without the commit that would bump the data version)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
