"""Reads cached under a data version (expoe_portal.cache): a committed change is read at once, and
a version the cache lost never brings an older entry back."""

import itertools

import pytest
from django.core.cache import cache

from expoe_portal.cache import cached_read, data_changed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_change_is_read_once_it_commits_and_never_before(django_capture_on_commit_callbacks):
    reads = itertools.count(1)

    def read():
        return cached_read("things", "all of them", lambda: next(reads), seconds=60)

    assert read() == read() == 1
    with django_capture_on_commit_callbacks(execute=True):
        data_changed("things")
        assert read() == 1  # not committed yet: others still read what was
    assert read() == read() == 2
    assert cached_read("things", "some of them", lambda: next(reads), seconds=60) == 3  # another key
    data_changed("other things")
    assert read() == 2


def test_a_lost_version_starts_past_every_version_used(django_capture_on_commit_callbacks):
    reads = itertools.count(1)

    def read():
        return cached_read("things", "all of them", lambda: next(reads), seconds=60)

    assert read() == 1
    with django_capture_on_commit_callbacks(execute=True):
        data_changed("things")
    assert read() == 2
    cache.delete("data-version:things")  # evicted, or a cache restarted without it
    assert read() == 3
