"""Keystone v3 password authentication: the request body a client sends, and the token body it gets back."""

from django.contrib.auth.backends import ModelBackend
from django.utils.translation import gettext as _

from core.errors import ImsError
from iam import lockout
from iam.actors import actor_for_user
from iam.credentials import issue_token
from iam.models import Account, Project, Region
from iam.roles import role_reference, roles_of


class KeystoneUnauthorized(ImsError):
    status = 401

    def __init__(self, message: str | None = None):
        super().__init__("401", message or _("The request you have made requires authentication."))

    trace_code = "401"

    def body(self) -> dict:
        return {"error": {"code": 401, "message": self.message, "title": "Unauthorized"}}


class KeystoneNotFound(ImsError):
    """Keystone's 404, in Keystone's body: an identity object of another account is simply not there."""

    status = 404

    def __init__(self, kind: str, ref: str):
        super().__init__("404", _("Could not find %(kind)s: %(ref)s.") % {"kind": kind, "ref": ref})

    def body(self) -> dict:
        return {"error": {"code": 404, "message": self.message, "title": "Not Found"}}


class LockedOut(KeystoneUnauthorized):
    """Refused because the user name is locked after repeated failures (traced as "locked")."""

    trace_code = "locked"


def _pick(data: dict, *path):
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _account(ref: dict | None) -> Account | None:
    if not isinstance(ref, dict):
        return None
    if ref.get("id"):
        return Account.objects.filter(pk=ref["id"]).first()
    if ref.get("name"):
        return Account.objects.filter(name=ref["name"]).first()
    return None


def _scoped_project(account: Account, scope: dict | None) -> Project | None:
    projects = Project.objects.select_related("region", "account").filter(account=account)
    project_ref = _pick(scope or {}, "project")
    if not isinstance(project_ref, dict):
        return projects.filter(is_default=True).order_by("region__position").first()
    if project_ref.get("id"):
        return projects.filter(pk=project_ref["id"]).first()
    return projects.filter(name=project_ref.get("name", "")).first()


def claimed_username(body: dict) -> str:
    name = _pick(body, "auth", "identity", "password", "user", "name")
    return name[:150] if isinstance(name, str) else ""


def password_login(body: dict, *, request=None):
    """Checks the v3 password credentials; returns (token, token row) scoped to the asked project."""
    if _pick(body, "auth", "identity", "methods") != ["password"]:
        raise KeystoneUnauthorized(_("Only the password method is supported."))
    user_ref = _pick(body, "auth", "identity", "password", "user")
    if not isinstance(user_ref, dict):
        raise KeystoneUnauthorized()
    account = _account(user_ref.get("domain"))
    name, password = user_ref.get("name"), user_ref.get("password")
    if account is None or not (name and isinstance(name, str) and isinstance(password, str)):
        raise KeystoneUnauthorized()
    if "\x00" in name or "\x00" in password:
        raise KeystoneUnauthorized()  # no such user can exist, and the database would refuse the look-up
    until = lockout.locked_until(name)
    if until is not None:
        raise LockedOut(lockout.locked_message(until))
    # The password backend itself, not auth.authenticate(): that one also signals a failed console login,
    # and the token view records its own trace.
    user = ModelBackend().authenticate(request, username=name, password=password)
    if user is None or getattr(getattr(user, "iam", None), "account_id", None) != account.pk:
        lockout.record_failure(name)
        raise KeystoneUnauthorized()
    lockout.record_success(name)
    project = _scoped_project(account, _pick(body, "auth", "scope"))
    if project is None:
        raise KeystoneUnauthorized(_("The requested project does not exist in this account."))
    return issue_token(user=user, project=project)


def utc(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def token_body(row, *, endpoint: str) -> dict:
    project, account, user = row.project, row.project.account, row.user
    domain = {"id": account.id, "name": account.name}
    roles = roles_of(actor_for_user(user, project, via="api"))
    # Every region's image endpoint, so that keystoneauth finds the one of the region a client names; the
    # token's project decides the region a request acts in, so they share one address.
    regions = list(Region.objects.values_list("id", flat=True))
    return {
        "token": {
            "methods": ["password"],
            "expires_at": utc(row.expires_at),
            "issued_at": utc(row.issued_at),
            "user": {"id": str(user.pk), "name": user.username, "domain": domain},
            "project": {"id": project.id, "name": project.name, "domain": domain},
            "roles": [role_reference(role) for role in roles],
            "catalog": [
                _catalog_entry("image", "ims", endpoint, regions),
                _catalog_entry("identity", "iam", f"{endpoint}/v3", regions),
            ],
        }
    }


def _catalog_entry(kind: str, name: str, url: str, regions: list[str]) -> dict:
    return {
        "type": kind,
        "name": name,
        "id": name,
        "endpoints": [
            {
                "id": f"{name}-{region}-{interface}",
                "interface": interface,
                "region": region,
                "region_id": region,
                "url": url,
            }
            for region in regions
            for interface in ("public", "internal")
        ],
    }
