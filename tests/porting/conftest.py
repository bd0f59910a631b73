import pytest


@pytest.fixture(autouse=True)
def fresh_cache():
    """The dashboard caches its figures: no test reads another's (tests roll back their changes
    without the commit that would bump the data version)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
