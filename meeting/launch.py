"""The `meeting` command's first step: choose the server's concurrency before anything else
is imported.

Threading (the default) needs nothing. gevent runs every connection as a greenlet in one
thread, which costs less per phone (docs/performance.md); it must patch the standard
library's sockets, threads and locks before Flask, SQLAlchemy, the database drivers or
Redis import them, so it is done here, from `--async gevent`, the MEETING_ASYNC_MODE
variable or ``[server] async_mode`` in the configuration, before the command line loads.
Only the standard library is used until then.
"""

from __future__ import annotations

import os
import sys
import tomllib
from pathlib import Path

ENV = "MEETING_ASYNC_MODE"
MODES = ("threading", "gevent")


def chosen_mode(argv: list[str], environ: dict[str, str] | os._Environ) -> str:
    """The async mode asked for: `--async MODE` on the command line, else the environment,
    else the configuration files (default.toml, then $MEETING_CONFIG)."""
    for i, word in enumerate(argv):
        if word == "--async" and i + 1 < len(argv):
            return argv[i + 1]
        if word.startswith("--async="):
            return word.split("=", 1)[1]
    if environ.get(ENV):
        return environ[ENV]
    mode = "threading"
    package = Path(__file__).resolve().parent
    for path in (
        package / "config" / "default.toml",
        package.parent / "config" / "default.toml",
        environ.get("MEETING_CONFIG"),
    ):
        if not path or not Path(path).is_file():
            continue
        try:
            server = tomllib.loads(Path(path).read_text("utf-8")).get("server", {})
        except (OSError, tomllib.TOMLDecodeError):
            continue  # the settings module reports a broken file properly, later
        mode = str(server.get("async_mode", mode))
    return mode


def main() -> None:
    mode = chosen_mode(sys.argv[1:], os.environ)
    if mode == "gevent":
        from gevent import monkey

        monkey.patch_all()
    if mode in MODES:
        os.environ[ENV] = mode  # the app's settings run in the mode just prepared
    from .cli import main as command

    command()
