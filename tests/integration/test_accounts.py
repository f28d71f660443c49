"""Staff accounts and their roles: an administrator creates and edits them on the staff
pages; a changed role signs the account out; the last administrator keeps the role; a
host alone cannot open the accounts."""

from __future__ import annotations

from meeting.domain.staff_roles import StaffRole
from meeting.extensions import db
from meeting.services.staff import create_staff, staff_named

from ..conftest import STAFF_PASSWORD, StaffClient


def sign_in(client, username: str) -> StaffClient:
    signed_in = StaffClient(client)
    answer = signed_in.post("/login", {"username": username, "password": STAFF_PASSWORD})
    assert answer.status_code == 302
    return signed_in


def test_an_administrator_creates_and_edits_accounts(app, staff) -> None:
    page = staff.get("/staff/accounts").get_data(as_text=True)
    assert "工作人员账号" in page and "clerk" in page
    created = staff.post(
        "/staff/accounts/new",
        {
            "username": "wang",
            "display_name": "王秘书",
            "password": "long enough",
            "roles": ["secretary"],
        },
    )
    assert created.status_code == 302
    wang = staff_named("wang")
    assert wang.role_set == {StaffRole.SECRETARY} and wang.display_name == "王秘书"
    refused = staff.post(
        "/staff/accounts/new", {"username": "li", "password": "long enough", "roles": []}
    )
    assert refused.status_code == 200 and staff_named("li") is None

    token = wang.session_token
    staff.post(
        f"/staff/accounts/{wang.id}",
        {"display_name": "王秘书", "password": "", "roles": ["secretary", "host"]},
    )
    db.session.expire_all()
    assert wang.role_set == {StaffRole.SECRETARY, StaffRole.HOST}
    assert wang.session_token != token  # what the account may do changed: signed out


def test_the_last_administrator_keeps_the_role(app, staff) -> None:
    clerk = staff_named("clerk")
    page = staff.post(
        f"/staff/accounts/{clerk.id}",
        {"display_name": "村文书", "password": "", "roles": ["host"]},
        follow_redirects=True,
    ).get_data(as_text=True)
    db.session.expire_all()
    assert "至少要保留一个管理员账号" in page and StaffRole.ADMIN in clerk.role_set


def test_a_host_alone_cannot_open_the_accounts_or_the_setup(app, client) -> None:
    create_staff("host-only", STAFF_PASSWORD, None, {StaffRole.HOST})
    host = sign_in(client, "host-only")
    assert host.get("/staff/accounts").status_code == 403
    assert host.get("/staff/meetings/new").status_code == 403
    assert host.get("/staff/meetings").status_code == 200
