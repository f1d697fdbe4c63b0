"""The KMS API's answers, in the official field names and types (strings where the API has strings)."""

from kms.models import KeyGrant, MasterKey


def _millis(moment) -> str:
    return str(int(moment.timestamp() * 1000)) if moment else ""


def key_details(key: MasterKey) -> dict:
    return {
        "key_id": str(key.pk),
        "domain_id": key.account_id,
        "key_alias": key.alias,
        "realm": key.region_id,
        "key_spec": "AES_256",
        "key_usage": "ENCRYPT_DECRYPT",
        "key_description": key.description,
        "creation_date": _millis(key.created_at),
        "scheduled_deletion_date": _millis(key.deletion_date),
        "key_state": key.state,
        "default_key_flag": "1" if key.is_default else "0",
        "key_type": "1" if key.is_default else "0",
        "expiration_time": "",
        "origin": "kms",
        "key_rotation_enabled": "false",
        "sys_enterprise_project_id": "0",
        "keystore_id": "0",
    }


def key_status(key: MasterKey) -> dict:
    return {"key_id": str(key.pk), "key_state": key.state}


def grant(item: KeyGrant) -> dict:
    return {
        "key_id": str(item.key_id),
        "grant_id": item.pk,
        "grantee_principal": item.grantee_principal,
        "grantee_principal_type": item.grantee_principal_type,
        "operations": item.operations,
        "issuing_principal": item.issuing_principal,
        "creation_date": _millis(item.created_at),
        "name": item.name,
        "retiring_principal": "",
    }


def page(items: list, limit: int | None, marker: str | None) -> tuple[list, str, str]:
    """(items of the page, next_marker, truncated) — the marker is the offset of the next page."""
    start = int(marker) if marker and marker.isdigit() else 0
    limit = limit or 1000
    chosen = items[start : start + limit]
    more = start + limit < len(items)
    return chosen, str(start + limit) if more else "", "true" if more else "false"
