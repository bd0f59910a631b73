"""`/metrics` for Prometheus (issue #14): who may scrape it, what it exports (request latency per
view, builds and steps, platform calls, the Celery queues' depth), and that it adds up every
process of a host when PROMETHEUS_MULTIPROC_DIR is set."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
from django.urls import reverse
from prometheus_client.parser import text_string_to_metric_families

from accounts.choices import Role
from expoe_portal import metrics
from expoe_portal.metrics import observe_build, observe_platform_call, observe_step
from integrations.base import PermanentError, TransientError, recorded_call
from integrations.callcabinet.client import CallCabinetGateway
from integrations.callcabinet.simulator import API_PREFIX, create_app
from integrations.models import ExternalCall
from tests.integrations.akixi.sim_servers import serving_in_thread
from tests.services import redis_url_or_skip

pytestmark = pytest.mark.django_db

REPO_ROOT = Path(__file__).resolve().parents[2]
OUTSIDE = "203.0.113.9"  # TEST-NET-3: not in the default METRICS_ALLOWED_NETWORKS
TOKEN = "metrics-token-Canary-8812"


def scrape(client, **extra) -> dict:
    """Every sample of one scrape, as {(name, frozenset(labels)): value}."""
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.content
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


# Who may scrape ----------------------------------------------------------------------------------


def test_loopback_scrapes_without_signing_in_and_gets_prometheus_text_never_cached(client):
    response = client.get("/metrics")
    assert response.status_code == 200, "no login redirect: Prometheus has no session"
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    assert "no-store" in response["Cache-Control"]
    assert b"# TYPE portal_request_duration_seconds histogram" in response.content


def test_prometheus_asking_for_openmetrics_gets_it(client):
    response = client.get("/metrics", HTTP_ACCEPT="application/openmetrics-text; version=1.0.0")
    assert response["Content-Type"].startswith("application/openmetrics-text")
    assert response.content.rstrip().endswith(b"# EOF")


def test_another_address_without_a_token_gets_a_bare_403(client, settings):
    settings.METRICS_TOKEN = TOKEN
    response = client.get("/metrics", REMOTE_ADDR=OUTSIDE)
    assert response.status_code == 403
    assert response.content == b"", "nothing about the portal or why"
    assert "no-store" in response["Cache-Control"]


def test_the_token_lets_any_address_scrape_and_a_wrong_one_does_not(client, settings):
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION="Bearer not-the-token").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION=f"Token {TOKEN}").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION=f"Bearer {TOKEN}x").status_code == 403


def test_without_a_configured_token_no_token_is_accepted(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION="Bearer ").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION="Bearer").status_code == 403


def test_the_allowed_networks_are_a_setting(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.20.0.0/16", "2001:db8::/32"]
    assert client.get("/metrics", REMOTE_ADDR="10.20.3.4").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="2001:db8::7").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.21.0.1").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403, "loopback only by default"


def test_loopback_as_an_ipv4_mapped_ipv6_address_counts_as_loopback(client):
    assert client.get("/metrics", REMOTE_ADDR="::ffff:127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200


def test_through_a_proxy_the_proxys_loopback_address_is_not_enough(client, settings):
    """A reverse proxy on the same host connects from loopback on behalf of anyone."""
    settings.METRICS_TOKEN = TOKEN
    forwarded = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert client.get("/metrics", **forwarded).status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_FORWARDED="for=198.51.100.7").status_code == 403
    assert client.get("/metrics", **forwarded, HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200


# What it exports ---------------------------------------------------------------------------------


def test_request_latency_is_per_route_name_never_per_path(client, world):
    client.force_login(world.user(Role.PROVISIONING_ADMIN))
    before = scrape(client)
    for partner in (world.partner_a, world.partner_b):
        assert client.get(reverse("partners:partner_edit", kwargs={"pk": partner.pk})).status_code == 200
    assert client.get("/no/such/page/").status_code == 404
    after = scrape(client)
    count = "portal_request_duration_seconds_count"
    edit = {"view": "partners:partner_edit", "method": "GET", "status": "2xx"}
    assert value(after, count, **edit) - value(before, count, **edit) == 2, "both partners: one series"
    unmatched = {"view": "unmatched", "method": "GET", "status": "4xx"}
    assert value(after, count, **unmatched) - value(before, count, **unmatched) == 1
    views = {dict(labels).get("view") for name, labels in after if name == count}
    assert not any("/" in view for view in views), f"a path became a label: {sorted(views)}"


def test_build_and_step_durations_and_outcomes_are_exported(client):
    before = scrape(client)
    observe_build("succeeded", 42.0)
    observe_build("failed", 7.5)
    observe_step("group", "succeeded", 0.3)
    observe_step("group", "retrying", 30.0)
    after = scrape(client)

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("portal_build_duration_seconds_count", outcome="succeeded") == 1
    assert delta("portal_build_duration_seconds_sum", outcome="succeeded") == 42.0
    assert delta("portal_build_duration_seconds_bucket", outcome="succeeded", le="30.0") == 0
    assert delta("portal_build_duration_seconds_bucket", outcome="succeeded", le="60.0") == 1
    assert delta("portal_build_duration_seconds_count", outcome="failed") == 1
    assert delta("portal_build_step_duration_seconds_count", step="group", outcome="succeeded") == 1
    assert delta("portal_build_step_duration_seconds_count", step="group", outcome="retrying") == 1
    assert delta("portal_build_step_duration_seconds_sum", step="group", outcome="retrying") == 30.0


@pytest.fixture
def callcabinet(tmp_path):
    app = create_app(state_path=tmp_path / "callcabinet.json", api_key="cc-key")
    with serving_in_thread(app) as base_url:
        yield base_url


def test_platform_calls_are_timed_per_operation_and_their_errors_counted_by_kind(client, callcabinet):
    gateway = CallCabinetGateway(base_url=f"{callcabinet}{API_PREFIX}", api_key="cc-key", timeout=5)
    labels = {"platform": "callcabinet", "operation": "reseller_exists"}
    before = scrape(client)
    assert gateway.reseller_exists("ACME01") is False
    rule = {"kind": "unavailable", "path": f"{API_PREFIX}/resellers"}
    httpx.post(f"{callcabinet}/_sim/faults", json={"rules": [rule]}).raise_for_status()
    with pytest.raises(TransientError):
        gateway.reseller_exists("ACME01")
    wrong_key = CallCabinetGateway(base_url=f"{callcabinet}{API_PREFIX}", api_key="wrong", timeout=5)
    with pytest.raises(PermanentError):
        wrong_key.reseller_exists("BETA02")
    after = scrape(client)

    def delta(name, **extra):
        return value(after, name, **labels, **extra) - value(before, name, **labels, **extra)

    assert ExternalCall.objects.count() == 3
    assert delta("portal_platform_call_duration_seconds_count") == 3, "every call, whatever its outcome"
    assert delta("portal_platform_call_errors_total", kind="transient") == 1
    assert delta("portal_platform_call_errors_total", kind="permanent") == 1
    text = client.get("/metrics").content.decode()
    assert "ACME01" not in text and "BETA02" not in text, "targets and arguments never become labels"


def test_a_failure_to_record_never_fails_the_platform_call(monkeypatch, caplog):
    def broken(**labels):
        raise OSError("metrics directory gone")

    monkeypatch.setattr(metrics.PLATFORM_CALL_DURATION, "labels", broken)
    with recorded_call(platform="akixi", operation="add_partition") as call:
        call.response = {"id": 7}
    assert ExternalCall.objects.get().outcome == "ok"
    assert "could not record" in caplog.text


def test_an_unknown_error_kind_is_counted_as_permanent(client):
    labels = {"platform": "akixi", "operation": "request_sync"}
    before = scrape(client)
    observe_platform_call("akixi", "request_sync", 0.1, error="weird")
    after = scrape(client)
    name = "portal_platform_call_errors_total"
    assert value(after, name, **labels, kind="permanent") - value(before, name, **labels, kind="permanent") == 1
    assert (name, frozenset({**labels, "kind": "weird"}.items())) not in after


# The Celery queues -------------------------------------------------------------------------------


def test_queue_depth_is_read_from_the_redis_broker_at_scrape_time(client, use_broker):
    import redis

    app = use_broker(redis_url_or_skip(), eager=False)
    queue = f"metrics-test-{uuid.uuid4().hex[:8]}"
    saved = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    client_redis = redis.Redis.from_url(app.conf.broker_url)
    try:
        for _ in range(3):  # real Celery messages, where kombu puts them; no worker listens here
            app.send_task("expoe_portal.tasks.sweep_work", queue=queue)
        samples = scrape(client)
        assert value(samples, "portal_celery_broker_up") == 1
        assert value(samples, "portal_celery_queue_length", queue=queue) == 3
    finally:
        app.conf.task_default_queue = saved
        client_redis.delete(queue)
        client_redis.close()


def test_an_unreachable_redis_broker_shows_as_down_and_the_scrape_still_answers(client, use_broker):
    use_broker("redis://127.0.0.1:1/0")
    samples = scrape(client)
    assert value(samples, "portal_celery_broker_up") == 0
    assert not any(name == "portal_celery_queue_length" for name, _ in samples)


def test_a_broker_other_than_redis_exports_no_queue_metrics(client, use_broker):
    use_broker("filesystem://")
    samples = scrape(client)
    assert not any(name.startswith("portal_celery_") for name, _ in samples)


# Every process of a host -------------------------------------------------------------------------

WRITER = """
import django
django.setup()
from expoe_portal.metrics import observe_build, observe_platform_call
observe_build("succeeded", 30.0)
observe_platform_call("broadworks", "group_exists", 0.2, error="transient")
"""


def write_from_another_process(directory: Path) -> None:
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(directory),
        "DJANGO_SETTINGS_MODULE": "expoe_portal.settings.test",
    }
    subprocess.run([sys.executable, "-c", WRITER], env=env, cwd=REPO_ROOT, check=True, timeout=120)


def test_with_a_shared_directory_a_scrape_adds_up_every_process(client, settings, tmp_path):
    """As gunicorn's workers and Celery's pool children do: each process writes its own file in
    PROMETHEUS_MULTIPROC_DIR, and whichever process answers the scrape reads them all."""
    settings.PROMETHEUS_MULTIPROC_DIR = str(tmp_path)
    write_from_another_process(tmp_path)
    write_from_another_process(tmp_path)
    assert len(list(tmp_path.glob("histogram_*.db"))) == 2, "one file per process"
    observe_build("succeeded", 1000.0)  # this process keeps its own in memory: not part of the host's
    samples = scrape(client)
    assert value(samples, "portal_build_duration_seconds_count", outcome="succeeded") == 2
    assert value(samples, "portal_build_duration_seconds_sum", outcome="succeeded") == 60.0
    errors = {"platform": "broadworks", "operation": "group_exists", "kind": "transient"}
    assert value(samples, "portal_platform_call_errors_total", **errors) == 2


def test_a_scrape_adds_the_directories_of_other_containers_on_a_shared_volume(client, settings, tmp_path):
    web, worker = tmp_path / "web", tmp_path / "worker"
    settings.PROMETHEUS_MULTIPROC_DIR = str(web)
    write_from_another_process(web)
    write_from_another_process(worker)
    assert value(scrape(client), "portal_build_duration_seconds_count", outcome="succeeded") == 1
    settings.METRICS_EXTRA_DIRS = [str(worker)]
    assert value(scrape(client), "portal_build_duration_seconds_count", outcome="succeeded") == 2
