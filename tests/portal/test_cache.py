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


def test_an_entry_past_its_time_is_read_again_by_one_request_while_the_others_get_it_as_it_is(time_machine):
    def cached(read):
        return cached_read("things", "all of them", read, seconds=60)

    def not_read():
        pytest.fail("read again while the entry was fresh, or while another request was reading it")

    arrived_meanwhile = []

    def recount():  # slow: another request arrives while it runs
        arrived_meanwhile.append(cached(not_read))
        return "new"

    time_machine.move_to("2026-11-30 09:00:00+00:00", tick=False)
    assert cached(lambda: "old") == "old"
    time_machine.shift(59)
    assert cached(not_read) == "old"
    time_machine.shift(2)
    assert cached(recount) == "new"
    assert arrived_meanwhile == ["old"], "given the entry as it was, not held up and not reading it too"
    assert cached(not_read) == "new"
    time_machine.shift(121)
    assert cached(lambda: "newer") == "newer"  # kept no longer than twice its time
