"""A real Celery worker process consumes the configured broker (the folder broker, or Redis in CI)."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from console.celery import heartbeat


@pytest.fixture
def worker(tmp_path):
    celery = Path(sys.executable).with_name("celery")
    log = tmp_path / "worker.log"
    # A file, not a pipe: an unread pipe fills up and blocks the worker mid-write.
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                str(celery),
                "-A",
                "console",
                "worker",
                "--pool",
                "solo",
                "--loglevel",
                "warning",
                "--hostname",
                f"test-{uuid.uuid4().hex[:8]}@localhost",
            ],
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "console.settings", "VAR_DIR": str(settings.VAR_DIR)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    process.log = log
    yield process
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_worker_process_runs_a_task_sent_through_the_broker(worker):
    name = f"beat-{uuid.uuid4().hex}"
    heartbeat.delay(name)
    marker = settings.VAR_DIR / "heartbeat" / name
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline and worker.poll() is None:
        time.sleep(0.2)
    output = worker.log.read_text(errors="replace")
    assert marker.exists(), f"the worker did not run the task; worker output:\n{output}"
    assert marker.read_text() == "alive"


def test_heartbeat_refuses_path_tricks_in_its_name(settings):
    assert heartbeat.run("../../etc/passwd") == "etcpasswd"
    assert (settings.VAR_DIR / "heartbeat" / "etcpasswd").exists()
