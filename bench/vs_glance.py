"""Side by side in one run: OpenStack Glance (the peer in ../shared/peers/glance) and this project's Glance API
under `run_console` (what `make run` serves), on the same work; prints each ratio with its goal (issue 15).

    python bench/vs_glance.py [--size-mib 1024] [--rounds 3] [--n-images 2000] [--list-runs 10] [--wrk-seconds 10]

Needs Glance in a virtual environment outside the project (GLANCE_VENV, default /tmp/venv-glance:
`python3 -m venv /tmp/venv-glance && /tmp/venv-glance/bin/pip install glance uwsgi python-glanceclient requests`)
and `wrk` (apt-get install wrk). Both servers get a temporary folder of their own and are stopped at the end.

Work, alternating which side goes first in each round:
- upload: POST /v2/images, then PUT …/file of a random file (Content-Length, 1 MiB writes), timed until the image
  is active (the PUT's answer on both: each is active, or refused, when it answers);
- download: GET …/file, read and discarded;
- N metadata-only images on each side, then list latencies (one new connection per request, as Glance's uWSGI
  configuration closes every connection) and `wrk -t2 -c8` on ?limit=50.
Figures are medians. The machine is shared: read ratios, not absolutes, and run this once, not in a loop.
"""

import argparse
import http.client
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
from pathlib import Path
from urllib.parse import urlsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
PEER = Path(os.environ.get("GLANCE_PEER", ROOT.parent / "shared" / "peers" / "glance"))
GLANCE_VENV = Path(os.environ.get("GLANCE_VENV", "/tmp/venv-glance"))
MiB = 1024 * 1024
GLANCE_HEADERS = {
    "X-Identity-Status": "Confirmed",
    "X-Project-Id": "0123456789abcdef0123456789abcdef",
    "X-User-Id": "perf-user",
    "X-Roles": "admin,member,reader",
}
DEMO_PASSWORD = "Bench-vs-glance-1"

# (work, unit, higher is better, goal as "project ÷ Glance" for rates or "Glance ÷ project" for times)
GOALS = {
    "upload until active": ("MB/s", True, "≥ 2.5×"),
    "download": ("MB/s", True, "≥ 1.0×"),
    "create a metadata-only image": ("ms", False, "keep > 1×"),
    "GET /v2/images?limit=1000": ("ms", False, "≥ 5×"),
    "GET /v2/images?limit=50": ("ms", False, "≥ 3×"),
    "GET /v2/images?name=… (exact)": ("ms", False, "≥ 3×"),
    "GET /v2/images?limit=1000&tag=…": ("ms", False, "≥ 5×"),
    "wrk -c8 on ?limit=50": ("req/s", True, "≥ 3×"),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=5)
            return
        except requests.RequestException:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")


class Side:
    def __init__(self, name: str, url: str, headers: dict):
        self.name, self.url, self.headers = name, url, headers
        self.session = requests.Session()
        self.session.headers.update(headers)

    def _connection(self) -> http.client.HTTPConnection:
        address = urlsplit(self.url)
        return http.client.HTTPConnection(address.hostname, address.port, timeout=900, blocksize=MiB)

    def create(self, name: str, **extra) -> str:
        body = {"name": name, "disk_format": "raw", "container_format": "bare", **extra}
        response = self.session.post(f"{self.url}/v2/images", json=body, timeout=60)
        response.raise_for_status()
        return response.json()["id"]

    def upload(self, image_id: str, path: Path) -> None:
        connection = self._connection()
        length = str(path.stat().st_size)
        headers = {**self.headers, "Content-Type": "application/octet-stream", "Content-Length": length}
        with open(path, "rb") as body:
            connection.request("PUT", f"/v2/images/{image_id}/file", body=body, headers=headers)
            response = connection.getresponse()
            response.read()
        connection.close()
        if response.status != 204:
            raise RuntimeError(f"{self.name}: upload answered {response.status}")

    def status(self, image_id: str) -> str:
        return self.session.get(f"{self.url}/v2/images/{image_id}", timeout=60).json().get("status", "")

    def download(self, image_id: str) -> int:
        connection = self._connection()
        connection.request("GET", f"/v2/images/{image_id}/file", headers=self.headers)
        response = connection.getresponse()
        if response.status != 200:
            raise RuntimeError(f"{self.name}: download answered {response.status}")
        received = 0
        while piece := response.read(MiB):
            received += len(piece)
        connection.close()
        return received

    def delete(self, image_id: str) -> None:
        self.session.delete(f"{self.url}/v2/images/{image_id}", timeout=60)

    def timed_get(self, path: str) -> float:
        began = time.perf_counter()
        response = requests.get(f"{self.url}{path}", headers=self.headers, timeout=120)  # a new connection
        response.raise_for_status()
        return (time.perf_counter() - began) * 1000

    def wrk(self, path: str, seconds: int) -> float:
        command = ["wrk", "-t2", "-c8", f"-d{seconds}s"]
        for key, value in self.headers.items():
            command += ["-H", f"{key}: {value}"]
        output = subprocess.run([*command, f"{self.url}{path}"], capture_output=True, text=True, check=True).stdout
        if "Non-2xx" in output:
            raise RuntimeError(f"{self.name}: wrk saw errors:\n{output}")
        return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


class Glance:
    """The peer's scripts, in a run folder of ours, on a free port."""

    def __init__(self, folder: Path):
        self.env = {**os.environ, "RUN": str(folder / "glance"), "PORT": str(free_port()), "VENV": str(GLANCE_VENV)}
        self.url = f"http://127.0.0.1:{self.env['PORT']}"

    def __enter__(self) -> "Glance":
        subprocess.run([str(PEER / "setup.sh")], env=self.env, check=True, capture_output=True)
        subprocess.run([str(PEER / "start.sh")], env=self.env, check=True, capture_output=True)
        return self

    def __exit__(self, *exc) -> None:
        subprocess.run([str(PEER / "stop.sh")], env=self.env, capture_output=True)


class Project:
    """`run_console` (web server and worker, as `make run` starts them) on a data folder of its own."""

    def __init__(self, folder: Path):
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.env = {
            **os.environ,
            "VAR_DIR": str(folder / "ims"),
            "DEMO_PASSWORD": DEMO_PASSWORD,
            "IMS_PRIVATE_IMAGE_QUOTA": "10000",
            "DJANGO_SETTINGS_MODULE": "console.settings",
        }
        self.env.pop("DATABASE_URL", None)
        self.command = [sys.executable, "manage.py", "run_console", "--host", "127.0.0.1", "--port", str(port)]
        self.process = None

    def __enter__(self) -> "Project":
        for step in (["migrate", "--no-input"], ["seed_demo"]):
            command = [sys.executable, "manage.py", *step]
            subprocess.run(command, cwd=ROOT, env=self.env, check=True, capture_output=True)
        self.log = open(Path(self.env["VAR_DIR"]) / "run_console.log", "wb")  # open for the server's whole life
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        wait_for(self.url + "/")
        return self

    def token(self) -> str:
        scope = {"project": {"name": "cn-north-4", "domain": {"name": "demo"}}}
        user = {"name": "demo-admin", "password": DEMO_PASSWORD, "domain": {"name": "demo"}}
        body = {"auth": {"identity": {"methods": ["password"], "password": {"user": user}}, "scope": scope}}
        response = requests.post(f"{self.url}/v3/auth/tokens", json=body, timeout=30)
        response.raise_for_status()
        return response.headers["X-Subject-Token"]

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)  # run_console stops its web server and worker with it
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


def random_file(path: Path, size: int) -> Path:
    block = os.urandom(64 * MiB)
    with open(path, "wb") as handle:
        for _ in range(size // len(block)):
            handle.write(block)
        handle.write(block[: size % len(block)])
    return path


def measure(sides: list[Side], args, source: Path) -> dict:
    figures = {work: {side.name: [] for side in sides} for work in GOALS}
    size = source.stat().st_size
    for round_number in range(args.rounds):
        for side in sides if round_number % 2 == 0 else sides[::-1]:
            image_id = side.create(f"bench-upload-{round_number}")
            began = time.perf_counter()
            side.upload(image_id, source)
            while (status := side.status(image_id)) != "active":  # both answer when active; this checks it
                if status in ("killed", "deleted"):
                    raise RuntimeError(f"{side.name}: the upload ended {status}")
                time.sleep(0.01)
            figures["upload until active"][side.name].append(size / (time.perf_counter() - began) / 1e6)
            began = time.perf_counter()
            assert side.download(image_id) == size
            figures["download"][side.name].append(size / (time.perf_counter() - began) / 1e6)
            side.delete(image_id)
            print(f"  round {round_number + 1} {side.name}: upload and download done", flush=True)
    if args.transfer_only:
        return figures
    formats = ("raw", "qcow2", "vhd", "vmdk")
    for n in range(args.n_images):
        for side in sides:
            began = time.perf_counter()
            side.create(f"img-{n:05d}", disk_format=formats[n % 4], tags=["perf", f"batch-{n // 500}"])
            figures["create a metadata-only image"][side.name].append((time.perf_counter() - began) * 1000)
    print(f"  {args.n_images} images created on each side", flush=True)
    lists = {
        "GET /v2/images?limit=1000": "/v2/images?limit=1000",
        "GET /v2/images?limit=50": "/v2/images?limit=50",
        "GET /v2/images?name=… (exact)": f"/v2/images?name=img-{args.n_images // 2:05d}",
        "GET /v2/images?limit=1000&tag=…": "/v2/images?limit=1000&tag=batch-1",
    }
    for _ in range(args.list_runs):
        for work, path in lists.items():
            for side in sides:
                figures[work][side.name].append(side.timed_get(path))
    for side in sides:
        figures["wrk -c8 on ?limit=50"][side.name].append(side.wrk("/v2/images?limit=50", args.wrk_seconds))
    return figures


def table(figures: dict) -> str:
    lines = [
        "| work | Glance | project | project ÷ Glance | goal |",
        "|---|---:|---:|---:|---|",
    ]
    for work, (unit, higher_better, goal) in GOALS.items():
        if not all(figures[work].values()):
            continue  # not measured in this run
        glance, ours = (statistics.median(figures[work][side]) for side in ("glance", "project"))
        ratio = ours / glance if higher_better else glance / ours
        reading = f"{ratio:.2f}×" if higher_better else f"{ratio:.2f}× faster"
        lines.append(f"| {work}, {unit} | {glance:,.1f} | {ours:,.1f} | {reading} | {goal} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--n-images", type=int, default=2000)
    parser.add_argument("--list-runs", type=int, default=10)
    parser.add_argument("--wrk-seconds", type=int, default=10)
    parser.add_argument("--transfer-only", action="store_true", help="upload and download only, no lists")
    args = parser.parse_args()
    if not (GLANCE_VENV / "bin" / "uwsgi").exists() or shutil.which("wrk") is None:
        sys.exit(f"needs Glance and uWSGI in {GLANCE_VENV} and wrk on the PATH; see this script's docstring")
    folder = Path(tempfile.mkdtemp(prefix="ims-vs-glance-"))
    try:
        with Glance(folder) as glance, Project(folder) as project:
            sides = [Side("glance", glance.url, GLANCE_HEADERS), Side("project", project.url, {})]
            sides[1].headers = {"X-Auth-Token": project.token()}
            sides[1].session.headers.update(sides[1].headers)
            source = random_file(folder / "source.bin", args.size_mib * MiB)
            print(f"Glance at {glance.url}, the project at {project.url}; {args.size_mib} MiB file", flush=True)
            print(table(measure(sides, args, source)))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
