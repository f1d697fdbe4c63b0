"""`manage.py run_console` (what `make run` ends with): serves, and stops web and worker together."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children_of(pid: int) -> list[int]:
    result = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(line) for line in result.stdout.split()]


def living_members_of_group(pgid: int) -> list[int]:
    """Processes of the group that still run (a zombie has ended; it only waits for init to reap it)."""
    result = subprocess.run(["pgrep", "-g", str(pgid)], capture_output=True, text=True)
    living = []
    for pid in map(int, result.stdout.split()):
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, IndexError):
            continue
        if state != "Z":
            living.append(pid)
    return living


def wait_for(url: str, seconds: float) -> bytes:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except urllib.error.HTTPError as answer:
            return answer.read()  # an answer all the same: `/` answers API clients 300 with the version list
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_run_console_serves_and_stops_web_and_worker_together(tmp_path, stop_signal):
    port = free_port()
    env = {**os.environ, "VAR_DIR": str(tmp_path / "var"), "DJANGO_SETTINGS_MODULE": "console.settings"}
    # `make run` serves the embedded defaults: this test must neither consume CI's Redis queue nor depend on a
    # PostgreSQL database that only the test run has created.
    for name in ("CELERY_BROKER_URL", "DATABASE_URL", "STORAGE_BACKEND"):
        env.pop(name, None)
    log = tmp_path / "run_console.log"
    # Output goes to a file, never a pipe: a pipe nobody reads fills up, blocks the children mid-write, and then
    # a read that waits for them hangs the whole test run. Its own session lets us kill every descendant.
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "run_console", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        body = wait_for(f"http://127.0.0.1:{port}/", 60)
        assert b'"versions"' in body
        children = children_of(process.pid)
        assert len(children) == 2, "expected a web server and a worker"
        process.send_signal(stop_signal)
        assert process.wait(timeout=40) == 0
        time.sleep(0.5)
        assert not [pid for pid in children if Path(f"/proc/{pid}").exists()], "a child outlived run_console"
        assert not [pid for pid in children if living_members_of_group(pid)], "a grandchild outlived run_console"
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=10)
    output = log.read_text(errors="replace")
    assert f"http://127.0.0.1:{port}/console/" in output
