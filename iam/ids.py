"""Identifiers in the shapes the product uses."""

import secrets
import string


def new_hex_id() -> str:
    """32 lowercase hex characters, like the product's project, account and job ids."""
    return secrets.token_hex(16)


def new_access_key_id() -> str:
    alphabet = string.ascii_uppercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(20))


def new_secret_key() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(40))
