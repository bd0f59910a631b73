import os
import uuid

import pytest
from django.db import connection

from integrations.akixi.simulator import create_app as akixi_app
from integrations.broadworks.simulator import OCIPSimulator, preload_demo
from integrations.callcabinet.simulator import create_app as callcabinet_app
from tests.integrations.akixi.sim_servers import serving_in_process, serving_in_thread
from tests.services import redis_url_or_skip, require_postgresql

from .worker_stack import (
    AK_KEY,
    AKIXI_API,
    BW_PASSWORD,
    BW_USER,
    CALLCABINET_API,
    CC_KEY,
    Stack,
    broadworks_in_process,
    forget_queue,
)

# The stack's timings: production's visibility timeout and time limits far above the leases, so that
# a recovery seen in a test can only be the durable work engine's (leases, heartbeats, the sweeper).
STACK_TIMINGS = {
    "CELERY_REDIS_VISIBILITY_TIMEOUT": "3600",
    "CELERY_TASK_SOFT_TIME_LIMIT": "50",
    "CELERY_TASK_TIME_LIMIT": "60",
    "WORK_LEASE_SECONDS": "4",
    "WORK_REQUEUE_AFTER": "3",
    "WORK_SWEEP_INTERVAL": "1",
    "WORK_RETRY_BASE_DELAY": "1",
    "WORK_RETRY_MAX_DELAY": "1",
    "PROCESS_HEARTBEAT_INTERVAL": "1",
    "BUILD_STEP_MAX_ATTEMPTS": "10",
}


@pytest.fixture
def stack(request, tmp_path, world, use_broker):
    """A worker, beat and the three simulators for this test. `@pytest.mark.stack_env(NAME="value")`
    changes the environment of the worker and beat (e.g. longer retry delays)."""
    require_postgresql()
    redis_url = redis_url_or_skip()
    marker = request.node.get_closest_marker("stack_env")
    # A queue of this test's own: nothing left over from an interrupted run reaches its worker, and
    # nobody else's queued work on the same Redis is touched.
    queue = f"acceptance-{uuid.uuid4().hex[:12]}"
    # (Routes, not the default queue: Celery re-reads routes when they change, and caches the rest.)
    use_broker(redis_url, eager=False).conf.update(task_routes={"*": {"queue": queue}})
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    bw_state, bw_faults = tmp_path / "bw.json", tmp_path / "bw.faults.json"
    with (
        broadworks_in_process(bw_state, bw_faults) as bw_port,
        serving_in_process(
            "integrations.akixi.simulator",
            tmp_path / "ak.json",
            env={"AKIXI_SIM_API_KEY": AK_KEY},
            args=["--sync-polls", "1", "--preload-reseller", "ACME01"],
        ) as akixi_url,
        serving_in_process(
            "integrations.callcabinet.simulator",
            tmp_path / "cc.json",
            env={"CALLCABINET_SIM_API_KEY": CC_KEY},
            args=["--preload-reseller", "ACME01"],
        ) as callcabinet_url,
    ):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "expoe_portal.settings.test",
            "DATABASE_URL": database_url,  # the test database this test writes to
            "REDIS_URL": redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            "TEST_BROADWORKS_GATEWAY": "integrations.broadworks.gateway.BroadWorksGateway",
            "TEST_AKIXI_GATEWAY": "integrations.akixi.client.AkixiGateway",
            "TEST_CALLCABINET_GATEWAY": "integrations.callcabinet.client.callcabinet_gateway",
            "BROADWORKS_HOST": "127.0.0.1",
            "BROADWORKS_PORT": str(bw_port),
            "BROADWORKS_TLS": "false",
            "BROADWORKS_USERNAME": BW_USER,
            "BROADWORKS_PASSWORD": BW_PASSWORD,
            "BROADWORKS_TIMEOUT": "3",
            "AKIXI_BASE_URL": akixi_url + AKIXI_API,
            "AKIXI_API_KEY": AK_KEY,
            "AKIXI_TIMEOUT": "3",
            "CALLCABINET_BASE_URL": callcabinet_url + CALLCABINET_API,
            "CALLCABINET_API_KEY": CC_KEY,
            "CALLCABINET_TIMEOUT": "3",
            "CALLCABINET_MODE": "api",
            "CELERY_WORKER_POOL": "prefork",
            "CELERY_WORKER_CONCURRENCY": "1",
            **STACK_TIMINGS,
            **(marker.kwargs if marker else {}),
        }
        stack = Stack(tmp_path, env, bw_state, bw_faults, akixi_url, callcabinet_url, redis_url, queue)
        stack.start_worker()
        stack.start_beat()
        try:
            yield stack
        finally:
            stack.stop()
            forget_queue(redis_url, queue)


@pytest.fixture
def simulators(tmp_path, settings):
    """The three simulators over sockets in this process, and the settings that point the real
    gateways at them: {"bw": the BroadWorks simulator, "ak"/"cc": their state files}."""
    bw = OCIPSimulator(("127.0.0.1", 0), state_path=tmp_path / "bw.json", admins={"portal-admin": "bw-pass"})
    preload_demo(bw.state)
    bw.start_in_thread()
    with (
        serving_in_thread(akixi_app(state_path=tmp_path / "ak.json", api_key="ak-key", sync_polls=1)) as ak_url,
        serving_in_thread(callcabinet_app(state_path=tmp_path / "cc.json", api_key="cc-key")) as cc_url,
    ):
        settings.BROADWORKS_GATEWAY = "integrations.broadworks.gateway.BroadWorksGateway"
        settings.AKIXI_GATEWAY = "integrations.akixi.client.AkixiGateway"
        settings.CALLCABINET_GATEWAY = "integrations.callcabinet.client.callcabinet_gateway"
        settings.BROADWORKS_HOST, settings.BROADWORKS_PORT = "127.0.0.1", bw.port
        settings.BROADWORKS_USERNAME, settings.BROADWORKS_PASSWORD, settings.BROADWORKS_TLS = (
            "portal-admin",
            "bw-pass",
            False,
        )
        settings.AKIXI_BASE_URL, settings.AKIXI_API_KEY = f"{ak_url}/CCS/API/v1", "ak-key"
        settings.CALLCABINET_BASE_URL, settings.CALLCABINET_API_KEY = f"{cc_url}/api/v1", "cc-key"
        settings.CALLCABINET_MODE = "api"
        settings.BUILD_STEP_MAX_ATTEMPTS = 10
        yield {"bw": bw, "ak": tmp_path / "ak.json", "cc": tmp_path / "cc.json"}
    bw.stop()
