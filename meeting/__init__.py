"""The review-hearing app (一户一评): ``create_app`` builds it with its extensions and pages.

Importing the package loads nothing else, so that the `meeting` command can choose the
server's concurrency (and patch the standard library for gevent) before Flask, SQLAlchemy
or the socket libraries are imported (meeting/launch.py).
"""

from __future__ import annotations

from typing import Any


def create_app(config: Any = None, *, instance_path: str | None = None) -> Any:
    """Build the app (see meeting/app.py)."""
    from .app import create_app as build

    return build(config, instance_path=instance_path)


__all__ = ["create_app"]
