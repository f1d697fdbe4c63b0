"""Grants on a key: let another account, project or user use it (an image encrypted with a custom key can be
shared with a project only once that project holds a grant on the key)."""

from django.utils.translation import gettext as _

from iam.actors import Actor
from iam.operations import operation
from kms.errors import invalid
from kms.models import KeyGrant, MasterKey
from kms.selectors import find_grant, find_key

GRANT_OPERATIONS = (
    "create-datakey",
    "create-datakey-without-plaintext",
    "encrypt-datakey",
    "decrypt-datakey",
    "describe-key",
    "create-grant",
    "retire-grant",
    "encrypt-data",
    "decrypt-data",
)
MAX_GRANTS = 100


@operation(
    "create_grant",
    target="key",
    find=find_key,
    summary=lambda kw: {"grantee": kw.get("grantee_principal"), "operations": kw.get("operations")},
)
def create_grant(
    actor: Actor,
    *,
    key: MasterKey,
    grantee_principal: str,
    operations: list[str],
    grantee_principal_type: str = "user",
    name: str = "",
) -> KeyGrant:
    if grantee_principal_type not in KeyGrant.PrincipalType.values:
        raise invalid("grantee_principal_type", _("user, domain (an account) or project."))
    if not isinstance(grantee_principal, str) or not 1 <= len(grantee_principal) <= 64:
        raise invalid("grantee_principal", _("the id of a user, an account or a project."))
    if not operations or any(op not in GRANT_OPERATIONS for op in operations):
        raise invalid("operations", _("a list of: %(ops)s.") % {"ops": ", ".join(GRANT_OPERATIONS)})
    if key.grants.count() >= MAX_GRANTS:
        raise invalid("key_id", _("a key has at most %(n)d grants.") % {"n": MAX_GRANTS})
    return KeyGrant.objects.create(
        key=key,
        name=name[:255],
        grantee_principal=grantee_principal,
        grantee_principal_type=grantee_principal_type,
        operations=list(dict.fromkeys(operations)),
        issuing_principal=str(actor.user.pk) if actor.user else "",
    )


@operation("list_grants", target="key", find=find_key)
def list_grants(actor: Actor, *, key: MasterKey) -> list[KeyGrant]:
    return list(key.grants.all())


@operation("revoke_grant", target="key", find=find_key, summary=lambda kw: {"grant_id": kw.get("grant_id")})
def revoke_grant(actor: Actor, *, key: MasterKey, grant_id: str) -> None:
    find_grant(key, grant_id).delete()
