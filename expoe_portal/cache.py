"""Reads cached under a version of the data they read: a use case that changes the data bumps its
version once it commits, and every key made afterwards holds the new version, so the next read
computes afresh. The cache must be one that every process shares (settings: CACHES)."""

import hashlib
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from django.core.cache import cache
from django.db import transaction


def _version_key(data: str) -> str:
    return f"data-version:{data}"


def data_version(data: str) -> int:
    # A version that is missing (a fresh cache, or one that evicted it) starts at the clock, never
    # at a number already used, so an older entry can never be read as current.
    return cache.get_or_set(_version_key(data), time.time_ns, timeout=None)


def version_bump(data: str) -> None:
    """Now, not on commit: for a change already committed (and for benchmarks and tests)."""
    try:
        cache.incr(_version_key(data))
    except ValueError:  # no version yet: any new one is past every entry stored
        cache.set(_version_key(data), time.time_ns(), timeout=None)


def data_changed(data: str) -> None:
    """Call in a use case that changes `data`: once its transaction commits, every read cached
    under the current version is stale. Robust: a cache that is down never fails a use case that
    has committed (its entries then age out within their time limit)."""
    transaction.on_commit(partial(version_bump, data), robust=True)


# How long a request waits for another's count of an entry that is missing altogether before it
# counts the figures itself (that request may have died: its claim then lapses on its own).
WAIT_FOR_ANOTHER_COUNT = 10.0


def cached_read[T](data: str, what: Any, read: Callable[[], T], *, seconds: int) -> T:
    """read(), from the cache when the same `what` (its repr) was read since `data` last changed.

    An entry is fresh for `seconds` and kept for as long again: once it is past its time, the first
    request to find it reads afresh, and those arriving while it does are given the entry as it is.
    Without that, every user who came in the moment an entry aged out counted the same figures at
    once, each slowing the others (a dashboard's p95 under load, decision 114). When there is no
    entry at all (after a change, or unread for a while), one request counts and those arriving
    meanwhile wait for its figures (decision 115). A changed version makes a new key, so a change
    still shows at once."""
    fingerprint = hashlib.sha256(repr((what, data_version(data))).encode()).hexdigest()
    key = f"{data}:entry:{fingerprint}"  # (an entry with its freshness: not the plain values kept before)
    claim = f"{key}:refreshing"
    entry = cache.get(key)
    if entry is not None:
        value, fresh_until = entry
        if time.time() < fresh_until:
            return value
    # One counter per entry: the claim lapses by itself if that request dies.
    claimed = cache.add(claim, 1, seconds)
    if not claimed:
        if entry is not None:
            return entry[0]
        counted = _wait_for_count(key, claim)
        if counted is not None:
            return counted[0]
    try:
        value = read()
        cache.set(key, (value, time.time() + seconds), seconds * 2)
    finally:
        if claimed:  # also when read() failed: those waiting count for themselves at once
            cache.delete(claim)
    return value


def _wait_for_count(key: str, claim: str) -> tuple | None:
    """The entry another request is counting, once it is there; None when that request gave up
    (its claim is gone with no entry) or took longer than WAIT_FOR_ANOTHER_COUNT."""
    deadline = time.monotonic() + WAIT_FOR_ANOTHER_COUNT
    pause = 0.005
    while time.monotonic() < deadline:
        time.sleep(pause)
        pause = min(pause * 2, 0.05)
        found = cache.get_many([key, claim])
        if key in found:
            return found[key]
        if claim not in found:
            return None
    return None
