"""The audit tests reuse the console and API clients of the other test packages."""

from tests.console.conftest import console_as  # noqa: F401
from tests.images.conftest import signed_client  # noqa: F401
