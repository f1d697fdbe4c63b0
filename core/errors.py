"""The one error type services raise: a stable code, a message in the user's language, an HTTP status."""

from core.context import current_request_id


class ImsError(Exception):
    """A refusal the user can act on: a stable code, a message in the user's language, an HTTP status."""

    status = 400

    def __init__(self, code: str, message: str, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = str(message)
        if status is not None:
            self.status = status

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message}}


class GatewayError(ImsError):
    """An authentication failure, answered as the cloud's API gateway does (the SDK reads this shape)."""

    status = 401

    def body(self) -> dict:
        return {"error_code": self.code, "error_msg": self.message, "request_id": current_request_id()}


def invalid(field: str, message: str) -> ImsError:
    """IMG.0001 naming the field: the one shape of a refused input value."""
    return ImsError("IMG.0001", f"{field}: {message}")


def describe_validation(detail) -> str:
    """Flatten DRF's nested error detail into one readable sentence naming the fields."""
    if isinstance(detail, dict):
        return "; ".join(f"{field}: {describe_validation(value)}" for field, value in detail.items())
    if isinstance(detail, list):
        return " ".join(describe_validation(item) for item in detail)
    return str(detail)
