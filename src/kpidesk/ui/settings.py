"""The app's own settings (not the workspace's): an INI file in the platform's config folder.

Recent workspaces (files and server URLs, never a password), window geometry, the chosen
language, and per workspace the last period and unit picked, keyed on the workspace's
location: a file's resolved path or a server's URL. Tests point ``KPIDESK_HOME`` elsewhere,
so the user's file is never touched.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from kpidesk.paths import user_config_dir
from kpidesk.store.location import ServerAddress, ServerUrlError, is_server_url, parse_server_url

MAX_RECENT = 10

Location = Path | ServerAddress
"""Where a workspace is: a file's path or a server's address."""


def location_key(location: Location | str) -> str:
    """How settings name a workspace: a file's resolved path, a server's URL (which never
    holds the password)."""
    if isinstance(location, ServerAddress):
        return location.url
    if isinstance(location, str) and is_server_url(location):
        return parse_server_url(location).url
    return str(Path(location).resolve())


def _location(text: str) -> Location | None:
    if is_server_url(text):
        try:
            return parse_server_url(text)
        except ServerUrlError:
            return None
    return Path(text)


class AppSettings:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or user_config_dir() / "kpidesk.ini"
        self._qsettings = QSettings(str(self.path), QSettings.Format.IniFormat)

    def sync(self) -> None:
        self._qsettings.sync()

    # language -----------------------------------------------------------------------
    @property
    def language(self) -> str | None:
        """``"sv"``, ``"en"``, or None to follow the system."""
        value = self._qsettings.value("language", "")
        return str(value) if value in ("sv", "en") else None

    @language.setter
    def language(self, value: str | None) -> None:
        self._qsettings.setValue("language", value or "")

    # files --------------------------------------------------------------------------
    @property
    def author_name(self) -> str:
        """The name the change log and comments give this person's changes to a workspace
        file ("" : the computer's user name). On a server the login names them."""
        return str(self._qsettings.value("author_name", "") or "").strip()

    @author_name.setter
    def author_name(self, value: str) -> None:
        self._qsettings.setValue("author_name", value.strip())

    @property
    def recent_files(self) -> list[Location]:
        """The recent workspaces, newest first: paths and server addresses."""
        raw = self._qsettings.value("recent_files", [])
        if isinstance(raw, str):
            raw = [raw] if raw else []
        found = [_location(str(item)) for item in raw]
        return [item for item in found if item is not None]

    def add_recent_file(self, location: Location | str) -> None:
        key = location_key(location)
        keys = [key] + [k for k in map(location_key, self.recent_files) if k != key]
        self._qsettings.setValue("recent_files", keys[:MAX_RECENT])
        self._qsettings.setValue("last_workspace", key)
        self._qsettings.setValue("opened_any", True)

    def remove_recent_file(self, location: Location | str) -> None:
        key = location_key(location)
        keys = [k for k in map(location_key, self.recent_files) if k != key]
        self._qsettings.setValue("recent_files", keys)

    def clear_recent_files(self) -> None:
        self._qsettings.setValue("recent_files", [])

    @property
    def last_workspace(self) -> Location | None:
        value = self._qsettings.value("last_workspace", "")
        return _location(str(value)) if value else None

    def forget_last_workspace(self) -> None:
        self._qsettings.setValue("last_workspace", "")

    @property
    def opened_any(self) -> bool:
        return str(self._qsettings.value("opened_any", "false")).lower() == "true"

    # window -------------------------------------------------------------------------
    @property
    def geometry(self) -> QByteArray | None:
        value = self._qsettings.value("window/geometry")
        return value if isinstance(value, QByteArray) else None

    @geometry.setter
    def geometry(self, value: QByteArray) -> None:
        self._qsettings.setValue("window/geometry", value)

    @property
    def window_state(self) -> QByteArray | None:
        value = self._qsettings.value("window/state")
        return value if isinstance(value, QByteArray) else None

    @window_state.setter
    def window_state(self, value: QByteArray) -> None:
        self._qsettings.setValue("window/state", value)

    # per workspace ------------------------------------------------------------------
    @staticmethod
    def _workspace_key(location: Location | str, name: str) -> str:
        digest = hashlib.sha1(location_key(location).encode("utf-8")).hexdigest()[:12]
        return f"workspaces/{digest}/{name}"

    def workspace_value(self, location: Location | str, name: str) -> str | None:
        value = self._qsettings.value(self._workspace_key(location, name), "")
        return str(value) if value not in (None, "") else None

    def set_workspace_value(self, location: Location | str, name: str, value: str) -> None:
        self._qsettings.setValue(self._workspace_key(location, name), value)
