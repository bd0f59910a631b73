"""Reads cached under a data version (expoe_portal.cache): a committed change is read at once, and
a version the cache lost never brings an older entry back."""

import itertools
import threading
import time

import pytest
from django.core.cache import cache

from expoe_portal import cache as shared_cache
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


def in_thread(work):
    """work() in another thread (another request); its result, once joined."""
    results: list = []
    thread = threading.Thread(target=lambda: results.append(work()))
    thread.start()
    return thread, results


def test_a_missing_entry_is_counted_once_and_those_arriving_meanwhile_wait_for_it():
    counting, release = threading.Event(), threading.Event()

    def count():
        counting.set()
        assert release.wait(10)
        return "counted"

    def not_counted():
        pytest.fail("counted a second time while another request was counting the same figures")

    first, first_result = in_thread(lambda: cached_read("things", "all of them", count, seconds=60))
    assert counting.wait(10)
    second, second_result = in_thread(lambda: cached_read("things", "all of them", not_counted, seconds=60))
    second.join(0.2)
    assert second.is_alive(), "answered before the figures it waits for were counted"
    release.set()
    first.join(10)
    second.join(10)
    assert first_result == second_result == ["counted"]


def test_when_the_counting_request_fails_the_waiting_one_counts_for_itself_at_once(monkeypatch):
    monkeypatch.setattr(shared_cache, "WAIT_FOR_ANOTHER_COUNT", 30.0)
    counting, release = threading.Event(), threading.Event()

    def count_and_fail():
        counting.set()
        assert release.wait(10)
        raise RuntimeError("the database went away")

    def failing_request():
        with pytest.raises(RuntimeError):
            cached_read("things", "all of them", count_and_fail, seconds=60)
        return "failed"

    first, first_result = in_thread(failing_request)
    assert counting.wait(10)
    second, second_result = in_thread(lambda: cached_read("things", "all of them", lambda: "counted", seconds=60))
    release.set()
    first.join(10)
    second.join(5)  # well before the 30 s it would wait for a count still under way
    assert not second.is_alive()
    assert first_result == ["failed"]
    assert second_result == ["counted"]


def test_a_request_stuck_counting_holds_the_others_up_no_longer_than_the_wait(monkeypatch):
    monkeypatch.setattr(shared_cache, "WAIT_FOR_ANOTHER_COUNT", 0.3)
    counting, release = threading.Event(), threading.Event()

    def stuck():
        counting.set()
        assert release.wait(10)
        return "late"

    first, _ = in_thread(lambda: cached_read("things", "all of them", stuck, seconds=60))
    try:
        assert counting.wait(10)
        waited = time.monotonic()
        assert cached_read("things", "all of them", lambda: "counted", seconds=60) == "counted"
        assert time.monotonic() - waited >= 0.3, "did not wait for the count under way"
    finally:
        release.set()
        first.join(10)
