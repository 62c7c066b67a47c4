"""The real app in a subprocess, offscreen, quitting itself on a timer."""

import os
import subprocess
import sys


def run_app(tmp_path, *args, extra_env=None, timeout=60):
    env = dict(os.environ)
    env.update(
        {
            "KPIDESK_HOME": str(tmp_path / "home"),
            "QT_QPA_PLATFORM": "offscreen",
            "KPIDESK_QUIT_AFTER_MS": "1500",
            "LANGUAGE": "en",
        }
    )
    env.update(extra_env or {})
    return subprocess.run(
        [sys.executable, "-m", "kpidesk.cli", *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_first_start_opens_the_demo_and_quits_cleanly(tmp_path):
    result = run_app(tmp_path)
    assert result.returncode == 0, result.stderr
    demo = tmp_path / "home" / "data" / "demo.kpidesk"
    assert demo.exists()
    leftovers = sorted(p.name for p in demo.parent.glob("demo.kpidesk*"))
    assert leftovers == ["demo.kpidesk"]  # closed: no WAL, shared memory or lock file
    log = (tmp_path / "home" / "logs" / "kpidesk.log").read_text()
    assert "starting" in log and "opened" in log and "exiting with 0" in log
    assert "Traceback" not in result.stderr


def test_opens_a_given_workspace(tmp_path):
    path = tmp_path / "given.kpidesk"
    subprocess.run(
        [sys.executable, "-m", "kpidesk.cli", "new", str(path)], check=True, capture_output=True
    )
    result = run_app(tmp_path, path, "--lang", "sv")
    assert result.returncode == 0, result.stderr
    log = (tmp_path / "home" / "logs" / "kpidesk.log").read_text()
    assert f"opened {path} for writing" in log
    assert not (tmp_path / "home" / "data" / "demo.kpidesk").exists()


def test_startup_probe_reports_the_first_paint(tmp_path):
    result = run_app(
        tmp_path, extra_env={"KPIDESK_STARTUP_PROBE": "1", "KPIDESK_QUIT_AFTER_MS": "20000"}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("painted ")


def test_no_display_is_one_line(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    env["KPIDESK_HOME"] = str(tmp_path / "home")
    env["LANGUAGE"] = "en"
    result = subprocess.run(
        [sys.executable, "-m", "kpidesk.cli"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 6
    assert result.stderr.count("\n") == 1 and "no display" in result.stderr
