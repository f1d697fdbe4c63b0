"""The compat tier: OpenStack Tempest's image v2 API tests against a live server (`make compat`).

Tempest lives in its own virtual environment (TEMPEST_VENV, default var/tempest-venv), never in the project's:
its pinned OpenStack libraries must not decide the project's. This script, run with the project's Python:
1. migrates a fresh data folder (VAR_DIR) and provisions Tempest's users from an identity file with
   `manage.py load_identity` (a primary and an alternate project, and a cloud administrator);
2. starts the server (`run_console`) on a free loopback port;
3. writes tempest.conf and the pre-provisioned accounts file into a Tempest workspace under VAR_DIR;
4. runs `tempest.api.image.v2` (or TEMPEST_REGEX) and prints the pass/fail/skip counts; the exit status is
   Tempest's (non-zero when any test failed).
"""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
REGION = "cn-north-4"
DOMAIN = "Default"
# The whole image v2 API suite; the tests of what Glance makes optional skip themselves by tempest.conf below.
DEFAULT_REGEX = r"^tempest\.api\.image\.v2\."
# The tests this project knowingly fails, each with its reason; any other failure fails the tier.
KNOWN_FAILURES = Path(__file__).with_name("known_failures.txt")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def identity_document(password: str) -> dict:
    """Tempest's users: members of two projects (Tempest's primary and alternate), a reader of the primary's
    project and an administrator. Tempest hands out the first free entry for "primary": readers come last."""
    projects = ["tempest-proj1", "tempest-proj2", "tempest-admin"]
    users = [
        ("tempest-user1", "tempest-proj1", "member"),
        ("tempest-user2", "tempest-proj2", "member"),
        ("tempest-reader1", "tempest-proj1", "reader"),
        ("tempest-admin", "tempest-admin", "admin"),
    ]
    return {
        "accounts": [
            {
                "name": DOMAIN,
                "projects": [{"name": name, "region": REGION} for name in projects],
                "users": [
                    {"name": name, "password": password, "roles": [{"project": project, "role": role}]}
                    for name, project, role in users
                ],
            }
        ]
    }


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, check=True, cwd=ROOT)


def provision(env: dict, workspace: Path, password: str) -> list[dict]:
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_metadefs", "-v0")
    identity_file = workspace / "identity.json"
    identity_file.write_text(json.dumps(identity_document(password), indent=2))
    identity_file.chmod(0o600)
    manage(env, "load_identity", str(identity_file))
    users = identity_document(password)["accounts"][0]["users"]
    return [
        {
            "username": user["name"],
            "password": password,
            "project_name": user["roles"][0]["project"],
            "user_domain_name": DOMAIN,
            "project_domain_name": DOMAIN,
            **tempest_roles(user["roles"][0]["role"]),
        }
        for user in users
    ]


def tempest_roles(role: str) -> dict:
    return {"types": ["admin"], "roles": ["admin"]} if role == "admin" else {"roles": [role]}


def tempest_conf(url: str, workspace: Path) -> str:
    return f"""[DEFAULT]
log_file = {workspace / "tempest.log"}

[auth]
use_dynamic_credentials = False
test_accounts_file = {workspace / "etc" / "accounts.yaml"}
default_credentials_domain_name = {DOMAIN}
admin_domain_name = {DOMAIN}
create_isolated_networks = False

[identity]
uri_v3 = {url}/v3
auth_version = v3
region = {REGION}
v3_endpoint_type = public

[identity-feature-enabled]
api_v2 = False

[service_available]
glance = True
nova = False
neutron = False
cinder = False
swift = False

[image]
region = {REGION}
endpoint_type = public
build_timeout = 60
build_interval = 1
# The tests of an import "on another worker" use the same endpoint: every worker of the server stages into, and
# imports from, the same staging folder, so any worker may take the import of a file another one staged.
alternate_image_endpoint = image
alternate_image_endpoint_type = public
# No image is fetched from the web (Glance makes web-download optional): the task import tests are skipped.
http_image =
# The list tests upload made-up bytes under every format named here. The service inspects every upload and
# refuses a file that is not the qcow2, vhd… it claims to be, as Glance's format enforcement does; any bytes are
# a valid raw disk, so with raw alone those tests run (Tempest asks for `image_format_enforcement = False` to run
# them at all) without the service accepting anything it would not.
disk_formats = raw
container_formats = bare,ovf,ova,aki,ari,ami,docker,compressed

[image-feature-enabled]
# Interoperable import with glance-direct, the only method offered (GET /v2/info/import): the web-download,
# glance-download and copy-image tests skip themselves, as do the multi-store ones (one store per region).
import_image = True
manage_locations = False
os_glance_reserved = True
image_format_enforcement = False
"""


def accounts_yaml(accounts: list[dict]) -> str:
    # YAML is a superset of JSON: one JSON document per entry needs no YAML library in this environment.
    return "\n".join(f"- {json.dumps(account)}" for account in accounts) + "\n"


def wait_until_up(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped at start (exit {server.returncode})")
        try:
            with urllib.request.urlopen(f"{url}/v2", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the server did not answer within a minute")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def run_tempest(venv: Path, workspace: Path, regex: str) -> int:
    tempest = venv / "bin" / "tempest"
    conf = workspace / "etc" / "tempest.conf"
    # One worker: Tempest then always hands the same pre-provisioned member out as "primary" (never the reader).
    command = [str(tempest), "run", "--config-file", str(conf), "--regex", regex, "--concurrency", "1"]
    command += ["--exclude-list", str(KNOWN_FAILURES)]
    return subprocess.run(command, cwd=workspace).returncode


def main() -> int:
    var_dir = Path(os.environ.get("VAR_DIR", ROOT / "var" / "tempest")).resolve()
    venv = Path(os.environ.get("TEMPEST_VENV", ROOT / "var" / "tempest-venv")).resolve()
    regex = os.environ.get("TEMPEST_REGEX", DEFAULT_REGEX)
    shutil.rmtree(var_dir, ignore_errors=True)  # every run starts from an empty database
    var_dir.mkdir(parents=True)
    workspace = var_dir / "workspace"
    # The workspace register lives beside it too: nothing is written to the user's ~/.tempest.
    register = ["--workspace-path", str(var_dir / "workspaces.yaml"), "--name", "ims-compat"]
    subprocess.run([str(venv / "bin" / "tempest"), "init", *register, str(workspace)], check=True, cwd=var_dir)
    env = {**os.environ, "VAR_DIR": str(var_dir), "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1"}
    password = "Tempest-" + secrets.token_urlsafe(12)
    accounts = provision(env, workspace, password)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "run_console", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=ROOT,
        start_new_session=True,
        stdout=(var_dir / "server.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_up(url, server)
        (workspace / "etc" / "tempest.conf").write_text(tempest_conf(url, workspace))
        (workspace / "etc" / "accounts.yaml").write_text(accounts_yaml(accounts))
        (workspace / "etc" / "accounts.yaml").chmod(0o600)
        return run_tempest(venv, workspace, regex)
    finally:
        stop(server)


if __name__ == "__main__":
    sys.exit(main())
