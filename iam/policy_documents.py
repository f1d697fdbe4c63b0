"""Checking a custom policy document before it is saved: every mistake named, in the user's language.

A policy that silently matches nothing is worse than a refusal: an administrator who types
`ims:image:get` (singular) believes the user may read images. So every action pattern must match at
least one action this service knows, and every resource must be an image URN this service can scope by.
"""

import json
import re
import uuid
from fnmatch import fnmatchcase

from django.utils.translation import gettext as _

from core.errors import ImsError
from core.json_body import BOUNDED_NUMBERS, check_depth, check_strings
from iam.catalogue import ALL_ACTIONS

MAX_DOCUMENT_CHARS = 6144  # the product's limit for one custom policy
MAX_STATEMENTS = 20
VERSION = "1.1"
EFFECTS = ("Allow", "Deny")
STATEMENT_KEYS = {"Effect", "Action", "Resource"}
ACTION_PATTERN = re.compile(r"^[A-Za-z*?]+:[A-Za-z*?]+:[A-Za-z*?]+$")
SEGMENT = re.compile(r"^(\*|[A-Za-z0-9-]{1,64})$")


class PolicyDocumentError(ImsError):
    def __init__(self, message: str):
        super().__init__("IAM.0101", message)


def parse_document(text: str) -> dict:
    """The document typed into a form: JSON, within the size limit, then checked as a whole."""
    if len(text) > MAX_DOCUMENT_CHARS:
        raise PolicyDocumentError(_("A policy can have at most %(n)d characters.") % {"n": MAX_DOCUMENT_CHARS})
    try:
        # Bounded like every JSON body (nesting, huge numbers, lone surrogates): a hostile document is refused.
        check_depth(text)
        document = json.loads(text, **BOUNDED_NUMBERS)
        check_strings(document)
    except json.JSONDecodeError as error:
        raise PolicyDocumentError(
            _("The policy is not valid JSON: %(reason)s at line %(line)d, column %(column)d.")
            % {"reason": error.msg, "line": error.lineno, "column": error.colno}
        ) from None
    except ImsError as refusal:
        raise PolicyDocumentError(refusal.message) from None
    validate_document(document)
    return document


def validate_document(document) -> None:
    if not isinstance(document, dict):
        raise PolicyDocumentError(_("The policy must be a JSON object with Version and Statement."))
    if len(json.dumps(document)) > MAX_DOCUMENT_CHARS:
        raise PolicyDocumentError(_("A policy can have at most %(n)d characters.") % {"n": MAX_DOCUMENT_CHARS})
    unknown = set(document) - {"Version", "Statement"}
    if unknown:
        raise PolicyDocumentError(_("Unknown policy field: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    if document.get("Version") != VERSION:
        raise PolicyDocumentError(_('Version must be "%(version)s".') % {"version": VERSION})
    statements = document.get("Statement")
    if not isinstance(statements, list) or not statements:
        raise PolicyDocumentError(_("Statement must be a non-empty list of statements."))
    if len(statements) > MAX_STATEMENTS:
        raise PolicyDocumentError(_("A policy can have at most %(n)d statements.") % {"n": MAX_STATEMENTS})
    for number, statement in enumerate(statements, start=1):
        _validate_statement(statement, number)


def _validate_statement(statement, number: int) -> None:
    where = {"n": number}
    if not isinstance(statement, dict):
        raise PolicyDocumentError(_("Statement %(n)d must be a JSON object.") % where)
    unknown = set(statement) - STATEMENT_KEYS
    if unknown:
        raise PolicyDocumentError(
            _("Statement %(n)d has unsupported fields: %(names)s.") % {**where, "names": ", ".join(sorted(unknown))}
        )
    if statement.get("Effect") not in EFFECTS:
        raise PolicyDocumentError(_('Statement %(n)d: Effect must be "Allow" or "Deny".') % where)
    actions = _string_list(
        statement.get("Action"), _("Statement %(n)d: Action must be a non-empty list of strings.") % where
    )
    for action in actions:
        _validate_action(action, number)
    if "Resource" in statement:
        resources = _string_list(
            statement["Resource"], _("Statement %(n)d: Resource must be a non-empty list of strings.") % where
        )
        for resource in resources:
            _validate_resource(resource, number)


def _string_list(value, message: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(item, str) and item for item in value):
        raise PolicyDocumentError(message)
    return value


def _validate_action(action: str, number: int) -> None:
    if not ACTION_PATTERN.match(action):
        raise PolicyDocumentError(
            _(
                'Statement %(n)d: "%(action)s" is not an action; write service:resource:action, '
                "for example ims:images:get or ims:*:get*."
            )
            % {"n": number, "action": action[:100]}
        )
    if not any(fnmatchcase(known.lower(), action.lower()) for known in ALL_ACTIONS):
        raise PolicyDocumentError(
            _('Statement %(n)d: the action "%(action)s" matches no action of this service.')
            % {"n": number, "action": action}
        )


def _validate_resource(resource: str, number: int) -> None:
    """ims:<region>:<project id>:image:<image id>, each of the three values either exact or *."""
    parts = resource.split(":")
    valid = (
        len(parts) == 5
        and parts[0] == "ims"
        and parts[3] == "image"
        and all(SEGMENT.match(part) for part in (parts[1], parts[2], parts[4]))
        and _image_id_ok(parts[4])
    )
    if not valid:
        raise PolicyDocumentError(
            _(
                'Statement %(n)d: "%(resource)s" is not an image resource; write '
                "ims:<region>:<project id>:image:<image id>, where any of the three may be *."
            )
            % {"n": number, "resource": resource[:200]}
        )


def _image_id_ok(value: str) -> bool:
    if value == "*":
        return True
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
