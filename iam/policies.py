"""The system roles and policies of the product, as data, and how a policy statement matches an action."""

from dataclasses import dataclass
from fnmatch import fnmatchcase

IMS_FULL_ACCESS = "IMS FullAccess"
IMS_READ_ONLY = "IMS ReadOnlyAccess"
IMS_ADMINISTRATOR = "IMS Administrator"
TENANT_ADMINISTRATOR = "Tenant Administrator"
SERVER_ADMINISTRATOR = "Server Administrator"
ECS_FULL_ACCESS = "ECS FullAccess"
ECS_READ_ONLY = "ECS ReadOnlyAccess"
EVS_FULL_ACCESS = "EVS FullAccess"
EVS_READ_ONLY = "EVS ReadOnlyAccess"
CBR_FULL_ACCESS = "CBR FullAccess"
CBR_READ_ONLY = "CBR ReadOnlyAccess"
KMS_ADMINISTRATOR = "KMS Administrator"
KMS_CMK_FULL_ACCESS = "KMS CMKFullAccess"


@dataclass(frozen=True)
class SystemPolicy:
    name: str
    kind: str
    description: str
    actions: tuple[str, ...]
    depends_on: tuple[str, ...] = ()


SYSTEM_POLICIES: tuple[SystemPolicy, ...] = (
    SystemPolicy(
        TENANT_ADMINISTRATOR, "system_role", "All operations on every service except identity management.", ("*:*:*",)
    ),
    SystemPolicy(
        IMS_ADMINISTRATOR,
        "system_role",
        "All image operations (needs Tenant Administrator in the same scope).",
        ("ims:*:*",),
        depends_on=(TENANT_ADMINISTRATOR,),
    ),
    SystemPolicy(
        SERVER_ADMINISTRATOR,
        "system_role",
        "Servers, disks and backups (needs IMS Administrator in the same project).",
        ("ecs:*:*", "evs:*:*", "cbr:*:*"),
        depends_on=(IMS_ADMINISTRATOR,),
    ),
    SystemPolicy(IMS_FULL_ACCESS, "system_policy", "All image operations.", ("ims:*:*",)),
    SystemPolicy(IMS_READ_ONLY, "system_policy", "View images and quotas only.", ("ims:*:get*", "ims:*:list*")),
    # Servers are made of disks and images: ECS's policies carry what a server needs of them, as the product's do.
    SystemPolicy(
        ECS_FULL_ACCESS,
        "system_policy",
        "All operations on servers and their disks; view images.",
        ("ecs:*:*", "evs:*:*", "ims:*:get*", "ims:*:list*"),
    ),
    SystemPolicy(
        ECS_READ_ONLY,
        "system_policy",
        "View servers, disks and images only.",
        ("ecs:*:get*", "ecs:*:list*", "evs:*:get*", "evs:*:list*", "ims:*:get*", "ims:*:list*"),
    ),
    SystemPolicy(EVS_FULL_ACCESS, "system_policy", "All operations on disks.", ("evs:*:*",)),
    SystemPolicy(EVS_READ_ONLY, "system_policy", "View disks only.", ("evs:*:get*", "evs:*:list*")),
    SystemPolicy(CBR_FULL_ACCESS, "system_policy", "All operations on backups and vaults.", ("cbr:*:*",)),
    SystemPolicy(CBR_READ_ONLY, "system_policy", "View backups and vaults only.", ("cbr:*:get*", "cbr:*:list*")),
    SystemPolicy(KMS_ADMINISTRATOR, "system_role", "All operations of the key management service.", ("kms:*:*",)),
    SystemPolicy(KMS_CMK_FULL_ACCESS, "system_policy", "All operations on customer master keys.", ("kms:cmk:*",)),
)


def document_for(actions: tuple[str, ...]) -> dict:
    return {"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": list(actions)}]}


@dataclass(frozen=True)
class Statement:
    effect: str  # "Allow" or "Deny"
    actions: tuple[str, ...]
    resources: tuple[str, ...] = ()  # empty: every resource

    def matches_action(self, action: str) -> bool:
        return any(fnmatchcase(action.lower(), pattern.lower()) for pattern in self.actions)

    def matches(self, action: str, resource_urn: str | None = None) -> bool:
        if not self.matches_action(action):
            return False
        if not self.resources:
            return True
        return resource_urn is not None and any(fnmatchcase(resource_urn, pattern) for pattern in self.resources)


def statements_of(document: dict) -> list[Statement]:
    statements = []
    for raw in document.get("Statement", []):
        actions = raw.get("Action", [])
        resources = raw.get("Resource", [])
        statements.append(
            Statement(
                effect=raw.get("Effect", "Allow"),
                actions=tuple([actions] if isinstance(actions, str) else actions),
                resources=tuple([resources] if isinstance(resources, str) else resources),
            )
        )
    return statements
