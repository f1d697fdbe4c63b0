"""`@operation`: authorization, one transaction and the audit trace, applied to a service function in one place."""

import contextlib
import functools

from django.db import transaction

from audit.models import TraceResult
from audit.recorder import record
from core.errors import ImsError
from iam.actors import Actor
from iam.authz import PermissionDenied, authorize_all
from iam.catalogue import operation as lookup


def _resource_of(value) -> tuple[str, str]:
    """The id and name a trace names: the object acted on, for a job the image it works on, for a service that
    returns (object, something shown once) the object."""
    if value is None:
        return "", ""
    if isinstance(value, tuple):
        value = value[0]
    if hasattr(value, "job_type") and value.image is not None:
        value = value.image
    name = getattr(value, "name", None) or getattr(value, "username", "")
    return str(getattr(value, "pk", "")), name


def operation(name: str, *, summary=None, atomic: bool = True, target: str = "image", find=None):
    """Wrap service `name` of the catalogue. `summary(kwargs)` picks what the trace keeps of the request;
    `target` names the keyword argument holding the object acted on (authorized against, traced).

    `find(actor, id)` looks the target up as the actor may reach it. Faces pass `<target>_id`: the lookup
    then runs inside the traced call, so a refused or missing target is traced as an attempt at this
    operation. An object handed in directly passes the same lookup: another tenant's object never reaches
    the service, whoever calls it.

    `atomic=False` is for operations that receive or assemble gigabytes: a transaction open while the bytes
    arrive would hold the database's write lock for minutes (SQLite takes it at BEGIN IMMEDIATE), so such
    bodies write their rows in short transactions of their own, after the bytes are stored.
    """
    op = lookup(name)
    target_name = target

    def decorate(func):
        @functools.wraps(func)
        def run(actor: Actor, **kwargs):
            trace = dict(
                event=op.trace_name,
                operation=op.name,
                actor=actor,
                resource_type=op.resource_type,
                summary=summary(kwargs) if summary else None,
            )
            target = kwargs.get(target_name)
            # Named before the call: a deleted object has lost its primary key afterwards.
            named = _resource_of(target) if target is not None else (str(kwargs.get(f"{target_name}_id", "")), "")
            try:
                if find is not None:
                    target = kwargs[target_name] = _found(find, actor, kwargs, target_name)
                    named = _resource_of(target)
                authorize_all(actor, op.actions, target)
                with transaction.atomic() if atomic else contextlib.nullcontext():
                    result = func(actor, **kwargs)
            except PermissionDenied as denied:
                _trace(op, trace, named, TraceResult.DENIED, denied.code)
                raise
            except ImsError as error:
                _trace(op, trace, named, TraceResult.FAILURE, error.code)
                raise
            except Exception:
                _trace(op, trace, named, TraceResult.FAILURE, "internal")  # a bug: traced all the same
                raise
            _trace(op, trace, named if target is not None else _resource_of(result), TraceResult.SUCCESS, "")
            return result

        run.operation = op
        return run

    return decorate


def _found(find, actor, kwargs: dict, name: str):
    given = kwargs.pop(f"{name}_id", None)
    target = kwargs.get(name)
    if target is None:
        return find(actor, given)
    if not actor.is_system:
        find(actor, target.pk)  # refuses what the actor cannot reach; the caller's object is kept
    return target


def trace_refused_attempt(op, actor, *, target_id: str, error: ImsError) -> None:
    """A face refused a request for operation `op` before calling its service (a form or a parser found a bad
    value): a failed attempt at the operation all the same, traced as the service would have traced it."""
    trace = dict(event=op.trace_name, operation=op.name, actor=actor, resource_type=op.resource_type)
    result = TraceResult.DENIED if error.status == 403 else TraceResult.FAILURE
    _trace(op, trace, (target_id, ""), result, error.code)


def _trace(op, trace: dict, named: tuple[str, str], result: str, error_code: str) -> None:
    # Reads are not traced: the product's audit trail is about changes and refusals of changes.
    if not op.changes_state or (result == TraceResult.SUCCESS and not op.traces_success):
        return
    resource_id, resource_name = named
    record(**trace, resource_id=resource_id, resource_name=resource_name, result=result, error_code=error_code)
