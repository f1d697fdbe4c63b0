"""The trace table is a hash chain: appends stay valid under concurrency, edits and removals are named."""

import itertools
import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from audit.models import Trace, TraceImmutable
from audit.recorder import record
from core.errors import ImsError
from iam.operations import operation
from images.services.tags import add_image_tag
from tests import factories


@operation("update_image")
def rename(actor, *, image, name):
    image.name = name
    image.save()
    if name == "forbidden":
        raise ImsError("IMG.0099", "That name is not allowed.")
    return image


def verify() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def some_traces(count: int = 5) -> list[Trace]:
    return [
        record(
            event="updateImage", operation="update_image", resource_id=f"r{n}", account_id="acc", summary={"n": str(n)}
        )
        for n in range(count)
    ]


def test_the_chain_verifies_after_a_scenario_of_operations(tenant_a):
    image = factories.make_image(tenant_a.project)
    admin, reader = factories.actor(tenant_a.admin), factories.actor(tenant_a.reader)
    rename(admin, image=image, name="renamed")
    add_image_tag(admin, image=image, tags={"env": "prod"})
    with pytest.raises(ImsError):
        rename(reader, image=image, name="denied")  # a denial is traced too
    with pytest.raises(ImsError):
        rename(admin, image=image, name="forbidden")  # and a failure
    traces = list(Trace.objects.order_by("id"))
    assert len(traces) == 4 and {t.result for t in traces} == {"success", "denied", "failure"}
    assert traces[0].previous_hash == "" and all(b.previous_hash == a.hash for a, b in itertools.pairwise(traces))
    assert verify().strip() == "OK: 4 traces, chain intact"


@pytest.mark.django_db
def test_an_edit_by_raw_sql_is_named_by_verify_audit():
    traces = some_traces()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_trace SET username = %s WHERE id = %s", ["mallory", traces[2].pk])
    with pytest.raises(CommandError) as error:
        verify()
    assert f"id={traces[2].pk}" in str(error.value) and "changed" in str(error.value)


@pytest.mark.django_db
def test_a_raw_delete_of_a_middle_row_is_named_by_verify_audit():
    traces = some_traces()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_trace WHERE id = %s", [traces[2].pk])
    with pytest.raises(CommandError) as error:
        verify()
    assert f"id={traces[3].pk}" in str(error.value) and "removed" in str(error.value)


@pytest.mark.django_db
def test_a_raw_delete_of_the_newest_row_is_noticed():
    traces = some_traces(3)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_trace WHERE id = %s", [traces[-1].pk])
    with pytest.raises(CommandError, match="last records were removed"):
        verify()


@pytest.mark.django_db
def test_verify_audit_exits_non_zero_from_the_command_line():
    from django.core.management import execute_from_command_line

    traces = some_traces(2)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_trace SET event_name = %s WHERE id = %s", ["x", traces[0].pk])
    with pytest.raises(SystemExit) as exit_:
        execute_from_command_line(["manage.py", "verify_audit"])
    assert exit_.value.code != 0


@pytest.mark.django_db
def test_a_trace_refuses_to_be_saved_again_or_deleted():
    trace = some_traces(1)[0]
    trace.username = "mallory"
    with pytest.raises(TraceImmutable):
        trace.save()
    with pytest.raises(TraceImmutable):
        trace.delete()
    with pytest.raises(TraceImmutable):
        Trace.objects.filter(pk=trace.pk).update(username="mallory")
    with pytest.raises(TraceImmutable):
        Trace.objects.all().delete()
    assert Trace.objects.get(pk=trace.pk).username == "" and verify().startswith("OK: 1 ")


@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_writers_still_give_a_valid_chain():
    writers, per_writer, errors = 8, 10, []
    barrier = threading.Barrier(writers)

    def write(number: int):
        try:
            barrier.wait()
            for n in range(per_writer):
                record(event="addTag", operation="add_image_tag", resource_id=f"w{number}-{n}", account_id="acc")
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(number,)) for number in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Trace.objects.count() == writers * per_writer
    assert verify().strip() == f"OK: {writers * per_writer} traces, chain intact"
