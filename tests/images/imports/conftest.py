"""A gunicorn server (the WSGI server `make run` uses) on the test database, its log kept for the tests to read."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from django.conf import settings

from tests.workers import ROOT, database_url_for_tests, wait_until


@pytest.fixture
def gunicorn_log(tmp_path) -> Path:
    return tmp_path / "gunicorn.log"


@pytest.fixture
def gunicorn(transactional_db, gunicorn_log):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_tests(),
        "VAR_DIR": str(settings.VAR_DIR),
        "DJANGO_SETTINGS_MODULE": "console.settings",
    }
    command = [str(Path(sys.executable).with_name("gunicorn")), "console.wsgi:application", "--bind"]
    command += [f"127.0.0.1:{port}", "--worker-class", "gthread", "--threads", "4"]
    log = open(gunicorn_log, "wb")  # noqa: SIM115 - open for the server's whole life
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"

    def answering():
        try:
            return requests.get(url + "/", timeout=5).ok
        except requests.RequestException:  # not listening yet, or too busy to answer
            return False

    try:
        wait_until(lambda: process.poll() is not None or answering(), seconds=60)
        assert process.poll() is None, gunicorn_log.read_text(errors="replace")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()
