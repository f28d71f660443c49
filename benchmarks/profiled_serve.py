"""`meeting serve` under a CPU profiler that sees every thread (yappi), for the benchmarks.

    python -m benchmarks.profiled_serve OUT.txt serve --host 127.0.0.1 --port 5000

On SIGTERM the profile is written to OUT.txt: the functions by CPU time, inclusive and
exclusive, across all threads. `benchmarks/live_core.py --profile OUT.txt` starts the
server this way.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path


def main() -> None:
    import yappi

    out = Path(sys.argv.pop(1))
    from meeting.launch import chosen_mode

    if chosen_mode(sys.argv[1:], __import__("os").environ) == "gevent":
        from gevent import monkey

        monkey.patch_all()
        yappi.set_context_backend("greenlet")
    yappi.set_clock_type("cpu")
    yappi.start(builtins=False, profile_threads=True)

    def dump(*_args: object) -> None:
        yappi.stop()
        stats = yappi.get_func_stats()
        total = sum(s.tsub for s in stats) or 1.0
        lines = [f"total CPU in profiled functions: {total:.2f} s"]
        lines.append(" incl%   excl%   calls  function")
        for stat in sorted(stats, key=lambda s: s.ttot, reverse=True)[:150]:
            where = f"{Path(stat.module).name}:{stat.lineno}"
            lines.append(
                f"{100 * stat.ttot / total:6.1f}  {100 * stat.tsub / total:6.1f}  "
                f"{stat.ncall:7d}  {stat.name} ({where})"
            )
        lines.append("")
        lines.append("by exclusive time:")
        for stat in sorted(stats, key=lambda s: s.tsub, reverse=True)[:60]:
            where = f"{Path(stat.module).name}:{stat.lineno}"
            lines.append(f"{100 * stat.tsub / total:6.1f}  {stat.ncall:7d}  {stat.name} ({where})")
        out.write_text("\n".join(lines) + "\n")
        sys.exit(0)

    signal.signal(signal.SIGTERM, dump)
    from meeting.launch import main as meeting

    sys.argv[0] = "meeting"
    meeting()


if __name__ == "__main__":
    main()
