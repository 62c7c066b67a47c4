"""`make bench`: prints figures, each beside a baseline measured in the same run.

Run with the project's virtual environment; nothing here is a pass/fail test.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_store import bench_bulk_insert


def main() -> int:
    os.environ.setdefault("KPIDESK_HOME", tempfile.mkdtemp(prefix="kpidesk-bench-home-"))
    from bench_charts import bench_charts
    from bench_export import bench_export
    from bench_import import bench_import
    from bench_server import bench_server
    from bench_sie import bench_sie
    from bench_startup import bench_startup
    from bench_team import bench_team

    for bench in (
        bench_bulk_insert,
        bench_startup,
        bench_charts,
        bench_server,
        bench_team,
        bench_export,
        bench_import,
        bench_sie,
    ):
        bench()
    return 0


if __name__ == "__main__":
    sys.exit(main())
