"""The sign-in sheet (签到表) as a township files it: every member with their role and a
column to sign, 应到/实到 by role once presence is known; the PDF drawn by WeasyPrint and
the DOCX opened by LibreOffice, both rendered to PNG by pdftoppm (test-artifacts/)."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest

from meeting.domain.roles import Role
from meeting.exports import export
from meeting.extensions import db
from meeting.services import presence
from meeting.store.models import Meeting

from ..conftest import service_missing
from .ballot_helpers import seat_panel
from .test_exports import docx_text, pdf_text

# slow: renders the sheet with WeasyPrint and LibreOffice; left to the whole suite
pytestmark = pytest.mark.slow


def png(pdf: Path, stem: Path) -> Path:
    subprocess.run(["pdftoppm", "-r", "70", "-png", "-singlefile", str(pdf), str(stem)], check=True)
    return stem.with_suffix(".png")


def expected_counts(meeting: Meeting) -> Counter:
    return Counter(m.role for m in meeting.members)


def test_the_printed_sheet_before_the_roll_call_has_blank_present_counts(
    demo: Meeting, tmp_path: Path
) -> None:
    document = export(demo, "sign-in-pdf")
    path = tmp_path / document.filename
    path.write_bytes(document.data)
    text = pdf_text(path)
    compact = text.replace(" ", "")  # the title is printed letter-spaced
    assert "签到表" in compact and demo.title in compact and "签名" in compact
    for member in demo.members:
        assert member.name in text
    assert "实到人数在点名后填写" in text
    assert re.search(r"村民代表\s+18\s*\n", text), text  # 应到 18, 实到 left blank


def test_the_sheet_after_the_roll_call_in_pdf_and_docx(
    demo: Meeting, tmp_path: Path, artifacts: Path
) -> None:
    seat_panel(demo, representatives=16, cadres=4)
    presence.set_presence(demo.id, demo.members[-1].id, True, "host")
    db.session.expire_all()
    present = Counter(m.role for m in demo.members if m.present)
    expected = expected_counts(demo)

    sheet = export(demo, "sign-in-pdf")
    pdf = tmp_path / sheet.filename
    pdf.write_bytes(sheet.data)
    text = pdf_text(pdf)
    assert re.search(
        rf"村民代表\s+{expected[Role.REPRESENTATIVE]}\s+{present[Role.REPRESENTATIVE]}", text
    )
    assert re.search(rf"村干部\s+{expected[Role.CADRE]}\s+{present[Role.CADRE]}", text)
    everyone = len(demo.members)
    assert re.search(rf"全体成员\s+{everyone}\s+{sum(present.values())}", text)
    assert text.count("缺席") == everyone - sum(present.values())
    assert png(pdf, artifacts / "sign-in-sheet-pdf").stat().st_size > 10_000

    document = export(demo, "sign-in")
    words = docx_text(document.data)
    for member in demo.members:
        assert member.name in words
    assert "应到" in words and "实到" in words
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        service_missing("LibreOffice (Debian package libreoffice-writer-nogui)")
    docx = tmp_path / document.filename
    docx.write_bytes(document.data)
    subprocess.run(
        [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    converted = docx.with_suffix(".pdf")
    opened = pdf_text(converted)
    assert "签到表" in opened.replace(" ", "") and demo.members[0].name in opened
    assert re.search(
        rf"村民代表\s+{expected[Role.REPRESENTATIVE]}\s+{present[Role.REPRESENTATIVE]}", opened
    )
    assert png(converted, artifacts / "sign-in-sheet-docx").stat().st_size > 10_000


@pytest.mark.parametrize("fmt", ["sign-in", "sign-in-pdf"])
def test_the_secretary_and_the_clerk_download_it_and_a_host_alone_may_not(
    fmt: str, demo: Meeting, live_server: str
) -> None:
    from meeting.domain.staff_roles import StaffRole
    from meeting.services.staff import create_staff

    from ..conftest import STAFF_PASSWORD
    from .live import staff_cookies

    create_staff("host-only", STAFF_PASSWORD, None, {StaffRole.HOST})
    create_staff("secretary-only", STAFF_PASSWORD, None, {StaffRole.SECRETARY})
    import requests

    url = f"{live_server}/staff/meetings/{demo.id}/export/{fmt}"
    allowed = requests.get(url, cookies=staff_cookies(live_server, "secretary-only"))
    assert allowed.status_code == 200
    # the file's name in Chinese (RFC 5987), with an ASCII fallback for old browsers
    assert quote("签到表") in allowed.headers["Content-Disposition"]
    refused = requests.get(url, cookies=staff_cookies(live_server, "host-only"))
    assert refused.status_code == 403
