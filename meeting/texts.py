"""Turning the domain's messages and codes into text in the reader's language.

Used by every layer that shows text (pages, screens' states, documents); the web layer
only decides which language a request asks for (web/i18n.py).
"""

from __future__ import annotations

from enum import StrEnum

from flask_babel import force_locale, gettext

from .domain.messages import Message
from .labels import LABELS

#: the interface languages: Simplified Chinese first, English on request
LOCALES = ("zh", "en")


def translate(value: Message | StrEnum | str | None) -> str:
    """The text of a domain message or a code's label in the current language."""
    if value is None:
        return ""
    if isinstance(value, StrEnum) and value in LABELS:
        value = LABELS[value]
    if not isinstance(value, Message):
        return str(value)
    text = gettext(value.template)
    if not value.params:
        return text
    return text % {
        k: translate(v) if isinstance(v, Message) else v for k, v in value.params.items()
    }


def translate_in(locale: str, value: Message | StrEnum) -> str:
    """The text in a given language, whatever the current request asks for."""
    with force_locale(locale):
        return translate(value)
