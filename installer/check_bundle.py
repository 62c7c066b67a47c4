"""Check a built KPI Desk bundle as a user's machine would run it (Linux, Windows, macOS).

    python installer/check_bundle.py dist/kpidesk/kpidesk [--size-goal-mb 150]

1. ``kpidesk --version`` names the version in the source (``kpidesk.__version__``);
2. ``kpidesk --self-test`` passes (demo, main window, pack, PDF, translations);
3. the real app starts on a fresh home folder, opens the demo and quits by itself, and keeps
   its settings, log and demo workspace in the platform's folders (not beside the bundle);
4. the bundle answers as the spreadsheet reader process (``--kpidesk-reader``);
5. the bundle reaches a PostgreSQL server (psycopg, its libpq and the keyring in the bundle):
   it makes and checks a workspace on a throw-away server where PostgreSQL is installed (as
   the tests start theirs), and else names an unreachable server in words;
6. Linux: the X11 helper libraries are in the bundle, and under Xvfb (when ``xvfb-run`` is
   there) the self-test runs on the real xcb platform with them loaded from the bundle;
7. prints the bundle's size against the goal.

Prints one line per check; exits 1 on the first failure.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from project_version import project_version  # beside this script, in installer/

ROOT = Path(__file__).resolve().parents[1]
X11_LIBS = (
    "libxcb-cursor.so.0",
    "libxcb-icccm.so.4",
    "libxcb-image.so.0",
    "libxcb-keysyms.so.1",
    "libxcb-render-util.so.0",
    "libxcb-xkb.so.1",
    "libxkbcommon-x11.so.0",
)


class CheckFailed(Exception):
    pass


def run(args: list[str], *, env: dict[str, str] | None = None, timeout: float = 120):
    return subprocess.run(
        args, env=env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
    )


def offscreen_env(home: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["LANGUAGE"] = "en"
    env.pop("KPIDESK_HOME", None)
    if home is not None:
        env["HOME"] = str(home)
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
            env.pop(name, None)
    return env


def bundle_size(folder: Path) -> int:
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() or p.is_symlink())


def check_version(exe: Path) -> str:
    version = project_version()
    result = run([str(exe), "--version"], env=offscreen_env())
    if result.returncode != 0 or result.stdout.strip() != f"KPI Desk {version}":
        raise CheckFailed(f"--version said {result.stdout.strip()!r} {result.stderr.strip()}")
    return f"version {version}"


def check_self_test(exe: Path, env: dict[str, str] | None = None, label: str = "") -> str:
    started = time.perf_counter()
    result = run([str(exe), "--self-test"], env=env or offscreen_env(), timeout=180)
    line = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    if result.returncode != 0 or not line.startswith("self-test ok"):
        raise CheckFailed(f"self-test{label}: {result.stderr.strip() or line or 'no output'}")
    return f"{line} ({time.perf_counter() - started:.1f} s with start-up{label})"


def platform_dirs(home: Path) -> dict[str, Path]:
    """Where platformdirs puts KPI Desk's folders for a user whose home is ``home``."""
    import platformdirs

    saved = dict(os.environ)
    try:
        os.environ["HOME"] = str(home)
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
            os.environ.pop(name, None)
        return {
            "data": Path(platformdirs.user_data_dir("kpidesk", False)),
            "config": Path(platformdirs.user_config_dir("kpidesk", False)),
            "log": Path(platformdirs.user_log_dir("kpidesk", False)),
        }
    finally:
        os.environ.clear()
        os.environ.update(saved)


def check_real_app(exe: Path) -> str:
    """The app as a user starts it: the demo, settings and log land in the platform's folders."""
    if sys.platform == "win32":
        # platformdirs asks Windows for the folders, so a fresh home cannot be faked here;
        # on CI (a throwaway machine) the real folders are used.
        if not os.environ.get("CI"):
            return "real app: skipped on Windows outside CI"
        import platformdirs

        home = None
        folders = {
            "data": Path(platformdirs.user_data_dir("kpidesk", False)),
            "config": Path(platformdirs.user_config_dir("kpidesk", False)),
            "log": Path(platformdirs.user_log_dir("kpidesk", False)),
        }
        env = offscreen_env()
    else:
        home = Path(tempfile.mkdtemp(prefix="kpidesk-home-"))
        folders = platform_dirs(home)
        env = offscreen_env(home)
    env["KPIDESK_QUIT_AFTER_MS"] = "2500"
    try:
        result = run([str(exe)], env=env, timeout=120)
        if result.returncode != 0:
            raise CheckFailed(f"the app exited with {result.returncode}: {result.stderr.strip()}")
        expected = {
            "demo workspace": folders["data"] / "demo.kpidesk",
            "settings": folders["config"] / "kpidesk.ini",
            "log": folders["log"] / "kpidesk.log",
        }
        missing = [f"{what} ({path})" for what, path in expected.items() if not path.is_file()]
        if missing:
            raise CheckFailed("the app did not write its " + ", ".join(missing))
        log = expected["log"].read_text("utf-8", errors="replace")
        if "Traceback" in log or "Traceback" in result.stderr:
            raise CheckFailed("the app logged a traceback")
        stray = [p.name for p in exe.parent.iterdir() if p.suffix in (".kpidesk", ".ini", ".log")]
        if stray:
            raise CheckFailed(f"the app wrote into its own folder: {', '.join(stray)}")
    finally:
        if home is not None:
            shutil.rmtree(home, ignore_errors=True)
    return "real app: demo opened, settings, log and demo in the platform's folders"


def check_reader(exe: Path) -> str:
    """The frozen app answers as the spreadsheet reader process (kpidesk.io._process).

    The parent's side of the real protocol runs here (from the source tree), with the bundle
    as the child: asked to preview a file that does not exist, a working child answers with
    the reason; a child that cannot start or dies is reported as crashed.
    """
    try:
        from kpidesk.io import _process
        from kpidesk.io.errors import SpreadsheetError, SpreadsheetErrorKind
    except ImportError:
        return "reader process: skipped (this version has no reader process)"
    missing = Path(tempfile.gettempdir()) / "kpidesk-no-such-file.xlsx"
    original = _process.reader_command
    _process.reader_command = lambda: [str(exe), _process.READER_FLAG]
    try:
        _process.run_in_child(
            "preview", {"path": str(missing)}, file_name=missing.name, time_limit=60
        )
    except SpreadsheetError as error:
        kind = getattr(error, "kind", None)
        dead = (SpreadsheetErrorKind.CRASHED, SpreadsheetErrorKind.TIMEOUT)
        if kind in dead:
            raise CheckFailed(f"the reader process did not answer: {error.message}") from error
        return f"reader process: answers ({kind} for a missing file)"
    finally:
        _process.reader_command = original
    raise CheckFailed("the reader process read a file that does not exist")


def check_server(exe: Path) -> str:
    """The frozen app opens a workspace on a PostgreSQL server: psycopg's binary
    implementation and its libpq load from the bundle, and the keyring (asked when libpq has
    no password) imports with its backends."""
    env = offscreen_env(Path(tempfile.mkdtemp(prefix="kpidesk-bundle-server-")))
    for name in ("PGPASSWORD", "PGSERVICE"):
        env.pop(name, None)
    server = None
    try:
        sys.path.insert(0, str(ROOT))
        from tests.pgserver import start_server

        server = start_server()
    except (ImportError, LookupError, RuntimeError, OSError):
        server = None
    if server is None:
        url = "postgresql://kpidesk@127.0.0.1:1/none?connect_timeout=5"
        result = run([str(exe), "check", url], env=env)
        said = result.stderr.strip()
        if result.returncode != 3 or "Could not connect" not in said:
            raise CheckFailed(f"server: {said[-300:] or result.returncode}")
        return "server: psycopg and libpq load; an unreachable server is named in words"
    try:
        url = server.url(server.new_database(schema=False))
        for command in (["new", url], ["check", url]):
            result = run([str(exe), *command], env=env)
            if result.returncode != 0:
                raise CheckFailed(f"server: {' '.join(command[:1])}: {result.stderr[-300:]}")
    finally:
        server.stop()
    return "server: a workspace made and checked on a PostgreSQL server"


def check_x11(exe: Path) -> list[str]:
    internal = exe.parent / "_internal"
    missing = [name for name in X11_LIBS if not (internal / name).exists()]
    if missing:
        raise CheckFailed(f"the bundle lacks {', '.join(missing)}")
    lines = [f"X11 libraries bundled: {len(X11_LIBS)} (libxcb-cursor0 and friends)"]
    if shutil.which("xvfb-run") is None:
        return [*lines, "xcb: skipped (no xvfb-run)"]
    env = offscreen_env()
    env["QT_QPA_PLATFORM"] = "xcb"
    env["LD_DEBUG"] = "libs"
    env.pop("DISPLAY", None)
    result = run(
        ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", str(exe), "--self-test"],
        env=env,
        timeout=180,
    )
    if result.returncode != 0 or "self-test ok" not in result.stdout:
        tail = [line for line in result.stderr.splitlines() if "self-test" in line][-1:]
        raise CheckFailed(f"self-test on xcb under Xvfb failed: {tail or result.returncode}")
    loaded = re.findall(r"calling init: (\S*libxcb-cursor\.so\.0)", result.stderr)
    if not loaded:
        raise CheckFailed("under Xvfb, libxcb-cursor was never loaded")
    if not all(str(internal) in path for path in loaded):
        raise CheckFailed(f"libxcb-cursor came from {loaded[0]}, not from the bundle")
    return [*lines, "xcb: self-test passes under Xvfb, libxcb-cursor loaded from the bundle"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("executable", type=Path)
    parser.add_argument("--size-goal-mb", type=float, default=150.0)
    options = parser.parse_args(argv)
    exe = options.executable.resolve()
    if not exe.is_file():
        print(f"check_bundle: {exe} does not exist", file=sys.stderr)
        return 1
    checks = [check_version, check_self_test, check_real_app, check_reader, check_server]
    try:
        for check in checks:
            print(f"  ok  {check(exe)}", flush=True)
        if sys.platform.startswith("linux"):
            for line in check_x11(exe):
                print(f"  ok  {line}", flush=True)
    except (CheckFailed, subprocess.TimeoutExpired) as error:
        print(f"  FAILED  {error}", file=sys.stderr, flush=True)
        return 1
    in_app = sys.platform == "darwin" and exe.parent.name == "MacOS"
    folder = exe.parents[2] if in_app else exe.parent  # KPI Desk.app, or dist/kpidesk
    size = bundle_size(folder) / 1e6
    goal = options.size_goal_mb
    verdict = "within" if size < goal else "OVER"
    print(f"  --  bundle size {size:.1f} MB unpacked ({verdict} the {goal:.0f} MB goal)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
