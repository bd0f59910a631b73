"""The port lead-time dashboard: figures aggregated in the database, SVG charts, a query count that
does not grow with the number of requests (P4, P5, P7)."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from porting.choices import PortStatus
from porting.dashboard import percentiles, port_dashboard
from porting.models import PortRejection, PortRequest

from .walk import port_in_state, run

pytestmark = pytest.mark.django_db


def _bulk(world, n, **fields):
    PortRequest.objects.bulk_create(
        PortRequest(partner=world.partner_a, country="GB", region="ENG", losing_provider="BT", **fields)
        for _ in range(n)
    )


def test_percentiles_interpolate_like_percentile_cont(world):
    # Days 1..10: median 5.5; p90 = 1 + 0.9 * 9 = position 9.1 -> 9 + 0.1 * (10 - 9) = 9.1.
    for days in range(1, 11):
        _bulk(world, 1, status=PortStatus.ACCEPTED, acceptance_days=days)
    _bulk(world, 3, status=PortStatus.DRAFT)  # no acceptance yet: not counted
    result = percentiles(PortRequest.objects.all(), "acceptance_days", [0.5, 0.9])
    assert result[0.5] == pytest.approx(5.5) and result[0.9] == pytest.approx(9.1)
    one = percentiles(PortRequest.objects.filter(acceptance_days=4), "acceptance_days", [0.5, 0.9])
    assert one == {0.5: pytest.approx(4), 0.9: pytest.approx(4)}
    assert percentiles(PortRequest.objects.none(), "acceptance_days", [0.5]) == {0.5: None}


def test_percentiles_are_postgresqls_percentile_cont():
    """Counted per value and interpolated here: the very figures percentile_cont gives, at many
    positions, over values with ties and gaps."""
    from tests.services import require_postgresql

    require_postgresql()
    import random

    from partners.models import Partner

    partner = Partner.objects.create(partner_id="PCT01", name="Percentiles")
    rng = random.Random(14)  # noqa: S311
    PortRequest.objects.bulk_create(
        PortRequest(partner=partner, country="GB", region="ENG", acceptance_days=rng.choice([0, 1, 1, 2, 3, 5, 8, 40]))
        for _ in range(997)
    )
    ps = [0.0, 0.1, 0.25, 0.5, 0.9, 0.95, 0.999, 1.0]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT "
            + ", ".join(f"percentile_cont({p}) WITHIN GROUP (ORDER BY acceptance_days)" for p in ps)
            + " FROM porting_portrequest WHERE acceptance_days IS NOT NULL"
        )
        expected = cursor.fetchone()
    found = percentiles(PortRequest.objects.all(), "acceptance_days", ps)
    assert [found[p] for p in ps] == pytest.approx(list(expected))


def test_reasons_count_only_the_rejections_of_the_requests_shown(world):
    """Every request's rejections are counted without the join; a filter or a partner's scope
    counts its own requests' rejections only."""
    mine = port_in_state(world, PortStatus.REJECTED)
    PortRejection.objects.create(port_request=mine, code="other", reason="again")
    theirs = PortRequest.objects.create(
        partner=world.partner_b, country="GB", region="ENG", status=PortStatus.REJECTED, rejection_count=2
    )
    for code in ("postcode_mismatch", "other"):
        PortRejection.objects.create(port_request=theirs, code=code, reason="theirs")

    def reasons(requests):
        return {r["code"]: r["n"] for r in port_dashboard(requests)["top_reasons"]}

    assert reasons(PortRequest.objects.all()) == {"postcode_mismatch": 2, "other": 2}
    assert reasons(PortRequest.objects.filter(partner=world.partner_a)) == {"postcode_mismatch": 1, "other": 1}
    assert reasons(PortRequest.objects.none()) == {}


def test_dashboard_figures(world):
    _bulk(
        world,
        2,
        status=PortStatus.ACCEPTED,
        acceptance_days=2,
        submission_count=1,
        port_date=timezone.localdate() + timedelta(days=40),
    )
    _bulk(
        world,
        1,
        status=PortStatus.COMPLETED,
        acceptance_days=6,
        submission_count=2,
        lead_time_working_days=22,
        completion_working_days=22,
    )
    _bulk(
        world,
        1,
        status=PortStatus.COMPLETED,
        acceptance_days=10,
        submission_count=1,
        lead_time_working_days=22,
        completion_working_days=25,
    )
    soon = port_in_state(world, PortStatus.ACCEPTED, losing_provider="Virgin Media")
    PortRequest.objects.filter(pk=soon.pk).update(port_date=timezone.localdate() + timedelta(days=1))
    rejected = port_in_state(
        world,
        PortStatus.REJECTED,
        country="DE",
        region="",
        losing_provider="Telekom",
        numbers=["+49 30 901822"],
        main_billing_number="+49 30 901822",
    )
    # A second rejection of the same request, and the count the reject transition keeps beside it.
    PortRejection.objects.create(port_request=rejected, code="other", reason="again")
    PortRequest.objects.filter(pk=rejected.pk).update(rejection_count=F("rejection_count") + 1)
    data = port_dashboard(PortRequest.objects.all())
    assert data["totals"]["total"] == 6
    assert {s: n for _, s, n in data["by_status"]}["completed"] == 2
    # acceptance days: 2, 2, 6, 10 and the real acceptance today (0): sorted 0 2 2 6 10.
    assert data["acceptance_median"] == pytest.approx(2)
    assert data["acceptance_p90"] == pytest.approx(6 + 0.6 * 4)
    assert data["totals"]["completed_count"] == 2 and data["totals"]["completed_on_time"] == 1
    assert data["totals"]["avg_completion_working_days"] == pytest.approx(23.5)
    # 2 rejections over 1+1 + 2 + 1 + 1 + 1 = 7 submissions.
    assert data["rejections"] == 2 and data["rejection_rate"] == pytest.approx(2 / 7)
    assert [(r["code"], r["n"]) for r in data["top_reasons"]] == [("other", 1), ("postcode_mismatch", 1)]
    assert [p.pk for p in data["due_soon"]] == [soon.pk] and [p.pk for p in data["in_window"]] == [soon.pk]
    providers = {row["losing_provider"]: row for row in data["by_losing_provider"]}
    assert providers["BT"]["total"] == 4 and providers["Telekom"]["rejections"] == 2
    assert {row["country"]: row["total"] for row in data["by_country"]} == {"GB": 5, "DE": 1}


def test_dashboard_page_draws_svg_and_filters(client, world):
    port_in_state(world, PortStatus.REJECTED)
    client.force_login(world.user(Role.MANAGER))
    page = client.get(reverse("porting:dashboard")).content.decode()
    assert page.count("<svg") == 4 and "<script>" not in page.split("<main")[1]
    assert "Postcode mismatch" in page
    filtered = client.get(reverse("porting:dashboard"), {"country": "DE"}).content.decode()
    assert 'data-testid="rejection-rate">—' in filtered
    # The losing-provider filter offers the providers the figures name, as the managers' list spells them.
    offered = page.split('<datalist id="losing-providers">')[1].split("</datalist>")[0]
    assert '<option value="BT">' in offered


def _dashboard_queries(client, *, cached=False):
    client.get(reverse("porting:dashboard"))  # warm the session and permission caches
    if not cached:
        cache.clear()  # count the figures' queries, not the cache's copy of them
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("porting:dashboard")).status_code == 200
    return len(queries.captured_queries)


# session, user, 2 permission lookups, countries (form + calendars), totals, the acceptance days
# counted for the percentiles, reasons, 2 lists, the breakdowns (one pass on PostgreSQL, one each
# on SQLite), and the session save (update in a savepoint).
DASHBOARD_QUERIES = 15 if connection.vendor == "postgresql" else 16
# From the cache: session, user, 2 permission lookups, the countries of the form, the session save.
CACHED_DASHBOARD_QUERIES = 8


def test_dashboard_query_count_does_not_grow_with_requests(client, world):
    client.force_login(world.user(Role.MANAGER))
    port_in_state(world, PortStatus.ACCEPTED)
    one = _dashboard_queries(client)
    for state in (PortStatus.REJECTED, PortStatus.COMPLETED, PortStatus.SUBMITTED):
        for _ in range(4):
            port_in_state(world, state)
    _bulk(world, 50, status=PortStatus.ACCEPTED, acceptance_days=3, port_date=timezone.localdate() + timedelta(days=1))
    many = _dashboard_queries(client)
    assert one == many == DASHBOARD_QUERIES
    assert _dashboard_queries(client, cached=True) == CACHED_DASHBOARD_QUERIES


def test_a_change_shows_on_the_dashboard_at_once(client, world, django_capture_on_commit_callbacks):
    """(The second figure of a provider's row is its number count, issue #18.) The figures are
    cached, but every use case that changes a request bumps the data version
    once it commits, so the next page shows the change; an unchanged page is served from the cache."""
    client.force_login(world.user(Role.MANAGER))
    port_request = port_in_state(world, PortStatus.SUBMITTED)

    def figures():
        page = client.get(reverse("porting:dashboard")).content.decode()
        rate = re.search(r'data-testid="rejection-rate">([^<]*)<', page).group(1)
        provider = re.search(r'data-testid="by-provider">.*?<tbody>(.*?)</tbody>', page, re.S).group(1)
        return rate, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", provider)).strip()

    assert figures() == ("0%", "BT 1 4 1 0 0 —")
    # Behind the services' back nothing bumps the version: the cached page stays as it was...
    PortRequest.objects.filter(pk=port_request.pk).update(losing_provider="Virgin Media")
    assert figures() == ("0%", "BT 1 4 1 0 0 —")
    PortRequest.objects.filter(pk=port_request.pk).update(losing_provider="BT")
    # ...and a rejection recorded by its use case shows as soon as it commits.
    with django_capture_on_commit_callbacks(execute=True):
        run(world, port_request, "reject")
    assert figures() == ("100%", "BT 1 4 1 0 1 —")
    with django_capture_on_commit_callbacks(execute=True):
        run(world, port_request, "resubmit", role=Role.PARTNER_USER)
        run(world, port_request, "accept")
    assert figures() == ("50%", "BT 1 4 1 0 1 0 calendar days")


def test_the_cache_keeps_scopes_and_filters_apart(client, world):
    """The cache key is the filtered, scoped query: one filter's figures never answer another's."""
    port_in_state(world, PortStatus.SUBMITTED)
    port_in_state(world, PortStatus.DRAFT, partner=world.partner_b)
    client.force_login(world.user(Role.MANAGER))

    def total(**params):
        page = client.get(reverse("porting:dashboard"), params).content.decode()
        return int(re.search(r'Requests</div><div class="fs-3">(\d+)<', page).group(1))

    assert (total(), total(partner="ACME01"), total(partner="BETA02"), total()) == (2, 1, 1, 2)


def test_breakdowns_count_each_request_once_however_often_it_was_rejected(world):
    """Averages per request: a request rejected three times weighs as much as one never rejected."""
    _bulk(world, 1, status=PortStatus.ACCEPTED, acceptance_days=2, rejection_count=3)
    _bulk(world, 1, status=PortStatus.ACCEPTED, acceptance_days=10)
    rejected = PortRequest.objects.get(rejection_count=3)
    PortRejection.objects.bulk_create(PortRejection(port_request=rejected, code="other") for _ in range(3))
    data = port_dashboard(PortRequest.objects.all())
    [row] = data["by_losing_provider"]
    assert (row["total"], row["open"], row["rejections"], row["avg_acceptance_days"]) == (2, 2, 3, 6)


def test_the_breakdowns_from_one_pass_are_the_grouped_queries_figures(world):
    """PostgreSQL counts both breakdowns in one pass (GROUPING SETS): the same rows, the same order,
    as one grouped query each, ties and an empty provider included."""
    from porting.dashboard import breakdown, breakdowns_in_one_pass
    from porting.models import PortRequest
    from tests.services import require_postgresql

    require_postgresql()
    for n, (provider, status) in enumerate(
        [("BT", PortStatus.SUBMITTED), ("BT", PortStatus.COMPLETED), ("Sky", PortStatus.ACCEPTED)]
        + [("Virgin Media", PortStatus.DRAFT), ("", PortStatus.CANCELLED), ("Gamma", PortStatus.REJECTED)]
    ):
        port = port_in_state(world, status, losing_provider=provider)
        PortRequest.objects.filter(pk=port.pk).update(acceptance_days=n if n % 2 else None)
    PortRequest.objects.filter(losing_provider="Sky").update(country="DE", rejection_count=2)
    queryset = PortRequest.objects.all()
    assert breakdowns_in_one_pass(queryset) == (breakdown(queryset, "losing_provider"), breakdown(queryset, "country"))
    assert breakdowns_in_one_pass(PortRequest.objects.none()) == ([], [])
