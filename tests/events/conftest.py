import pytest

from .receiver import start_receiver


@pytest.fixture
def receiver():
    receiver, server = start_receiver()
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def later_attempts(monkeypatch):
    """Tasks run in-process in tests; a retry's countdown message is kept here instead of running at
    once, so a test moves the clock (time-machine) and runs it as a worker would when it is due."""
    from expoe_portal import work

    held = []
    send = work.send_task

    def send_task(name, args, *, countdown=0):
        if countdown:
            held.append((name, args, countdown))
        else:
            send(name, args, countdown=countdown)

    monkeypatch.setattr(work, "send_task", send_task)
    return held
