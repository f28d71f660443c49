"""Small guards shared by the pages."""

from __future__ import annotations

from itertools import chain
from urllib.parse import urlsplit

from flask import request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest

#: the largest id an INTEGER column holds on PostgreSQL (SQLite's hold more)
MAX_ID = 2**31 - 1


def record_id(value: str) -> int:
    """An id sent in a form: a number the database can hold, else ValueError (the form's
    ``get(..., type=record_id)`` then reads it as missing), never an overflow in the driver."""
    number = int(value)
    if not 0 < number <= MAX_ID:
        raise ValueError(value)
    return number


def local_path(target: str | None, fallback: str) -> str:
    """``target`` if it is a path on this site, else ``fallback``: never another site.

    Browsers drop tabs and newlines inside URLs and read a backslash as a slash, so
    "/\\t/evil.example" would become "//evil.example"; any such character is refused.
    """
    if not target or any(ord(c) < 0x20 or ord(c) == 0x7F or c == "\\" for c in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


class NulCharacter(BadRequest):
    """The request holds a NUL character (\\x00)."""

    #: the error page's sentence, in the reader's language
    explanation = _l(
        "The form or the web address contains a NUL character, which cannot be stored. "
        "Nothing was changed."
    )


def refuse_nul() -> None:
    """Before every page: a NUL in the path, the query, a form field or an uploaded file's
    name is refused (400) before any page reads it. No text column may hold one
    (PostgreSQL refuses it with an error that would be a 500), and no sentence needs one."""
    texts = chain(
        (request.path,),
        chain.from_iterable(request.args.items(multi=True)),
        chain.from_iterable(request.form.items(multi=True)),
        (name for name, _ in request.files.items(multi=True)),
        (upload.filename or "" for _, upload in request.files.items(multi=True)),
    )
    if any("\x00" in text for text in texts):
        raise NulCharacter()
