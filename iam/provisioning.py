"""Provisioning identity from a file: accounts, their projects, users and Keystone role assignments in one step.

`parse_identity` turns the file's JSON into typed entries (or refuses it, naming the entry); `load_identity`
applies them in one transaction, so a bad entry leaves nothing half-applied. Applying is idempotent: what exists
is kept as it is (roles are only ever added), and every listed user's password is set to the file's.

A role is given through a group of the account per project and role (`keystone-<role>@<project id>`), holding
the role's policies in that project (`iam.roles`); `admin` also makes the user a cloud administrator.

Refusal codes: IAM.0501 malformed file or entry · IAM.0502 unknown region · IAM.0503 unknown project of a role ·
IAM.0504 user of another account · IAM.0505 password refused · IAM.0506 listed twice; and those of
`iam.projects` (IAM.040x), reported with the entry's name.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ImsError
from iam import seeding
from iam.models import Account, Group, Member, Project, Region
from iam.projects import ensure_project
from iam.roles import ADMIN, BY_NAME, ROLE_NAMES
from iam.seeding import ensure_group


@dataclass(frozen=True)
class RoleEntry:
    where: str
    project: str
    role: str


@dataclass(frozen=True)
class UserEntry:
    where: str
    name: str
    password: str
    roles: tuple[RoleEntry, ...]


@dataclass(frozen=True)
class ProjectEntry:
    where: str
    name: str
    region: str
    description: str = ""


@dataclass(frozen=True)
class AccountEntry:
    where: str
    name: str
    projects: tuple[ProjectEntry, ...]
    users: tuple[UserEntry, ...]


@dataclass
class Outcome:
    """What a run changed, for the operator: counts of what it created and of the passwords it set."""

    created: dict = field(default_factory=lambda: {"accounts": 0, "projects": 0, "users": 0, "role grants": 0})
    passwords_set: int = 0

    def summary(self) -> str:
        created = ", ".join(f"{count} {kind}" for kind, count in self.created.items())
        return f"Created {created}; set {self.passwords_set} passwords."  # an operator's command line, as manage.py


class EntryError(ImsError):
    """A refusal naming the entry of the file it is about."""

    def __init__(self, where: str, code: str, message: str):
        super().__init__(code, f"{where}: {message}")


# ---- parsing -------------------------------------------------------------------------------------------------


def _malformed(where: str, message: str) -> EntryError:
    return EntryError(where, "IAM.0501", message)


def _text(entry: dict, key: str, where: str, *, required: bool = True) -> str:
    value = entry.get(key, "" if not required else None)
    if not isinstance(value, str) or (required and not value.strip()):
        raise _malformed(where, _("%(key)s must be a non-empty string.") % {"key": key})
    return value


def _list(entry: dict, key: str, where: str) -> list:
    value = entry.get(key, [])
    if not isinstance(value, list):
        raise _malformed(where, _("%(key)s must be a list.") % {"key": key})
    return value


def _object(value, where: str) -> dict:
    if not isinstance(value, dict):
        raise _malformed(where, _("each entry must be a JSON object."))
    return value


def _where(parent: str, key: str, index: int, entry: dict) -> str:
    name = entry.get("name") or entry.get("project")
    return f"{parent}{key}[{index}]" + (f" ({name})" if isinstance(name, str) and name else "")


def _role(raw, where: str) -> RoleEntry:
    entry = _object(raw, where)
    role = _text(entry, "role", where)
    if role not in ROLE_NAMES:
        raise _malformed(
            where, _("unknown role %(role)s; roles are %(roles)s.") % {"role": role, "roles": ", ".join(ROLE_NAMES)}
        )
    return RoleEntry(where, project=_text(entry, "project", where), role=role)


def _user(raw, where: str) -> UserEntry:
    entry = _object(raw, where)
    roles = tuple(
        _role(role, _where(f"{where} › ", "roles", i, role if isinstance(role, dict) else {}))
        for i, role in enumerate(_list(entry, "roles", where))
    )
    return UserEntry(where, _text(entry, "name", where), _text(entry, "password", where), roles)


def _project(raw, where: str) -> ProjectEntry:
    entry = _object(raw, where)
    return ProjectEntry(
        where,
        _text(entry, "name", where),
        _text(entry, "region", where),
        _text(entry, "description", where, required=False),
    )


def _account(raw, where: str) -> AccountEntry:
    entry = _object(raw, where)
    nested = {}
    for key, parse in (("projects", _project), ("users", _user)):
        nested[key] = tuple(
            parse(item, _where(f"{where} › ", key, i, item if isinstance(item, dict) else {}))
            for i, item in enumerate(_list(entry, key, where))
        )
    return AccountEntry(where, _text(entry, "name", where), nested["projects"], nested["users"])


def parse_identity(data) -> tuple[AccountEntry, ...]:
    """The file's accounts as typed entries; refuses a malformed file naming the first bad entry."""
    if not isinstance(data, dict) or not isinstance(data.get("accounts"), list):
        raise _malformed(_("the file"), _('it must be a JSON object with a list "accounts".'))
    accounts = tuple(
        _account(raw, _where("", "accounts", i, raw if isinstance(raw, dict) else {}))
        for i, raw in enumerate(data["accounts"])
    )
    _refuse_repeats([(a.where, a.name) for a in accounts], _("account"))
    _refuse_repeats([(u.where, u.name) for a in accounts for u in a.users], _("user"))
    return accounts


def _refuse_repeats(entries: list[tuple[str, str]], kind: str) -> None:
    seen = set()
    for where, name in entries:
        if name in seen:
            raise EntryError(
                where, "IAM.0506", _("the %(kind)s %(name)s is listed twice.") % {"kind": kind, "name": name}
            )
        seen.add(name)


# ---- applying ------------------------------------------------------------------------------------------------


@transaction.atomic
def load_identity(accounts: tuple[AccountEntry, ...]) -> Outcome:
    """Applies the parsed file, all or nothing (an error rolls every change back)."""
    seeding.ensure_regions()
    seeding.ensure_system_policies()
    outcome = Outcome()
    for entry in accounts:
        _apply_account(entry, outcome)
    return outcome


def _apply_account(entry: AccountEntry, outcome: Outcome) -> None:
    outcome.created["accounts"] += not Account.objects.filter(name=entry.name).exists()
    account = seeding.ensure_account(entry.name)
    for project in entry.projects:
        _apply_project(account, project, outcome)
    for user in entry.users:
        _apply_user(account, user, outcome)


def _apply_project(account: Account, entry: ProjectEntry, outcome: Outcome) -> None:
    region = Region.objects.filter(pk=entry.region).first()
    if region is None:
        raise EntryError(entry.where, "IAM.0502", _("region %(region)s is not served.") % {"region": entry.region})
    try:
        _project, created = ensure_project(account, region, entry.name, description=entry.description)
    except ImsError as error:
        raise EntryError(entry.where, error.code, error.message) from None
    outcome.created["projects"] += created


def _apply_user(account: Account, entry: UserEntry, outcome: Outcome) -> None:
    user = get_user_model().objects.filter(username=entry.name).select_related("iam").first()
    membership = getattr(user, "iam", None) if user is not None else None
    if user is not None and (membership is None or membership.account_id != account.pk):
        raise EntryError(entry.where, "IAM.0504", _("the user name is taken by a user of another account."))
    if user is None:
        user = get_user_model().objects.create(username=entry.name)
        Member.objects.create(user=user, account=account)
        outcome.created["users"] += 1
    try:
        validate_password(entry.password, user)
    except ValidationError as error:
        raise EntryError(entry.where, "IAM.0505", " ".join(error.messages)) from None
    user.set_password(entry.password)
    for role in entry.roles:
        _apply_role(account, user, role, outcome)
    user.save()
    outcome.passwords_set += 1


def _apply_role(account: Account, user, entry: RoleEntry, outcome: Outcome) -> None:
    project = Project.objects.filter(account=account, name=entry.project).first()
    if project is None:
        raise EntryError(
            entry.where,
            "IAM.0503",
            _("the account has no project %(project)s (list it under the account's projects).")
            % {"project": entry.project},
        )
    role = BY_NAME[entry.role]
    policies = seeding.ensure_system_policies()
    name = f"keystone-{role.name}@{project.id}"
    created = not Group.objects.filter(account=account, name=name).exists()
    group = ensure_group(account, name, [policies[policy] for policy in role.policies], project)
    if created:
        group.description = f"Keystone role {role.name} in project {project.name} (load_identity)"[:255]
        group.save(update_fields=["description"])
        outcome.created["role grants"] += 1
    group.users.add(user)
    if role.name == ADMIN:
        # Keystone's admin is Glance's cloud administrator: here the platform operator (`iam.authz.is_cloud_admin`).
        user.is_superuser = user.is_staff = True
