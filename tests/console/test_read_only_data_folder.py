"""With the whole data folder read-only, reads keep working and writes answer 503 IMG.0831 (never a 500).

How the folder is made read-only: a copy of a freshly seeded data folder is bind-mounted onto itself and the bind
remounted read-only (`mount --bind` + `mount -o remount,ro,bind`), so the kernel refuses every write with EROFS even
to root (the tests run as root, who ignores mode bits, so `chmod -R a-w` would prove nothing). A live server
(`manage.py runserver` on 127.0.0.1, in its own process) answers real HTTP against that folder: the embedded SQLite
database, the chunk store, the object store and the folder broker all live in it. The test is skipped where the
process may not mount (not root, no CAP_SYS_ADMIN). The server runs the default configuration (SQLite, folder
broker and local storages under VAR_DIR) whatever DATABASE_URL, CELERY_BROKER_URL and STORAGE_BACKEND the suite has.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def _environment(var_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "STORAGE_BACKEND")}
    return env | {"VAR_DIR": str(var_dir), "DJANGO_DEBUG": "0", "PYTHONUNBUFFERED": "1"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, var_dir: Path, log: Path):
        self.var_dir, self.log, self.port = var_dir, log, _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self):
        command = [PYTHON, "manage.py", "runserver", "--noreload", "--nothreading", f"127.0.0.1:{self.port}"]
        with self.log.open("a") as out:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=_environment(self.var_dir), stdout=out, stderr=subprocess.STDOUT
            )
        for _ in range(150):
            try:
                requests.get(f"{self.base}/v3", timeout=2)
                return
            except requests.ConnectionError:
                time.sleep(0.2)
        raise AssertionError(f"the server did not start:\n{self.log.read_text()[-3000:]}")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None


def _mount_read_only(folder: Path) -> bool:
    if os.geteuid() != 0:
        return False
    if subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True).returncode:
        return False
    if subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)], capture_output=True).returncode:
        subprocess.run(["umount", str(folder)], capture_output=True)
        return False
    return True


@pytest.fixture(scope="module")
def seeded_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("seeded") / "var"
    folder.mkdir()
    env = _environment(folder)
    for command in (["migrate", "-v0"], ["seed_demo", "--without-content"]):
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
    return folder


@pytest.fixture
def read_only_server(seeded_folder, tmp_path):
    """A server on a read-only copy of the seeded folder, with a console session and an API token made while the
    folder was still writable (signing in is a write)."""
    folder = tmp_path / "var"
    shutil.copytree(seeded_folder, folder)
    server = Server(folder, tmp_path / "server.log")
    server.start()
    try:
        password = (folder / "demo_password").read_text().strip()
        browser = requests.Session()
        page = browser.get(f"{server.base}/console/login")
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        signed_in = browser.post(
            f"{server.base}/console/login",
            data={"csrfmiddlewaretoken": csrf, "username": "demo-admin", "password": password},
            headers={"Referer": f"{server.base}/console/login"},
        )
        assert signed_in.url.endswith("/console/images/"), signed_in.text[-2000:]
        user = {"name": "demo-admin", "password": password, "domain": {"name": "demo"}}
        auth = {"identity": {"methods": ["password"], "password": {"user": user}}}
        auth["scope"] = {"project": {"name": "cn-north-4"}}
        token = requests.post(f"{server.base}/v3/auth/tokens", json={"auth": auth}).headers["X-Subject-Token"]
    finally:
        server.stop()
    if not _mount_read_only(folder):
        pytest.skip("cannot bind-mount the data folder read-only here (needs root with CAP_SYS_ADMIN)")
    try:
        server.start()
        yield server, browser, {"X-Auth-Token": token}
    finally:
        server.stop()
        subprocess.run(["umount", str(folder)], check=True)


def test_reads_work_and_writes_answer_503_on_a_read_only_data_folder(read_only_server):
    server, browser, api = read_only_server
    base = server.base
    assert not os.access(server.var_dir, os.W_OK)

    images = requests.get(f"{base}/v2/images", headers=api)
    assert images.status_code == 200, images.text
    image_id = images.json()["images"][0]["id"]
    for path in (f"/v2/images/{image_id}", "/v2/cloudimages", f"/v2/cloudimages?id={image_id}"):
        response = requests.get(base + path, headers=api)
        assert response.status_code == 200, (path, response.text)
    download = requests.get(f"{base}/v2/images/{image_id}/file", headers=api)
    assert download.status_code in (200, 204), download.text
    for path in ("/console/images/", f"/console/images/{image_id}"):
        response = browser.get(base + path)
        assert response.status_code == 200, (path, response.text[-2000:])
        assert 'data-testid="error-page"' not in response.text

    created = requests.post(
        f"{base}/v2/images", headers=api, json={"name": "ro", "disk_format": "qcow2", "container_format": "bare"}
    )
    assert created.status_code == 503, created.text
    assert created.json()["error"]["code"] == "IMG.0831"
    assert "read-only" in created.json()["error"]["message"]
    renamed = requests.patch(f"{base}/v2/cloudimages/{image_id}", headers=api, json={"name": "renamed"})
    assert renamed.status_code == 503, renamed.text
    assert renamed.json()["error"]["code"] == "IMG.0831"

    # Signing in is a write (a session, last_login): a clear page, not a 500.
    stranger = requests.Session()
    form = stranger.get(f"{base}/console/login")
    assert form.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    password = (server.var_dir / "demo_password").read_text().strip()
    sign_in = stranger.post(
        f"{base}/console/login",
        data={"csrfmiddlewaretoken": token, "username": "demo-reader", "password": password},
        headers={"Referer": f"{base}/console/login"},
    )
    assert sign_in.status_code == 503, sign_in.text[-2000:]
    assert "read-only" in sign_in.text

    csrf = browser.cookies["csrftoken"]
    signed_out = browser.post(
        f"{base}/console/logout",
        data={"csrfmiddlewaretoken": csrf},
        headers={"Referer": f"{base}/console/images/"},
        allow_redirects=False,
    )
    assert signed_out.status_code == 503, signed_out.text[-2000:]
    assert 'data-testid="error-page"' in signed_out.text
    assert "read-only" in signed_out.text
