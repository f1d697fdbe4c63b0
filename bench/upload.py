"""A 2 GiB upload through the console's upload endpoint, as the bucket page sends it, and through Glance's
`PUT /v2/images/{id}/file`, as OpenStack clients send it: MB/s and server RSS.

    python bench/upload.py [--size-mib 2048] [--part-mib 8] [--parallel 4] [--keep]

Runs on its own: a temporary VAR_DIR (local object storage, SQLite), migrated, with one tenant administrator;
then the real server (`manage.py run_console`: gunicorn and a job worker) on a free port of 127.0.0.1. The
bench signs in to the console, starts a multipart upload through the REST API with the session and CSRF token,
sends the parts several at a time from generated data (never held whole on either side), completes it with the
SHA-256 computed beforehand; then it gets a token from /v3/auth/tokens, creates an image and uploads the same
amount of data to it in one streamed PUT; and stops the server. Meanwhile it samples the resident memory (RSS)
of every gunicorn process. The goal: RSS flat while gigabytes pass, each process well under 150 MB.
"""

import argparse
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from queue import Empty, Queue

ROOT = Path(__file__).resolve().parent.parent
MiB = 1024 * 1024
USERNAME, PASSWORD = "bench-admin", "Bench-upload-42"
BUCKET, KEY = "bench-bucket", "bench/disk.raw"
BLOCK = os.urandom(MiB)


def prepare_environment(keep: bool) -> Path:
    var_dir = Path(tempfile.mkdtemp(prefix="ims-bench-upload-"))
    os.environ.update(
        VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="console.settings", LOG_LEVEL="ERROR", STORAGE_BACKEND="local"
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    if not keep:
        import atexit

        atexit.register(shutil.rmtree, var_dir, ignore_errors=True)
    return var_dir


def seed() -> None:
    from django.core.management import call_command

    from iam import seeding as iam
    from iam.policies import TENANT_ADMINISTRATOR

    call_command("migrate", verbosity=0, interactive=False)
    iam.ensure_regions()
    policies = iam.ensure_system_policies()
    account = iam.ensure_account("bench")
    group = iam.ensure_group(account, "admins", [policies[TENANT_ADMINISTRATOR]])
    iam.ensure_user(account, USERNAME, PASSWORD, groups=[group])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def piece(number: int, index: int, length: int) -> bytes:
    """Deterministic content: a random block stamped with its part and position, so no two pieces are equal."""
    stamp = f"{number:08d}:{index:08d}:".encode()
    return (stamp + BLOCK[len(stamp) :])[:length]


def part_pieces(number: int, part_size: int, size: int):
    start = (number - 1) * part_size
    length = min(part_size, size - start)
    for index, offset in enumerate(range(0, length, MiB)):
        yield piece(number, index, min(MiB, length - offset))


def sha256_of_file(size: int, part_size: int) -> str:
    digest = hashlib.sha256()
    for number in range(1, -(-size // part_size) + 1):
        for chunk in part_pieces(number, part_size, size):
            digest.update(chunk)
    return digest.hexdigest()


class Session:
    """The console's cookies and CSRF token, as the bucket page's script has them."""

    def __init__(self, port: int):
        self.port, self.cookies = port, {}

    def connection(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)

    def headers(self, extra=None) -> dict:
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        return {"Cookie": cookie, "X-CSRFToken": self.cookies.get("csrftoken", ""), **(extra or {})}

    def keep_cookies(self, response) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]

    def request(self, method, path, body=None, headers=None, connection=None):
        connection = connection or self.connection()
        connection.request(method, path, body=body, headers=self.headers(headers))
        response = connection.getresponse()
        data = response.read()
        self.keep_cookies(response)
        return response.status, data

    def sign_in(self) -> None:
        status, page = self.request("GET", "/console/login")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        form = f"csrfmiddlewaretoken={token}&username={USERNAME}&password={PASSWORD}&next=/console/obs/"
        status, _ = self.request("POST", "/console/login", form, {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 302 and "sessionid" in self.cookies, "sign-in failed"

    def json(self, method, path, payload=None, expect=(200, 201)):
        status, data = self.request(
            method, path, json.dumps(payload or {}).encode(), {"Content-Type": "application/json"}
        )
        assert status in expect, (status, data[:300])
        return json.loads(data) if data else None


class ServerMemory(threading.Thread):
    """Samples the RSS of the gunicorn processes below the server every 100 ms."""

    def __init__(self, root_pid: int):
        super().__init__(daemon=True)
        self.root_pid, self.samples, self.running = root_pid, [], True

    def run(self):
        while self.running:
            self.samples.append((time.monotonic(), gunicorn_rss(self.root_pid)))
            time.sleep(0.1)

    def stop(self):
        self.running = False
        self.join()


def descendants(pid: int) -> list[int]:
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, stack = [], [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def gunicorn_rss(root_pid: int) -> dict[int, int]:
    """RSS in bytes of each gunicorn process (master and workers) started by the server."""
    sizes = {}
    for pid in descendants(root_pid):
        try:
            if b"gunicorn" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                continue
            rss = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
        except OSError:
            continue
        if rss:
            sizes[pid] = int(rss.group(1)) * 1024
    return sizes


def start_server(port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "run_console", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"the server did not start: {server.stderr.read().decode()[-2000:]}")
            time.sleep(0.2)
    stop_server(server)
    raise SystemExit("the server did not answer within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)  # run_console stops gunicorn and the worker, then exits
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def send_parts(session: Session, upload: dict, size: int, parallel: int) -> None:
    queue, errors = Queue(), []
    for number in range(1, upload["part_count"] + 1):
        queue.put(number)

    def lane():
        connection = session.connection()
        while not errors:
            try:
                number = queue.get_nowait()
            except Empty:
                return
            length = min(upload["part_size"], size - (number - 1) * upload["part_size"])
            connection.request(
                "PUT",
                f"/v1/obs/uploads/{upload['id']}/parts/{number}",
                body=part_pieces(number, upload["part_size"], size),
                headers=session.headers({"Content-Type": "application/octet-stream", "Content-Length": str(length)}),
            )
            response = connection.getresponse()
            answer = response.read()
            if response.status != 200:
                errors.append((number, response.status, answer[:300]))

    lanes = [threading.Thread(target=lane) for _ in range(parallel)]
    for thread in lanes:
        thread.start()
    for thread in lanes:
        thread.join()
    if errors:
        raise SystemExit(f"parts failed: {errors[:3]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=2048)
    parser.add_argument("--part-mib", type=int, default=8, help="part size (the console's default: 8)")
    parser.add_argument("--parallel", type=int, default=4, help="parts in flight (the console sends 4)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary VAR_DIR")
    args = parser.parse_args()
    size, part_size = args.size_mib * MiB, args.part_mib * MiB
    var_dir = prepare_environment(args.keep)
    seed()
    expected = sha256_of_file(size, part_size)

    port = free_port()
    server = start_server(port)
    memory = ServerMemory(server.pid)
    try:
        session = Session(port)
        session.sign_in()
        session.json("POST", "/v1/obs/buckets", {"name": BUCKET})
        memory.start()
        time.sleep(1)
        idle = memory.samples[-1][1]
        began = time.monotonic()
        upload = session.json(
            "POST", "/v1/obs/uploads", {"bucket": BUCKET, "key": KEY, "size": size, "part_size": part_size}
        )
        send_parts(session, upload, size, args.parallel)
        sent = time.monotonic()
        stored = session.json("POST", f"/v1/obs/uploads/{upload['id']}/complete", {"sha256": expected})
        completed = time.monotonic()
        glance = glance_upload(session, size, part_size)
        time.sleep(1)
        memory.stop()
    finally:
        if memory.is_alive():
            memory.stop()
        stop_server(server)
    assert stored["sha256"] == expected and stored["size"] == size, stored
    report(args, size, upload, idle, memory.samples, began, sent, completed, var_dir)
    report_glance(size, memory.samples, *glance)


def glance_upload(session: Session, size: int, part_size: int) -> tuple[float, float]:
    """One streamed PUT of `size` bytes to a new image, with a Keystone token; returns (start, end)."""
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": USERNAME, "password": PASSWORD, "domain": {"name": "bench"}}},
            }
        }
    }
    connection = session.connection()
    connection.request("POST", "/v3/auth/tokens", json.dumps(body), {"Content-Type": "application/json"})
    response = connection.getresponse()
    response.read()
    token = response.getheader("X-Subject-Token")
    headers = {"X-Auth-Token": token, "Content-Type": "application/json"}
    connection.request("POST", "/v2/images", json.dumps({"name": "bench", "disk_format": "raw"}), headers)
    response = connection.getresponse()
    image = json.loads(response.read())
    parts = (chunk for number in range(1, -(-size // part_size) + 1) for chunk in part_pieces(number, part_size, size))
    began = time.monotonic()
    connection.request(
        "PUT",
        f"/v2/images/{image['id']}/file",
        body=parts,
        headers={"X-Auth-Token": token, "Content-Type": "application/octet-stream", "Content-Length": str(size)},
    )
    response = connection.getresponse()
    answer = response.read()
    assert response.status == 204, (response.status, answer[:300])
    return began, time.monotonic()


def report_glance(size, samples, began, ended) -> None:
    during = [rss for moment, rss in samples if began <= moment <= ended and rss]
    peak = max((max(rss.values()) for rss in during), default=0)
    print(
        f"\nGlance PUT /v2/images/{{id}}/file, {size / MiB:,.0f} MiB in one streamed request (token auth; the body "
        f"is staged and hashed, md5 + sha256, as it arrives)"
    )
    print(f"{'upload':34} {ended - began:8.1f} s  {size / 1e6 / (ended - began):8.1f} MB/s")
    print(f"{'  largest gunicorn process, peak':34} {peak / MiB:8.1f} MiB   (goal: under 150 MB, flat)")


def report(args, size, upload, idle, samples, began, sent, completed, var_dir) -> None:
    during = [rss for moment, rss in samples if began <= moment <= completed]
    peak_process = max((max(rss.values()) for rss in during if rss), default=0)
    peak_total = max((sum(rss.values()) for rss in during), default=0)
    quarter = max(1, len(during) // 4)
    early = max(max(rss.values()) for rss in during[:quarter] if rss)
    late = max(max(rss.values()) for rss in during[-quarter:] if rss)
    mb = size / 1e6
    print(
        f"\nUpload of {size / MiB:,.0f} MiB in {upload['part_count']} parts of {upload['part_size'] // MiB} MiB, "
        f"{args.parallel} at a time, through /v1/obs/uploads (console session + CSRF), local storage "
        f"(VAR_DIR {'kept at ' + str(var_dir) if args.keep else 'temporary'}); SHA-256 verified by the server.\n"
    )
    print(f"{'parts sent':34} {sent - began:8.1f} s  {mb / (sent - began):8.1f} MB/s")
    print(f"{'complete (assemble + verify)':34} {completed - sent:8.1f} s  {mb / (completed - sent):8.1f} MB/s")
    print(f"{'end to end':34} {completed - began:8.1f} s  {mb / (completed - began):8.1f} MB/s")
    print(f"\nserver RSS (gunicorn processes: {len(idle)})")
    print(f"{'  largest process, idle':34} {max(idle.values()) / MiB:8.1f} MiB")
    print(f"{'  largest process, first quarter':34} {early / MiB:8.1f} MiB")
    print(f"{'  largest process, last quarter':34} {late / MiB:8.1f} MiB")
    print(f"{'  largest process, peak':34} {peak_process / MiB:8.1f} MiB   (goal: under 150 MB, flat)")
    print(f"{'  all gunicorn processes, peak':34} {peak_total / MiB:8.1f} MiB   (idle {sum(idle.values()) / MiB:.1f})")


if __name__ == "__main__":
    main()
