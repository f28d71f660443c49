"""Staff accounts: the people who set up, host and minute meetings."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..domain.errors import SetupRefused
from ..domain.messages import msg
from ..extensions import db
from ..store.models import StaffUser
from .unit_of_work import account_change

MIN_PASSWORD_LENGTH = 8


def create_staff(username: str, password: str, display_name: str | None = None) -> StaffUser:
    """Create a staff account; refuses a taken username or a short password."""
    username = username.strip()
    if not username:
        raise SetupRefused(msg("A staff account needs a username."))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise SetupRefused(
            msg(
                "The password must have at least %(length)d characters.", length=MIN_PASSWORD_LENGTH
            )
        )
    if staff_named(username) is not None:
        raise SetupRefused(msg("The username %(name)s is taken.", name=username))
    user = StaffUser(
        username=username,
        display_name=display_name or username,
        password_hash=generate_password_hash(password),
    )
    with account_change() as session:
        session.add(user)
    return user


def staff_named(username: str) -> StaffUser | None:
    return db.session.scalar(select(StaffUser).where(StaffUser.username == username))


def authenticate(username: str, password: str) -> StaffUser | None:
    """The account if the password matches, else None (same answer for an unknown name)."""
    user = staff_named(username.strip())
    if user is None:
        # spend the same time as a real check so a guesser cannot tell names apart
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def end_sessions(user: StaffUser) -> None:
    """Sign the account out everywhere: every session and open connection stops working."""
    with account_change():
        user.session_token = secrets.token_hex(16)


_DUMMY_HASH = generate_password_hash("not a real password")
