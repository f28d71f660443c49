"""A built wheel carries the templates, static files, config, migrations and catalogues."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from ..conftest import REPO

CHECK_INSTALLED_APP = textwrap.dedent(
    """
    import re, sys
    from pathlib import Path
    import meeting
    site = Path(sys.argv[1])
    assert Path(meeting.__file__).is_relative_to(site), meeting.__file__
    from flask_migrate import upgrade
    from meeting import create_app
    from meeting.launch import chosen_mode
    from meeting.services.demo import ensure_demo
    # the `meeting` command finds the packaged configuration: gevent by default
    assert chosen_mode([], {}) == "gevent"
    # built in this process, which gevent's patching does not reach: threading
    app = create_app(
        {"TESTING": True, "server": {"async_mode": "threading"}}, instance_path=sys.argv[2]
    )
    with app.app_context():
        upgrade()
        ensure_demo()
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    assert "工作人员登录" in page, page
    assert client.get("/static/css/app.css").status_code == 200
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    form = {"csrf_token": token, "username": "demo", "password": "demo-hearing"}
    client.post("/login", data=form)
    cards = client.get("/staff/meetings/1/cards").get_data(as_text=True)
    assert cards.count('<article class="card"') == 23
    print("installed app OK")
    """
)


@pytest.mark.slow
def test_the_app_runs_from_a_built_wheel(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path / "dist"),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = (tmp_path / "dist").glob("meeting-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "meeting/static/css/app.css",
        "meeting/templates/base.html",
        "meeting/templates/staff/cards.html",
        "meeting/config/default.toml",
        "meeting/migrations/versions/0001_initial_schema.py",
        "meeting/migrations/alembic.ini",
        "meeting/translations/zh/LC_MESSAGES/messages.po",
    ):
        assert expected in names, expected

    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
    )
    env = {k: v for k, v in os.environ.items() if k not in ("MEETING_CONFIG", "MEETING_INSTANCE")}
    env["PYTHONPATH"] = str(site)  # ahead of the editable install of the checkout
    result = subprocess.run(
        [sys.executable, "-c", CHECK_INSTALLED_APP, str(site), str(tmp_path / "instance")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "installed app OK" in result.stdout
