"""Where KPI Desk finds its resources and keeps the user's files.

Everything the user owns (settings, logs, the demo workspace) lives in the platform's
directories through platformdirs; tests point ``KPIDESK_HOME`` at a temporary folder so the
real user's directories are never touched.
"""

from __future__ import annotations

import atexit
import contextlib
import os
from functools import cache
from pathlib import Path

import platformdirs

APP_NAME = "KPI Desk"
APP_SLUG = "kpidesk"

_keep_open = contextlib.ExitStack()
atexit.register(_keep_open.close)


@cache
def resources_dir() -> Path:
    """The package's ``resources/`` folder, found the same way in a checkout (editable
    install), an installed wheel and a PyInstaller bundle."""
    from importlib.resources import as_file, files

    # A real folder in all of these: as_file returns it as it is. From a zip (a zipapp) it
    # is unpacked once and kept until the process ends.
    found = _keep_open.enter_context(as_file(files("kpidesk") / "resources"))
    return Path(found)


def locale_dir() -> Path:
    return resources_dir() / "locale"


def _home_override() -> Path | None:
    home = os.environ.get("KPIDESK_HOME")
    return Path(home) if home else None


def user_data_dir() -> Path:
    override = _home_override()
    path = override / "data" if override else Path(platformdirs.user_data_dir(APP_SLUG, False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def user_config_dir() -> Path:
    override = _home_override()
    path = override / "config" if override else Path(platformdirs.user_config_dir(APP_SLUG, False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def user_log_dir() -> Path:
    override = _home_override()
    path = override / "logs" if override else Path(platformdirs.user_log_dir(APP_SLUG, False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def demo_workspace_path() -> Path:
    return user_data_dir() / "demo.kpidesk"
