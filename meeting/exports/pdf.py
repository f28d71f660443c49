"""The minutes and the notice as PDF, drawn by WeasyPrint from HTML templates with a Chinese
font embedded; without one installed the export refuses rather than print empty boxes."""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import lru_cache

from flask import render_template

from .content import Minutes
from .notice import Notice, notice_table
from .sign_in import SignInSheet

#: Simplified Chinese faces, best first: Debian's fonts-noto-cjk, then others a laptop may have
PREFERRED_FAMILIES = (
    "Noto Serif CJK SC",
    "Noto Sans CJK SC",
    "Source Han Serif SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "AR PL UMing CN",
)
FONT_PACKAGE = "fonts-noto-cjk"
FIELD = re.compile(r"%\((page|pages)\)s")


class FontMissing(RuntimeError):
    """No font with Chinese glyphs is installed: the PDF would show empty boxes."""


@lru_cache(maxsize=1)
def _installed_chinese_families() -> tuple[str, ...]:
    """The font families fontconfig knows that cover Chinese (``fc-list :lang=zh``)."""
    if shutil.which("fc-list") is None:
        return ()
    listed = subprocess.run(
        ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False
    ).stdout
    families = {name.strip() for line in listed.splitlines() for name in line.split(",")}
    return tuple(sorted(f for f in families if f))


def chinese_fonts() -> tuple[str, ...]:
    """The families to ask for, best first; empty when the machine has no Chinese font."""
    installed = _installed_chinese_families()
    preferred = tuple(f for f in PREFERRED_FAMILIES if f in installed)
    return preferred or installed[:1]


def _font_stack() -> str:
    families = chinese_fonts()
    if not families:
        raise FontMissing(
            "No font with Chinese characters is installed, so the PDF would show empty boxes. "
            f"Install Debian's {FONT_PACKAGE} package (apt-get install {FONT_PACKAGE}), "
            "or export the minutes as DOCX."
        )
    return ", ".join(f'"{f}"' for f in families)


def page_counter_css(template: str) -> str:
    """The CSS ``content`` for "第 N 页 共 M 页": the translated text with page counters."""
    parts = []
    for index, part in enumerate(FIELD.split(template)):
        if index % 2:
            parts.append(f"counter({part})")
        elif part:
            parts.append('"' + part.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return " ".join(parts)


def _render(template: str, **context: object) -> bytes:
    from weasyprint import HTML  # imported late: loading Pango takes a moment

    html = render_template(template, font_stack=_font_stack(), **context)
    return HTML(string=html).write_pdf()


def minutes_pdf(minutes: Minutes) -> bytes:
    """The minutes as a PDF file (A4, the Chinese font embedded)."""
    return _render(
        "exports/minutes.html",
        locale=minutes.locale,
        minutes=minutes,
        t=minutes.texts,
        page_counter=page_counter_css(minutes.texts["page"]),
    )


def notice_pdf(notice: Notice) -> bytes:
    """The public notice list as a PDF file, ready to print and post."""
    header, rows = notice_table(notice)
    return _render(
        "exports/notice.html",
        locale=notice.locale,
        notice=notice,
        t=notice.texts,
        header=header,
        rows=rows,
        page_counter=page_counter_css(notice.texts["page"]),
    )


def sign_in_pdf(sheet: SignInSheet) -> bytes:
    """The sign-in sheet as a PDF file: A4, a tall row per signature."""
    return _render(
        "exports/sign_in.html",
        locale=sheet.locale,
        sheet=sheet,
        t=sheet.texts,
        page_counter=page_counter_css(sheet.texts["page"]),
    )
