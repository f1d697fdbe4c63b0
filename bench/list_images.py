"""How fast the image lists answer with 10,000 images: the API list (AK/SK signed) and the console's list page.

    python bench/list_images.py [--requests 50] [--keep]

Runs on its own: a temporary VAR_DIR with a fresh SQLite database (or the database of DATABASE_URL, which
should then be an empty one), migrated and seeded in bulk with one tenant, its access key and 10,000 images.
Each request is sent through Django's test client (no network); the table shows the median and the 90th
percentile of the wall time and the number of SQL queries of one request.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGION = "cn-north-4"
PRIVATE, OTHER_TENANT, PUBLIC = 5_000, 1_000, 4_000  # 10,000 images; the caller sees 9,000 of them


def prepare_environment(keep: bool) -> Path:
    var_dir = Path(tempfile.mkdtemp(prefix="ims-bench-"))
    os.environ["VAR_DIR"] = str(var_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    if not keep:
        import atexit

        atexit.register(shutil.rmtree, var_dir, ignore_errors=True)
    return var_dir


def seed():
    """One tenant with an administrator and an access key; its images, another tenant's, public ones."""
    from iam import seeding as iam
    from iam.credentials import create_access_key
    from iam.models import Project
    from iam.policies import IMS_FULL_ACCESS, TENANT_ADMINISTRATOR
    from images.models import Image, ImageTag

    iam.ensure_regions()
    policies = iam.ensure_system_policies()
    platform = iam.ensure_account("bench-platform", is_platform=True)
    tenant, other = iam.ensure_account("bench"), iam.ensure_account("bench-other")
    group = iam.ensure_group(tenant, "admins", [policies[IMS_FULL_ACCESS], policies[TENANT_ADMINISTRATOR]])
    user, _ = iam.ensure_user(tenant, "bench-admin", None, groups=[group])
    key, secret = create_access_key(user=user)
    project = Project.objects.select_related("region").get(account=tenant, region_id=REGION)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = []
    for owner, count, kind in (
        (project, PRIVATE, "private"),
        (Project.objects.get(account=other, region_id=REGION), OTHER_TENANT, "private"),
        (Project.objects.get(account=platform, region_id=REGION), PUBLIC, "gold"),
    ):
        rows += [
            Image(
                region_id=REGION,
                owner=owner,
                image_type=kind,
                name=f"{kind}-{owner.account.name}-{n:05d}",
                visibility="public" if kind == "gold" else "private",
                status="active",
                os_version="Ubuntu 22.04 server 64bit",
                platform="Ubuntu",
                size=n * 1024,
                created_at=start + timedelta(seconds=len(rows) + n),
            )
            for n in range(count)
        ]
    images = Image.objects.bulk_create(rows, batch_size=1000)
    ImageTag.objects.bulk_create(
        (
            ImageTag(image=image, key="env", value=("prod", "dev")[n % 2])
            for n, image in enumerate(images)
            if n % 3 == 0
        ),
        batch_size=1000,
    )
    return user, project, key.access_key, secret


def signed_get(client, url: str, *, ak: str, sk: str, project_id: str):
    from iam.signing import sign_request

    headers = sign_request(
        ak=ak,
        sk=sk,
        method="GET",
        url=f"http://testserver{url}",
        body=b"",
        headers={"Content-Type": "application/json", "X-Project-Id": project_id},
        now=datetime.now(UTC),
    )
    return lambda: client.generic("GET", url, headers=headers)


def measure(send, requests: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):  # warm-up: imports, first connection, the access key's "last used" write
        assert send().status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = send()
    assert response.status_code == 200, response.content[:300]
    queries = len(captured.captured_queries)  # now: the next request clears the connection's query log
    times = []
    for _ in range(requests):
        began = time.perf_counter()
        send()
        times.append((time.perf_counter() - began) * 1000)
    return {
        "median": statistics.median(times),
        "p90": statistics.quantiles(times, n=10)[-1],
        "queries": queries,
        "bytes": len(response.content),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50, help="timed requests per row (at least 30)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary VAR_DIR")
    args = parser.parse_args()
    requests = max(args.requests, 30)
    var_dir = prepare_environment(args.keep)

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0, interactive=False)
    began = time.perf_counter()
    user, project, ak, sk = seed()
    seeded = time.perf_counter() - began

    api, console = Client(), Client()
    console.force_login(user)
    sign = {"ak": ak, "sk": sk, "project_id": project.id}
    second_page = _marker_after(api, sign)
    rows = [
        ("GET /v2/cloudimages?limit=100 (AK/SK)", signed_get(api, "/v2/cloudimages?limit=100", **sign)),
        (
            "  … __imagetype=private&sort_key=name",
            signed_get(api, "/v2/cloudimages?__imagetype=private&limit=100&sort_dir=asc&sort_key=name", **sign),
        ),
        ("  … next page (marker)", signed_get(api, f"/v2/cloudimages?limit=100&marker={second_page}", **sign)),
        ("GET /v2/images?limit=100 (Glance)", signed_get(api, "/v2/images?limit=100", **sign)),
        ("console /console/images/?imagetype=private", lambda: console.get("/console/images/?imagetype=private")),
    ]
    results = [(name, measure(send, requests)) for name, send in rows]

    print(
        f"\n{connection.vendor} database, {PRIVATE + OTHER_TENANT + PUBLIC:,} images seeded in {seeded:.1f} s "
        f"(VAR_DIR {'kept at ' + str(var_dir) if args.keep else 'temporary'}); {requests} timed requests each\n"
    )
    print(f"{'request':46} {'median ms':>10} {'p90 ms':>8} {'queries':>8} {'bytes':>9}")
    for name, result in results:
        print(f"{name:46} {result['median']:10.1f} {result['p90']:8.1f} {result['queries']:8d} {result['bytes']:9,d}")


def _marker_after(api, sign: dict) -> str:
    response = signed_get(api, "/v2/cloudimages?limit=100", **sign)()
    return response.json()["page_info"]["next_marker"]


if __name__ == "__main__":
    main()
