"""The Chinese catalogue covers every text the app shows, with the same placeholders."""

from __future__ import annotations

import re

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from meeting.web.i18n import CATALOGUE_DIR

from ..conftest import REPO

KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "msg": None}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def extracted_msgids() -> set[str]:
    ids: set[str] = set()
    for folder, method_map in (
        (REPO / "meeting", [("**.py", "python")]),
        (REPO / "templates", [("**.html", "jinja2")]),
    ):
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(folder), method_map, keywords=KEYWORDS
        ):
            ids.add(message if isinstance(message, str) else message[0])
    return ids


def catalogue() -> dict[str, str]:
    with (CATALOGUE_DIR / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return {m.id: m.string for m in read_po(f) if m.id}


def test_every_text_in_the_code_and_templates_has_a_chinese_translation() -> None:
    ids = extracted_msgids()
    assert len(ids) > 150
    zh = catalogue()
    missing = sorted(i for i in ids if not zh.get(i))
    assert missing == []


def test_the_catalogue_keeps_no_text_the_app_no_longer_shows() -> None:
    assert sorted(set(catalogue()) - extracted_msgids()) == []


def test_translations_keep_the_placeholders_of_the_original() -> None:
    wrong = {
        msgid: text
        for msgid, text in catalogue().items()
        if set(PLACEHOLDER.findall(msgid)) != set(PLACEHOLDER.findall(text))
    }
    assert wrong == {}


def test_the_quorum_reason_reads_in_chinese_by_default(app) -> None:
    from meeting.domain.quorum import check_quorum
    from meeting.texts import translate_in

    check = check_quorum(12, 3, app.extensions["meeting.settings"].rules)
    assert translate_in("zh", check.reasons[0]) == "村民代表到会 12 人，少于 15 人。"
    assert (
        translate_in("en", check.reasons[0])
        == "Villager representatives present: 12, fewer than 15."
    )


def test_a_language_asked_for_in_the_address_is_remembered(client) -> None:
    first = client.get("/login?lang=en")
    assert "Sign in" in first.get_data(as_text=True)
    assert any(h.startswith("lang=en;") for h in first.headers.getlist("Set-Cookie"))
    assert "Sign in" in client.get("/login").get_data(as_text=True)  # no ?lang= now
    assert "登录" in client.get("/login?lang=zh").get_data(as_text=True)
    assert "登录" in client.get("/login").get_data(as_text=True)
