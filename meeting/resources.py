"""Where the app's files are: inside the package when installed from a wheel, else the repo."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """The folder ``static``, ``templates`` or ``config``.

    A wheel carries them inside the package; an editable install or a checkout keeps them
    at the top of the repository, beside the package.
    """
    for candidate in (PACKAGE_DIR / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the app's {name!r} folder is missing beside {PACKAGE_DIR}")
