"""The domain core imports nothing from the web or the database."""

from __future__ import annotations

import ast
from pathlib import Path

import meeting.domain

FORBIDDEN = (
    "flask",
    "flask_",
    "sqlalchemy",
    "werkzeug",
    "jinja2",
    "wtforms",
    "socketio",
    "engineio",
)
DOMAIN_DIR = Path(meeting.domain.__file__).parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level > 1:
            names.add("." * node.level + (node.module or ""))  # reaching out of the package
    return names


def test_domain_modules_import_no_web_or_database_library() -> None:
    files = sorted(DOMAIN_DIR.glob("*.py"))
    assert len(files) >= 8
    offenders = {
        f"{path.name}: {name}"
        for path in files
        for name in imported_modules(path)
        if name.startswith(FORBIDDEN)
        or name.startswith("..")
        or (name.startswith("meeting") and not name.startswith("meeting.domain"))
    }
    assert not offenders


def test_the_purity_check_catches_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from flask import current_app\nimport sqlalchemy.orm\nfrom ..store import x\n"
    )
    assert imported_modules(sample) == {"flask", "sqlalchemy.orm", "..store"}
