"""Request-wide context that every layer may read: the request id and the caller's address."""

import contextvars

_request_id = contextvars.ContextVar("request_id", default="")


def current_request_id() -> str:
    return _request_id.get()


def bind_request_id(request_id: str) -> contextvars.Token:
    return _request_id.set(request_id)


def unbind_request_id(token: contextvars.Token) -> None:
    _request_id.reset(token)


def client_ip(request) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is caller-controlled unless a trusted proxy rewrites it.
    return request.META.get("REMOTE_ADDR", "")
