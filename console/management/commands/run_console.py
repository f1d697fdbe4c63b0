"""Serve the console and the API (gunicorn) together with a Celery worker, and stop both together."""

import ctypes
import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Ask Linux to send SIGTERM when our parent exits (e.g. `make` itself got SIGTERM): nothing is orphaned."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: Ctrl-C still reaches the whole process group


class Command(BaseCommand):
    help = "Serve the console and API with a job worker beside it; Ctrl-C or SIGTERM stops both."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--web-workers", type=int, default=2)

    def handle(self, *args, host, port, web_workers, **options):
        die_with_parent()
        bin_dir = os.path.dirname(sys.executable)
        web = subprocess.Popen(
            [
                os.path.join(bin_dir, "gunicorn"),
                "console.wsgi:application",
                "--bind",
                f"{host}:{port}",
                # One process per core: list pages are Python work under the GIL, so more processes than cores
                # only add switching (measured with wrk on 2 cores: 2x8 served more than 3x4 or 4x2). Threads
                # keep the console responsive while a worker thread streams a large upload.
                "--workers",
                str(web_workers),
                "--worker-class",
                "gthread",
                "--threads",
                "8",
                # SDKs and the console's htmx calls come in bursts on one connection: keep it open between them
                # rather than pay a new connection per call (gunicorn's default is 2 s).
                "--keep-alive",
                "5",
                "--timeout",
                "300",
                "--access-logfile",
                "-",
                "--log-level",
                "warning",
            ],
            preexec_fn=die_with_parent,
            # Each child leads its own process group, so stopping it reaches its own children too (gunicorn's
            # workers, celery's embedded beat), even when the child itself has to be killed.
            start_new_session=True,
        )
        worker = subprocess.Popen(
            [
                os.path.join(bin_dir, "celery"),
                "-A",
                "console",
                "worker",
                "--loglevel",
                "warning",
                # Threads: job work is qemu-img subprocesses, hashing and I/O, all of which release the GIL.
                "--pool",
                "threads",
                "--concurrency",
                "4",
                "--hostname",
                f"ims@{host}",
                "--beat",
                "--schedule",
                str(settings.VAR_DIR / "celerybeat-schedule"),
            ],
            preexec_fn=die_with_parent,
            start_new_session=True,
        )
        children = [web, worker]
        self._announce(host, port)
        stop = {"now": False}

        def request_stop(signum, frame):
            stop["now"] = True

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        while not stop["now"] and all(child.poll() is None for child in children):
            time.sleep(0.5)
        self._stop(children)
        failed = [child for child in children if child.returncode not in (0, -signal.SIGTERM, None)]
        if failed and not stop["now"]:
            raise SystemExit(1)

    def _announce(self, host, port):
        base = f"http://{host}:{port}"
        self.stdout.write(self.style.SUCCESS(f"\nIMS Console is running (data in {settings.VAR_DIR})."))
        self.stdout.write(f"  Console:      {base}/console/")
        self.stdout.write(f"  API docs:     {base}/api/docs")
        self.stdout.write(
            f"  Admin:        {base}/admin/  (demo-admin manages its own account there; create a "
            "platform operator with: manage.py createsuperuser)"
        )
        self.stdout.write("  Sign in as demo-admin with the password printed above. Ctrl-C stops everything.\n")

    def _stop(self, children):
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            # Whatever the child left behind in its group (a beat process, a web worker) goes with it.
            try:
                os.killpg(child.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
