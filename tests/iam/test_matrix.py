"""Every operation of the catalogue, for every kind of actor, through its face and through its service: allowed
or refused as the product says, the audit row of every state-changing attempt, and nothing of A's changed by a
refused one. What each kind may do comes from the hand-written table in `matrix_world`, never from the engine."""

import importlib
import pkgutil

import pytest
from django.db import transaction
from django.test import Client, override_settings

from audit.models import Trace
from core.errors import ImsError
from iam.authz import PermissionDenied
from iam.catalogue import OPERATIONS, operation
from tests.api_clients import SignedClient
from tests.iam.matrix_world import (
    ADMIN,
    ALLOWED,
    DENIED,
    KINDS,
    NOT_FOUND,
    SERVICELESS,
    build_base,
    build_cases,
    build_world,
    expected,
    fingerprint,
)

CASES = build_cases()
API_IDS = [(name, kind) for name in CASES if name not in ADMIN for kind in KINDS]
SERVICE_IDS = [(name, kind) for name in CASES if name not in SERVICELESS for kind in KINDS]


@pytest.fixture(scope="module")
def base(django_db_setup, django_db_blocker):
    """The identity, accounts and users every case shares, built once in a transaction rolled back at the end of
    the module; each case runs in a savepoint inside it (as TestCase.setUpTestData does), so ~1,400 cases stay
    within the time budget."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
                built = build_base()  # the hasher every case's fast_password_hashing fixture will use
            yield built
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


pytestmark = pytest.mark.usefixtures("own_var_dir")  # objects, parts and staged uploads of each case apart


def outcome_of(name: str, kind: str) -> str:
    spec = CASES[name]
    needed = set(operation(name).actions) | spec.also_needs
    return expected(kind, needed, on_own_image=spec.image in ("image", "queued"), foreign=spec.foreign)


def face_client(spec, world):
    if spec.face == "api":
        return SignedClient(world.user, project=world.actor_project)
    client = Client()
    if spec.face == "console":
        client.force_login(world.user)
        session = client.session
        session["region"] = world.actor_project.region_id
        session.save()
    return client


def check_answer(response, outcome: str, face: str, refusal: str = "") -> None:
    status = response.status_code
    if outcome == ALLOWED and refusal:
        assert status == 409 and response.json()["error"]["code"] == refusal, (status, response.content[:300])
    elif outcome == ALLOWED:
        assert 200 <= status < 400, (status, getattr(response, "content", b"")[:300])
    elif outcome == NOT_FOUND:
        assert status == 404, (status, getattr(response, "content", b"")[:300])
    else:
        assert status == 403, (status, getattr(response, "content", b"")[:300])
        if face == "api":
            assert response.json()["error"]["code"] == "IMG.0003"


def check_trace(name: str, world, outcome: str, refusal: str = "") -> None:
    """State-changing attempts leave the actor's row: success when allowed (a failure with the product's code when
    a rule refuses it after authorization), denied (IMG.0003) when refused, never success for another tenant's
    resource. Reads leave none."""
    op = operation(name)
    rows = list(Trace.objects.filter(operation=name, username=world.user.username).order_by("id"))
    if not op.changes_state:
        assert rows == [], "reads are not traced"
        return
    if outcome == ALLOWED and not refusal and not op.traces_success:
        assert rows == [], "a step of a traced operation leaves no row when it succeeds"
        return
    assert rows, f"no trace of {name} for {world.user.username}"
    results = {row.result for row in rows}
    if outcome == ALLOWED and refusal:
        assert results == {"failure"} and rows[-1].error_code == refusal, [(r.result, r.error_code) for r in rows]
    elif outcome == ALLOWED:
        assert results == {"success"}, [(r.result, r.error_code) for r in rows]
        assert rows[-1].account_id == world.user.iam.account_id and rows[-1].event_name == op.trace_name
    elif outcome == DENIED:
        assert results == {"denied"} and rows[-1].error_code == "IMG.0003", [(r.result, r.error_code) for r in rows]
    else:
        assert "success" not in results and results <= {"denied", "failure"}


@pytest.mark.parametrize(("name", "kind"), API_IDS, ids=[f"{n}-{k}" for n, k in API_IDS])
def test_api(base, db, name, kind):
    """Through the face: the REST API (AK/SK), the console for console-only operations, none for public ones."""
    spec, outcome = CASES[name], outcome_of(name, kind)
    world = build_world(kind, spec.parts, base)
    client = face_client(spec, world)
    before = fingerprint(world.alpha) if outcome != ALLOWED else None
    response = spec.api(client, world)
    check_answer(response, outcome, spec.face, spec.refusal)
    check_trace(name, world, outcome, spec.refusal)
    if kind == "other_tenant" and outcome == ALLOWED and not response.streaming:
        assert str(world.image.id).encode() not in response.content, "tenant A's image shown to tenant B"
    if outcome != ALLOWED:
        assert fingerprint(world.alpha) == before, "a refused operation changed tenant A's resources"


@pytest.mark.parametrize(("name", "kind"), SERVICE_IDS, ids=[f"{n}-{k}" for n, k in SERVICE_IDS])
def test_service(base, db, name, kind):
    """Through the service function (or, for reads, the selector) every face calls, given the object directly."""
    spec, outcome = CASES[name], outcome_of(name, kind)
    world = build_world(kind, spec.parts, base)
    actor = world.actor()
    before = fingerprint(world.alpha) if outcome != ALLOWED else None
    if outcome == ALLOWED and spec.refusal:
        with pytest.raises(ImsError) as refused:
            spec.service(actor, world)
        assert refused.value.code == spec.refusal
    elif outcome == ALLOWED:
        spec.service(actor, world)
    elif outcome == DENIED:
        with pytest.raises(PermissionDenied):
            spec.service(actor, world)
    else:
        with pytest.raises(ImsError) as refused:
            spec.service(actor, world)
        assert refused.value.status == 404, (refused.value.code, refused.value.message)
    check_trace(name, world, outcome, spec.refusal)
    if outcome != ALLOWED:
        assert fingerprint(world.alpha) == before, "a refused operation changed tenant A's resources"


def test_every_catalogue_operation_is_in_the_matrix():
    assert set(CASES) == {op.name for op in OPERATIONS}


def service_functions() -> dict[str, object]:
    """Every function wrapped by @operation in the service modules, by catalogue name."""
    modules = [importlib.import_module("iam.account"), importlib.import_module("images.metadefs.services")]
    for package in ("images.services", "obs.services", "compute.services", "kms.services"):
        path = importlib.import_module(package).__path__
        modules += [importlib.import_module(f"{package}.{info.name}") for info in pkgutil.iter_modules(path)]
    return {
        value.operation.name: value
        for module in modules
        for value in vars(module).values()
        if callable(value) and hasattr(value, "operation")
    }


# Reached without a decorated service, each for a reason: reads served by the selectors (not traced), static
# documents, the sign-in, whose trace the token view and the console's sign-in signal record, and the sign-out,
# whose trace the console's sign-out signal records.
WITHOUT_SERVICE = {
    "list_images",
    "glance_list_images",
    "glance_show_image",
    "show_image_quota",
    "show_job",
    "show_job_progress",
    "list_os_versions",
    "list_versions",
    "show_version",
    "glance_list_image_schemas",
    "glance_show_image_schemas",
    "glance_list_image_member_schemas",
    "glance_show_image_member_schemas",
    "glance_show_import_info",
    "glance_show_stores_info",
    "login",
    "logout",
}


def test_every_state_changing_operation_has_a_service():
    """A state-changing operation without an @operation service has no one place that authorizes and traces it."""
    missing = {op.name for op in OPERATIONS} - set(service_functions()) - WITHOUT_SERVICE
    assert missing == set(), f"operations without a decorated service function: {sorted(missing)}"
    assert all(not operation(name).changes_state or name in ("login", "logout") for name in WITHOUT_SERVICE)
