"""A failed job's reason in the reader's language.

Services and runners refuse with `ImsError(code, _("… %(size)s …") % {...})`: the message reaches the job already
written out. To show it in another language later, `fail` keeps beside it the message's catalogue entry (its
msgid, which is stable) and the values put into it, found by matching the message against the catalogue's
templates. `fail_reason` stays the English text the API and the official SDK read; the console renders the kept
reason with `reason_text` in the page's language. No schema change: the reason lives in `Job.entities` under a
key the API does not show (`images.api.representations.PUBLIC_JOB_ENTITIES`).
"""

import re
from functools import lru_cache

from django.utils import translation
from django.utils.translation import gettext, trans_real

__all__ = ["REASON_KEY", "english_reason", "reason_text"]

REASON_KEY = "reason"
# The language whose catalogue lists every msgid; English is the msgids themselves.
CATALOGUE_LANGUAGE = "zh-hans"
PLACEHOLDER = re.compile(r"%\((\w+)\)([sd])")
# A template that is (almost) only placeholders would match any text: it must say something of its own.
MIN_LITERAL = 8


def _pattern(text: str) -> tuple[re.Pattern, int] | None:
    """`text` (a template) as a regular expression with one named group per placeholder, and how many of its
    characters are literal; None for a template that is too unspecific or repeats a placeholder."""
    pieces, names, literal, position = [], [], 0, 0
    for match in PLACEHOLDER.finditer(text):
        constant = text[position : match.start()].replace("%%", "%")
        pieces.append(re.escape(constant))
        literal += len(constant)
        name = match.group(1)
        if name in names:
            return None
        names.append(name)
        pieces.append(rf"(?P<{name}>-?\d+)" if match.group(2) == "d" else rf"(?P<{name}>.+?)")
        position = match.end()
    constant = text[position:].replace("%%", "%")
    pieces.append(re.escape(constant))
    literal += len(constant)
    if literal < MIN_LITERAL:
        return None
    return re.compile("".join(pieces), re.DOTALL), literal


@lru_cache(maxsize=8)
def _templates(language: str) -> tuple[dict, list]:
    """The catalogue as the text of `language`: exact texts → msgid, and (pattern, literal length, msgid) for the
    templates with placeholders, the most specific first."""
    catalogue = trans_real.translation(CATALOGUE_LANGUAGE)._catalog
    english = language.split("-")[0] == "en"
    own = None if english else trans_real.translation(language)._catalog
    exact, patterns = {}, []
    for msgid, _translated in catalogue.items():
        if not isinstance(msgid, str) or not msgid:  # plural entries are keyed by (msgid, index)
            continue
        text = msgid if english else own.get(msgid)
        if not text:
            continue
        if "%(" not in msgid:
            exact.setdefault(text, msgid)
        elif compiled := _pattern(text):
            patterns.append((*compiled, msgid))
    patterns.sort(key=lambda entry: -entry[1])
    return exact, patterns


def _params_of(msgid: str, found: dict) -> dict:
    kinds = dict(PLACEHOLDER.findall(msgid))
    return {name: int(value) if kinds.get(name) == "d" else value for name, value in found.items()}


def find_reason(message: str) -> dict | None:
    """The catalogue entry `message` was written from, in the active language: {"msgid", "params"}, or None."""
    exact, patterns = _templates(translation.get_language() or "en")
    if message in exact:
        return {"msgid": exact[message], "params": {}}
    for pattern, _literal, msgid in patterns:
        if match := pattern.fullmatch(message):
            return {"msgid": msgid, "params": _params_of(msgid, match.groupdict())}
    return None


def english_reason(message: str) -> tuple[str, dict | None]:
    """The English text of `message` (written in the active language) and its kept reason, if it has one."""
    reason = find_reason(message)
    if reason is None:
        return message, None
    english = _render(reason["msgid"], reason["params"]) or message
    return english, (reason if reason["params"] else None)


def _render(template: str, params: dict) -> str | None:
    try:
        return template % params if params else template
    except (KeyError, TypeError, ValueError):
        return None


def reason_text(job) -> str:
    """The job's failure reason in the active language: from its kept reason, else its text if the catalogue
    knows it, else the text as stored."""
    if not job.fail_reason:
        return ""
    reason = job.entities.get(REASON_KEY) if isinstance(job.entities, dict) else None
    kept = isinstance(reason, dict) and isinstance(reason.get("msgid"), str) and isinstance(reason.get("params"), dict)
    text = _render(gettext(reason["msgid"]), reason["params"]) if kept else None
    return text if text is not None else gettext(job.fail_reason)
