"""Staff accounts: the people who set up, host and minute meetings."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..domain.errors import SetupRefused
from ..domain.messages import msg
from ..domain.staff_roles import ALL_STAFF_ROLES, StaffRole, parse_roles, stored
from ..extensions import db
from ..store.models import StaffUser
from .unit_of_work import account_change

MIN_PASSWORD_LENGTH = 8


def create_staff(
    username: str,
    password: str,
    display_name: str | None = None,
    roles: Iterable[StaffRole] = ALL_STAFF_ROLES,
) -> StaffUser:
    """Create a staff account with its roles (by default all three, as in a village office
    of one); refuses a taken username, a short password or no role."""
    username = username.strip()
    if not username:
        raise SetupRefused(msg("A staff account needs a username."))
    _check_password(password)
    chosen = parse_roles(roles)
    if staff_named(username) is not None:
        raise SetupRefused(msg("The username %(name)s is taken.", name=username))
    user = StaffUser(
        username=username,
        display_name=(display_name or "").strip() or username,
        password_hash=generate_password_hash(password),
        roles=stored(chosen),
    )
    with account_change() as session:
        session.add(user)
    return user


def update_staff(
    user_id: int,
    display_name: str,
    roles: Iterable[StaffRole],
    password: str | None,
    actor: StaffUser,
) -> StaffUser:
    """An administrator changes an account's name, roles or password. A changed role or
    password signs the account out everywhere; the last administrator keeps that role."""
    user = db.session.get(StaffUser, user_id)
    if user is None:
        raise SetupRefused(msg("There is no such staff account."))
    chosen = parse_roles(roles)
    if StaffRole.ADMIN in user.role_set and StaffRole.ADMIN not in chosen:
        others = [u for u in all_staff() if u.id != user.id and StaffRole.ADMIN in u.role_set]
        if not others:
            raise SetupRefused(msg("At least one account must keep the administrator role."))
    if password:
        _check_password(password)
    with account_change():
        user.display_name = display_name.strip() or user.username
        if stored(chosen) != user.roles or password:
            user.session_token = secrets.token_hex(16)  # what it could do has changed
        user.roles = stored(chosen)
        if password:
            user.password_hash = generate_password_hash(password)
    return user


def all_staff() -> list[StaffUser]:
    return list(db.session.scalars(select(StaffUser).order_by(StaffUser.username)))


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise SetupRefused(
            msg(
                "The password must have at least %(length)d characters.", length=MIN_PASSWORD_LENGTH
            )
        )


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
