"""The `meeting` command: serve, demo, create-staff, and Flask-Migrate's `db` commands."""

from __future__ import annotations

import gc
import logging
import os
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade
from werkzeug.serving import WSGIRequestHandler

from . import create_app
from .domain.errors import DomainError
from .domain.staff_roles import StaffRole, parse_roles
from .extensions import socketio
from .services.staff import create_staff
from .web.addresses import is_loopback, lan_address


def _create_app() -> Flask:
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Run democratic review hearings (一户一评) with secret ballots on phones."""


def _check_async(asked: str | None) -> None:
    """`--async` is applied before the app is built (meeting/launch.py); here it is only
    checked, in case the command line was entered some other way."""
    running = current_app.extensions["meeting.settings"].server.async_mode
    if asked is not None and asked != running:
        raise click.ClickException(
            f"--async {asked} must be chosen when the `meeting` command starts "
            f"(this process runs {running})"
        )


def _settle_garbage_collector() -> None:
    """Keep the collector's pauses short while phones wait for answers.

    Everything loaded at start-up (Flask, SQLAlchemy's mappers, the catalogues) lives as
    long as the process, yet each full collection would walk it again: it is frozen out of
    the collector's reach, and the youngest generation is collected less often, since a
    state built for the screens makes thousands of short-lived objects.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def _serve(app: Flask, host: str | None, port: int | None) -> None:
    server = app.extensions["meeting.settings"].server
    host = host or server.host
    port = server.port if port is None else port
    lan = lan_address() if host in ("0.0.0.0", "::") else host
    base = server.public_url or f"http://{lan}:{port}"
    app.config.setdefault("JOIN_BASE_URL", base)
    click.echo(f"Serving on {host}:{port} ({server.async_mode})")
    click.echo(f"  on this computer:         http://127.0.0.1:{port}/")
    click.echo(f"  phones on the same Wi-Fi: {base}/")
    if is_loopback(lan):
        click.echo("  (this address is only reachable from this computer: phones cannot connect)")
    sys.stdout.flush()
    # request lines carry card tokens: keep Werkzeug's access log quiet whatever the logging setup
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # Flask's CLI makes app.run() a no-op; serving is exactly what this command is for.
    os.environ.pop("FLASK_RUN_FROM_CLI", None)
    _settle_garbage_collector()
    # Werkzeug's own server (threading) names its version in every answer; gevent's names none
    threaded = (
        {"request_handler": NamelessRequestHandler} if server.async_mode == "threading" else {}
    )
    socketio.run(
        app,
        host=host,
        port=port,
        use_reloader=False,
        log_output=False,
        allow_unsafe_werkzeug=True,  # the embedded server is the intended single-laptop mode
        **threaded,
    )


class NamelessRequestHandler(WSGIRequestHandler):
    """Werkzeug's server, without "Werkzeug/x.y Python/x.y" in every answer's Server header:
    no versions for a prober to look up."""

    def version_string(self) -> str:
        return "meeting"


ASYNC_OPTION = click.option(
    "--async",
    "async_mode",
    type=click.Choice(["threading", "gevent"]),
    default=None,
    help="Concurrency of the server (default from config: threading); see docs/deployment.md.",
)


@main.command("serve")
@click.option("--host", default=None, help="Address to listen on (default from config: 0.0.0.0).")
@click.option("--port", type=int, default=None, help="Port (default from config: 5000).")
@ASYNC_OPTION
@with_appcontext
def serve_command(host: str | None, port: int | None, async_mode: str | None) -> None:
    """Upgrade the database if needed and serve the app to the hall's network."""
    _check_async(async_mode)
    upgrade()
    _serve(current_app._get_current_object(), host, port)


@main.command("demo")
@click.option("--host", default=None, help="Address to listen on (default from config: 0.0.0.0).")
@click.option("--port", type=int, default=None, help="Port (default from config: 5000).")
@click.option("--no-serve", is_flag=True, help="Only create the demo meeting, do not serve.")
@ASYNC_OPTION
@with_appcontext
def demo_command(
    host: str | None, port: int | None, no_serve: bool, async_mode: str | None
) -> None:
    """Create the demo meeting (if absent) and serve it."""
    from .services.demo import DEMO_PASSWORD, DEMO_USERNAME, ensure_demo

    _check_async(async_mode)
    upgrade()
    meeting, created = ensure_demo()
    click.echo(("Created" if created else "Found") + f" the demo meeting: {meeting.title}")
    voting = sum(1 for m in meeting.members if m.votes)
    persons = sum(h.persons for h in meeting.households)
    click.echo(
        f"  {voting} voting members, {len(meeting.households)} households, {persons} persons"
    )
    here = f"http://127.0.0.1:{port or current_app.extensions['meeting.settings'].server.port}"
    click.echo(f"Staff sign-in: username {DEMO_USERNAME}  password {DEMO_PASSWORD}")
    click.echo("Then, in a browser on this computer:")
    click.echo(f"  1. the host console:      {here}/host/{meeting.id}")
    click.echo(f"  2. the projector (second window or screen): {here}/projector/{meeting.id}")
    click.echo(f"  3. print the QR cards:    {here}/staff/meetings/{meeting.id}/cards")
    click.echo(
        "  4. scan a card with a phone on the same Wi-Fi, or let the console's demo button "
        "vote for the members who have not joined"
    )
    if not no_serve:
        _serve(current_app._get_current_object(), host, port)


@main.command("create-staff")
@click.argument("username")
@click.option("--name", "display_name", default=None, help="Name shown on pages and minutes.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([r.value for r in StaffRole]),
    help="admin (setup, import, cards, accounts), host (runs the meeting) or secretary "
    "(notes, minutes, sign-off); repeat for several.",
)
@click.password_option(help="At least 8 characters; asked for if not given.")
@with_appcontext
def create_staff_command(
    username: str, display_name: str | None, roles: tuple[str, ...], password: str
) -> None:
    """Create a staff account with its roles, to sign in to the staff pages."""
    upgrade()
    try:
        create_staff(username, password, display_name, parse_roles(roles))
    except DomainError as error:
        raise click.ClickException(str(error.message)) from error
    click.echo(f"Created staff account {username} ({', '.join(sorted(roles))}).")


@main.command("verify")
@click.argument("meeting_id", metavar="MEETING", type=int)
@with_appcontext
def verify_command(meeting_id: int) -> None:
    """Check a meeting's audit trail (its event hash chain) and that the rows the minutes
    print match it; exit 1 at the first broken entry or difference."""
    from .extensions import db
    from .services.audit import verify_meeting
    from .store.models import Meeting

    upgrade()  # a database from before the chain gets its events hashed first
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        raise click.ClickException(f"There is no meeting {meeting_id}.")
    report = verify_meeting(meeting.id)
    if report.broken_seq is not None:
        click.echo(f"BROKEN at entry {report.broken_seq}: {report.problem}")
        sys.exit(1)
    if report.record_problem is not None:
        click.echo(f"DIFFERS from the chain: {report.record_problem}")
        sys.exit(1)
    click.echo(f"OK: {report.count} events, head hash {report.head}")


@main.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Back up even while a ballot is open.")
@with_appcontext
def backup_command(path: str, force: bool) -> None:
    """Copy the SQLite database consistently, while the app runs (SQLite's online backup).

    Refused while a ballot is open: until its close reseals them, its ballots lie in the
    database in the order they were cast, and a copy would keep that order.
    """
    from .services.backup import BackupRefused, backup

    try:
        written = backup(Path(path), force=force)
    except BackupRefused as refused:
        raise click.ClickException(str(refused)) from refused
    click.echo(str(written))


@main.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def restore_command(path: str) -> None:
    """Put a backup in place of the database, after checking every meeting's audit trail in
    it. Stop `meeting serve` first."""
    from .services.backup import BackupRefused, restore

    try:
        meetings = restore(Path(path))
    except BackupRefused as refused:
        raise click.ClickException(str(refused)) from refused
    click.echo(f"Restored {meetings} meetings from {path}; every audit trail verified.")


@main.command("export")
@click.argument("meeting_id", metavar="MEETING", type=int)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["docx", "pdf", "xlsx", "notice", "notice-pdf", "sign-in", "sign-in-pdf"]),
    default="docx",
    show_default=True,
    help="Minutes: docx, pdf or xlsx; the public notice list: notice (docx) or notice-pdf; "
    "the sign-in sheet: sign-in (docx) or sign-in-pdf.",
)
@click.option("--output", type=click.Path(dir_okay=False), help="Where to write the file.")
@with_appcontext
def export_command(meeting_id: int, fmt: str, output: str | None) -> None:
    """Write a meeting's minutes or public notice list to a file and print its path."""
    from pathlib import Path

    from .exports import export
    from .exports.pdf import FontMissing
    from .extensions import db
    from .store.models import Meeting

    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        raise click.ClickException(f"There is no meeting {meeting_id}.")
    try:
        document = export(meeting, fmt)
    except FontMissing as error:
        raise click.ClickException(str(error)) from error
    path = Path(output or document.filename)
    path.write_bytes(document.data)
    click.echo(str(path.resolve()))
