"""The image lists under concurrent clients, served by `run_console` (what `make run` serves), with the
project's own ceiling measured in the same run: requests per second of each list and its ratio to that ceiling.

    python bench/lists_under_load.py [--images 1000] [--clients 50] [--seconds 10] [--rounds 2]

Runs on its own: a temporary VAR_DIR (SQLite), migrated, the demo seeded, and `--images` private images of the
demo account in bulk (a tenth of them tagged). Then `wrk -t2 -c<clients>` on, alternating in each round:
- the ceiling: `GET /v2`, the version document (no authentication, no database): what the web server, Django and
  DRF cost on this machine;
- the console list (private tab, 10 rows, the signed-in demo administrator's session);
- `GET /v2/cloudimages?limit=100` (IMS API) and `GET /v2/images?limit=50` (Glance API), with a token.
The issue's figure under 50 clients, 17 req/s for the console list, is printed beside it. The machine is shared:
read the ratios to the ceiling, measured in the same run, and the load average printed with them.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Bench-lists-under-load-1"
REGION = "cn-north-4"
EARLIER = {"console list, private tab": 17.0}  # issue 15, under 50 clients


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(var_dir: Path, images: int) -> tuple[str, str]:
    """Migrated and seeded in this process; returns (session cookie value, API token) of demo-admin."""
    os.environ.update(VAR_DIR=str(var_dir), DEMO_PASSWORD=PASSWORD, DJANGO_SETTINGS_MODULE="console.settings")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from iam.credentials import issue_token
    from iam.models import Project
    from images.models import Image, ImageTag

    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_demo", without_content=True, verbosity=0)
    user = get_user_model().objects.get(username="demo-admin")
    project = Project.objects.get(account=user.iam.account, region_id=REGION, is_default=True)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [
        Image(
            region_id=REGION,
            owner=project,
            name=f"img-{n:05d}",
            status="active",
            disk_format=("raw", "qcow2", "vhd", "vmdk")[n % 4],
            created_at=start + timedelta(seconds=n),
        )
        for n in range(images)
    ]
    created = Image.objects.bulk_create(rows, batch_size=500)
    ImageTag.objects.bulk_create(ImageTag(image=image, key="perf") for image in created[::10])
    session = SessionStore()
    session.update(
        {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
    )
    session.create()
    return session.session_key, issue_token(user=user, project=project)[0]


def wrk(url: str, headers: dict, clients: int, seconds: int) -> tuple[float, str]:
    command = ["wrk", "-t2", f"-c{clients}", f"-d{seconds}s", "--latency", "--timeout", "30s"]
    for key, value in headers.items():
        command += ["-H", f"{key}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in output or "Socket errors" in output:
        raise RuntimeError(f"wrk saw errors on {url}:\n{output}")
    # The latency distribution's own line: a thread's "+/- Stdev" column may also end in "99%".
    p99 = re.search(r"^\s*99%\s+(\S+)", output, re.MULTILINE)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)), p99.group(1) if p99 else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("needs wrk on the PATH (apt-get install wrk)")
    var_dir = Path(tempfile.mkdtemp(prefix="ims-lists-load-"))
    server = log = None
    try:
        session, token = prepare(var_dir, args.images)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        command = [sys.executable, "manage.py", "run_console", "--host", "127.0.0.1", "--port", str(port)]
        log = open(var_dir / "run_console.log", "wb")  # noqa: SIM115  (open for the server's whole life)
        server = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT)
        for _ in range(240):
            try:
                requests.get(f"{base}/v2", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.5)
        cookie = {"Cookie": f"sessionid={session}"}
        api = {"X-Auth-Token": token}
        targets = {
            "ceiling: GET /v2 (no auth, no database)": (f"{base}/v2", {}),
            "console list, private tab": (f"{base}/console/images/?imagetype=private", cookie),
            "GET /v2/cloudimages?limit=100": (f"{base}/v2/cloudimages?limit=100", api),
            "GET /v2/images?limit=50": (f"{base}/v2/images?limit=50", api),
        }
        for url, headers in targets.values():  # each answers, and the workers are warm
            response = requests.get(url, headers=headers, timeout=60, allow_redirects=False)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
        figures = {name: [] for name in targets}
        tails = {name: [] for name in targets}
        loads = []
        for round_number in range(args.rounds):
            names = list(targets) if round_number % 2 == 0 else list(targets)[::-1]
            for name in names:
                rate, p99 = wrk(*targets[name], args.clients, args.seconds)
                figures[name].append(rate)
                tails[name].append(p99)
            loads.append(os.getloadavg()[0])
        ceiling = statistics.median(figures[next(iter(targets))])
        print(
            f"\n{args.images:,} images, wrk -t2 -c{args.clients} -d{args.seconds}s, {args.rounds} rounds; "
            f"load average after each round: {', '.join(f'{load:.1f}' for load in loads)}\n"
        )
        print(f"{'request':42} {'req/s':>8} {'p99':>9} {'÷ ceiling':>10} {'earlier':>8}")
        for name in targets:
            rate = statistics.median(figures[name])
            earlier = f"{EARLIER[name]:.0f}" if name in EARLIER else ""
            print(f"{name:42} {rate:8.1f} {max(tails[name]):>9} {rate / ceiling:10.2f} {earlier:>8}")
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)  # run_console stops its web server and worker with it
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
        if log is not None:
            log.close()
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
