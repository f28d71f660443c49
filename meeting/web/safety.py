"""Small guards shared by the pages."""

from __future__ import annotations

from urllib.parse import urlsplit


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
