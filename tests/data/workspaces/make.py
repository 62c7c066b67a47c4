"""Write the workspace file of each released schema version, for the migration tests.

    python tests/data/workspaces/make.py          # every version listed in RELEASES
    python tests/data/workspaces/make.py 1        # only schema-1.kpidesk

Each ``schema-N.kpidesk`` is the demo company (``kpidesk demo --until 2026-10 --lang sv``)
written by the code of the commit that released schema N, taken from git with
``git archive`` into a temporary folder, so the file is what that version really wrote. The
demo is seeded, so the values are the same on every run (only the times of entry differ).

When a schema version is released, add it to RELEASES with its commit, run this script for
that version, and commit the new file; existing files are never rewritten.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]

RELEASES: dict[int, str] = {
    1: "c0ab04b35139cbbc6246c01ab10bf60100c89ae2",  # Command line: one module per command
    2: "0ae34495934e06b5f51bf4721ac6858443ebc01f",  # Goals and KPIs pages (the SMART checklist)
    3: "1f320e5492278473610dfe9e56abccdea7068efd",  # KPI charts; covering indexes on period
    4: "e9e763fef300eb4e6cb682c0b0c701032b341e09",  # undoable imports (the first session's end)
    5: "37a2f92443827ad80eddf5f4a4e16f39ea8f92d1",  # fewer measurement indexes
    6: "40bee64d6015cc4ce32d3e201cf61af631a25484",  # uids, row versions and the change log
}
UNTIL = "2026-10"
LANGUAGE = "sv"  # Swedish names: å, ä and ö must survive every migration


def make(version: int, *, force: bool = False) -> Path:
    target = HERE / f"schema-{version}.kpidesk"
    if target.exists() and not force:
        print(f"{target.name} exists; kept (use --force to write it again)")
        return target
    commit = RELEASES[version]
    with tempfile.TemporaryDirectory(prefix="kpidesk-schema-") as temp:
        root = Path(temp)
        archive = root / "source.tar"
        # resources/ was a top-level folder until it moved into the package (src/kpidesk/)
        listed = subprocess.run(
            ["git", "-C", str(REPO), "ls-tree", "--name-only", commit],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        folders = [name for name in ("src", "resources") if name in listed]
        with archive.open("wb") as stream:
            subprocess.run(
                ["git", "-C", str(REPO), "archive", "--format=tar", commit, *folders],
                stdout=stream,
                check=True,
            )
        with tarfile.open(archive) as tar:
            tar.extractall(root / "checkout", filter="data")
        env = dict(os.environ)
        env["PYTHONPATH"] = str(root / "checkout" / "src")  # before the editable install
        env["KPIDESK_HOME"] = str(root / "home")
        written = root / target.name
        subprocess.run(
            [
                sys.executable,
                "-m",
                "kpidesk.cli",
                "demo",
                str(written),
                "--until",
                UNTIL,
                "--lang",
                LANGUAGE,
            ],
            env=env,
            check=True,
        )
        connection = sqlite3.connect(written)
        found = connection.execute("PRAGMA user_version").fetchone()[0]
        connection.execute("VACUUM")
        connection.close()
        if found != version:
            raise SystemExit(f"commit {commit} wrote schema {found}, not {version}")
        written.replace(target)
    print(f"wrote {target.relative_to(REPO)} (schema {version}, commit {commit[:10]})")
    return target


def main(argv: list[str]) -> int:
    force = "--force" in argv
    versions = [int(arg) for arg in argv if arg != "--force"] or sorted(RELEASES)
    for version in versions:
        make(version, force=force)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
