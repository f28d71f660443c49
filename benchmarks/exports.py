"""Export times of the minutes and the notice for the demo meeting, all 31 households heard.

Builds the demo meeting in a temporary SQLite file, runs every household through the ballot
with the demo's bots (20 members present, one recusal, the secretary's notes on each), then
times each format a few times in this process and prints the medians:

    .venv/bin/python benchmarks/exports.py --runs 5 [--keep DIR]

The first run of each format is included (WeasyPrint loads Pango and the fonts on its first
PDF, which a secretary also waits for). ``--keep`` writes the files to DIR to look at.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade

from meeting import create_app
from meeting.exports import FORMATS, export
from meeting.services import hearings, notes, recusals
from meeting.services.demo import bot_votes, ensure_demo
from tests.integration.ballot_helpers import close_if_open, open_ballot, present_voters, seat_panel

NOTES = "申请人陈述：家中无固定收入，长期患病。\n问：是否有车辆？\n答：没有。"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="write the exported files to this folder")
    args = parser.parse_args()

    app = create_app(
        {"TESTING": True, "server": {"async_mode": "threading"}},
        instance_path=tempfile.mkdtemp(prefix="meeting-bench-"),
    )
    with app.app_context():
        upgrade()
        meeting, _ = ensure_demo()
        seat_panel(meeting)
        recusals.recuse(meeting.id, 1, present_voters(meeting)[0].id, "申请人的女婿", "bench")
        for household in list(meeting.households):
            position = household.position
            notes.save_notes(meeting.id, position, "statement_notes", NOTES, "bench")
            notes.save_notes(meeting.id, position, "questioning_notes", NOTES, "bench")
            open_ballot(meeting, position)
            bot_votes(meeting.id, position, "bench")
            close_if_open(meeting, position)
            hearings.announce(meeting.id, position, "bench")
        print(f"{len(meeting.households)} households heard; {args.runs} runs of each format")
        for fmt in FORMATS:
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                document = export(meeting, fmt)
                times.append(time.perf_counter() - start)
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                (args.keep / document.filename).write_bytes(document.data)
            print(
                f"{fmt:<11} median {statistics.median(times):6.2f} s   "
                f"first {times[0]:6.2f} s   {len(document.data) / 1024:7.0f} KB"
            )


if __name__ == "__main__":
    main()
