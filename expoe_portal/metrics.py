"""What Prometheus scrapes at `/metrics` (issue #14): request latency per view, builds and their
steps, platform calls, and the Celery queues' depth.

Every process of a host records into one place. With PROMETHEUS_MULTIPROC_DIR set in the
environment before the processes start (so that gunicorn's workers and Celery's pool children
inherit it), prometheus-client writes each process's values to files in that directory, and a
scrape adds them up, whichever web worker answers it. Without it (tests, `runserver`) a process
keeps its values in memory and a scrape shows that process's own.

Labels take bounded values only (a route's name, an operation's name, an outcome), never a path,
an ID or an argument: each distinct value is a time series Prometheus keeps.

Recording never breaks what it records: a failure to record is logged and forgotten.
"""

import glob
import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from functools import cache, wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseForbidden
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import REGISTRY, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

# The first observation of each process opens its file there; a missing directory would fail it.
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

REQUEST_DURATION = Histogram(
    "portal_request_duration_seconds",
    "Time Django took to answer a request, per view (route name), method and status class.",
    ["view", "method", "status"],
)
BUILD_DURATION = Histogram(
    "portal_build_duration_seconds",
    "A customer build from its start to its end, per outcome (its count is the number of builds).",
    ["outcome"],
    buckets=(1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, float("inf")),
)
STEP_DURATION = Histogram(
    "portal_build_step_duration_seconds",
    "One run of a build step, per step and outcome (its count is the number of runs).",
    ["step", "outcome"],
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, float("inf")),
)
PLATFORM_CALL_DURATION = Histogram(
    "portal_platform_call_duration_seconds",
    "One call to a platform (one ExternalCall row), per platform and operation, whatever its outcome.",
    ["platform", "operation"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, float("inf")),
)
PLATFORM_CALL_ERRORS = Counter(
    "portal_platform_call_errors",
    "Platform calls that failed, per platform, operation and kind (transient: retried; permanent: not).",
    ["platform", "operation", "kind"],
)

HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
ERROR_KINDS = frozenset({"transient", "permanent"})


def _never_raises[**P](record: Callable[P, None]) -> Callable[P, None]:
    @wraps(record)
    def recording(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            record(*args, **kwargs)
        except Exception:
            logger.exception("metrics: %s could not record", record.__name__)

    return recording


# --- What the rest of the portal calls ------------------------------------------------------------


@_never_raises
def observe_build(outcome: str, seconds: float) -> None:
    """A build ended (`outcome`: its final status, e.g. "succeeded", "failed", "cancelled") after
    `seconds` from its start."""
    BUILD_DURATION.labels(outcome=outcome).observe(max(seconds, 0.0))


@_never_raises
def observe_step(step: str, outcome: str, seconds: float) -> None:
    """One run of a build step ended (`step`: the step's name; `outcome`: how that run ended, e.g.
    "succeeded", "retrying", "failed", "waiting") after `seconds`."""
    STEP_DURATION.labels(step=step, outcome=outcome).observe(max(seconds, 0.0))


@_never_raises
def observe_platform_call(platform: str, operation: str, seconds: float, *, error: str = "") -> None:
    """One platform call ended (integrations.base.recorded_call); `error` is "", "transient" or
    "permanent"."""
    PLATFORM_CALL_DURATION.labels(platform=platform, operation=operation).observe(max(seconds, 0.0))
    if error:
        kind = error if error in ERROR_KINDS else "permanent"
        PLATFORM_CALL_ERRORS.labels(platform=platform, operation=operation, kind=kind).inc()


@_never_raises
def observe_request(request: HttpRequest, response: HttpResponseBase, seconds: float) -> None:
    method = request.method if request.method in HTTP_METHODS else "other"
    REQUEST_DURATION.labels(view=_view_name(request), method=method, status=f"{response.status_code // 100}xx").observe(
        max(seconds, 0.0)
    )


def _view_name(request: HttpRequest) -> str:
    """The route's name ("namespace:name", or the view's dotted path for an unnamed route), never
    the path: one series per route, however many objects it shows."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name
    # Nothing resolved: a static file (WhiteNoise answers before the URLs) or a 404.
    return "static" if request.path.startswith(settings.STATIC_URL or "/static/") else "unmatched"


class RequestMetricsMiddleware:
    """First in MIDDLEWARE, so a request's time includes every other middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        # Django turns a view's exception into a response before it gets back here (a 500 counts).
        response = self.get_response(request)
        observe_request(request, response, time.perf_counter() - started)
        return response


# --- The Celery queues, read at scrape time ---------------------------------------------------


def _queue_names(conf: object) -> list[str]:
    """The default queue, and any queue the configuration names (task_queues, task_routes)."""
    names = [getattr(conf, "task_default_queue", None) or "celery"]
    names += [queue.name for queue in getattr(conf, "task_queues", None) or ()]
    routes = getattr(conf, "task_routes", None)
    if isinstance(routes, dict):
        names += [route["queue"] for route in routes.values() if isinstance(route, dict) and route.get("queue")]
    return list(dict.fromkeys(names))


def celery_queue_metrics() -> Iterator[Metric]:
    """How many messages wait in each queue (LLEN of its Redis list), and whether Redis answered.

    Celery sends our tasks without a priority, so kombu keeps them in the list named after the
    queue. With a broker other than Redis (the demo's filesystem one) nothing is exported; with
    Redis unreachable only `portal_celery_broker_up 0`, and the scrape still succeeds."""
    import redis

    from .celery import app

    url = str(app.conf.broker_url or "").split(";")[0]
    if not url.startswith(("redis://", "rediss://")):
        return
    prefix = (app.conf.broker_transport_options or {}).get("global_keyprefix", "")
    names = _queue_names(app.conf)
    timeout = settings.HEALTHZ_BROKER_TIMEOUT
    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        with client.pipeline(transaction=False) as pipe:
            for name in names:
                pipe.llen(f"{prefix}{name}")
            lengths = pipe.execute()
    except redis.RedisError:
        logger.warning("metrics: the Redis broker did not answer", exc_info=True)
        lengths = None
    finally:
        client.close()
    up = GaugeMetricFamily("portal_celery_broker_up", "1 if the Redis broker answered this scrape, else 0.")
    up.add_metric([], 0 if lengths is None else 1)
    yield up
    if lengths is not None:
        depth = GaugeMetricFamily(
            "portal_celery_queue_length",
            "Messages waiting in a Celery queue (not yet taken by a worker).",
            labels=["queue"],
        )
        for name, length in zip(names, lengths, strict=True):
            depth.add_metric([name], length)
        yield depth


# --- The endpoint -----------------------------------------------------------------------------


class _Scrape(Collector):
    """Every process's metrics (or this process's, without a shared directory), then the queues."""

    def collect(self) -> Iterable[Metric]:
        if settings.PROMETHEUS_MULTIPROC_DIR:
            # This host's processes, and those that write elsewhere on a shared volume (a worker's
            # container: its process IDs are its own, so it cannot share this directory).
            directories = [settings.PROMETHEUS_MULTIPROC_DIR, *settings.METRICS_EXTRA_DIRS]
            files = [file for directory in directories for file in glob.glob(os.path.join(directory, "*.db"))]
            yield from MultiProcessCollector.merge(files, accumulate=True)
        else:
            yield from REGISTRY.collect()
        yield from celery_queue_metrics()


# A request through a proxy comes from the proxy's address (often loopback), whoever sent it; only
# a direct connection is judged by its address.
FORWARDING_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP")


@cache
def _networks(cidrs: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(cidr.strip(), strict=False) for cidr in cidrs)


def _has_token(request: HttpRequest) -> bool:
    expected = settings.METRICS_TOKEN
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if not expected or scheme.lower() != "bearer" or not given.strip():
        return False
    return hmac.compare_digest(given.strip().encode(), expected.encode())


def _from_allowed_network(request: HttpRequest) -> bool:
    if any(header in request.headers for header in FORWARDING_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in network for network in _networks(tuple(settings.METRICS_ALLOWED_NETWORKS)))


def scrape_allowed(request: HttpRequest) -> bool:
    return _has_token(request) or _from_allowed_network(request)


@never_cache
@require_safe
def metrics_view(request: HttpRequest) -> HttpResponse:
    """`/metrics` for Prometheus: with `Authorization: Bearer <METRICS_TOKEN>`, or directly from an
    address in METRICS_ALLOWED_NETWORKS; anyone else gets a bare 403."""
    if not scrape_allowed(request):
        return HttpResponseForbidden(b"", content_type="text/plain")
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    return HttpResponse(encode(_Scrape()), content_type=content_type)
