"""The Simplified Chinese catalogue is complete, compiled, and used by the console."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import make_image

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"


def read_po(path: Path) -> list[dict]:
    """The entries of a .po file: flags, msgid, msgid_plural and msgstr forms (just enough of the format).

    Obsolete entries (`#~`) are comments to gettext and are skipped here too.
    """
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry, field = {"flags": set(), "msgid": None, "msgid_plural": None, "msgstr": {}}, None
        for line in block.strip().splitlines():
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                _append(entry, field, ast.literal_eval(line))
            else:
                field, _, value = line.partition(" ")
                _append(entry, field, ast.literal_eval(value))
        if entry["msgid"] is not None:
            entries.append(entry)
    return entries


def _append(entry: dict, field: str, text: str) -> None:
    if field in ("msgid", "msgid_plural", "msgctxt"):
        entry[field] = (entry.get(field) or "") + text
    else:  # msgstr or msgstr[n]
        form = int(field[7:-1]) if field.startswith("msgstr[") else 0
        entry["msgstr"][form] = entry["msgstr"].get(form, "") + text


@pytest.fixture(scope="module")
def entries():
    return read_po(LOCALE_DIR / "django.po")


def test_the_catalogue_has_real_entries(entries):
    assert entries[0]["msgid"] == "" and "Plural-Forms: nplurals=1; plural=0;" in entries[0]["msgstr"][0]
    msgids = {entry["msgid"] for entry in entries}
    assert len(msgids) > 100
    assert {"Public images", "Private images", "Shared images", "Market images", "Offline"} <= msgids


def test_every_entry_is_translated(entries):
    untranslated = [
        entry["msgid"]
        for entry in entries[1:]
        if not entry["msgstr"] or any(not text for text in entry["msgstr"].values())
    ]
    assert untranslated == []


def test_no_entry_is_fuzzy(entries):
    assert [entry["msgid"] for entry in entries if "fuzzy" in entry["flags"]] == []


def test_placeholders_survive_translation(entries):
    placeholder = re.compile(r"%\(\w+\)[sd]|%[sd]")
    for entry in entries[1:]:
        expected = sorted(placeholder.findall(entry["msgid"]))
        for text in entry["msgstr"].values():
            assert sorted(placeholder.findall(text)) == expected, entry["msgid"]


def test_the_compiled_catalogue_matches_the_po_file(entries):
    with open(LOCALE_DIR / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in entries[1:]:
        if entry.get("msgctxt") is not None:
            assert compiled.pgettext(entry["msgctxt"], entry["msgid"]) == entry["msgstr"][0], entry["msgid"]
        elif entry["msgid_plural"] is None:
            assert compiled.gettext(entry["msgid"]) == entry["msgstr"][0], entry["msgid"]
        else:
            assert compiled.ngettext(entry["msgid"], entry["msgid_plural"], 2) == entry["msgstr"][0]


def test_the_console_in_simplified_chinese_shows_chinese_labels(console_as, tenant_a, public_catalog):
    client = console_as(tenant_a.admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    page = client.get("/console/images/").content.decode()

    for label in (
        "公共镜像",
        "私有镜像",
        "共享镜像",
        "市场镜像",
        "名称/ID",
        "状态",
        "操作系统",
        "架构",
        "正常",
        "最小系统盘",
        "华北-北京四",
        'lang="zh-hans"',
    ):
        assert label in page, label
    assert "Public images" not in page


def test_switching_language_renders_the_next_page_in_chinese(console_as, tenant_a):
    make_image(tenant_a.project, name="mine")
    client = console_as(tenant_a.admin)

    response = client.post(
        "/i18n/setlang", {"language": "zh-hans", "next": "/console/images/?imagetype=private"}, follow=True
    )

    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/console/images/?imagetype=private"
    assert "私有镜像" in page and "mine" in page
    assert "<title>私有镜像 · IMS 控制台</title>" in page


def test_the_language_switch_names_each_language_in_itself(console_as, tenant_a):
    client = console_as(tenant_a.admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    page = client.get("/console/images/").content.decode()

    assert ">English</button>" in page and ">简体中文</button>" in page
