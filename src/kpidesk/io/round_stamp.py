"""The stamp a reporting round's template carries: which round, whose figures, which period
and by when. It is kept in the workbook's custom document properties, which Excel and
LibreOffice keep when the file is saved again, so a returned template is recognised however
it was renamed."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree

if TYPE_CHECKING:
    from openpyxl import Workbook

PREFIX = "KPI Desk "
_FIELDS = ("round", "round name", "owner", "period", "due")
_CUSTOM = "docProps/custom.xml"
_MAX_XML = 1_000_000


@dataclass(frozen=True, slots=True)
class RoundStamp:
    round_uid: str
    round_name: str
    owner: str
    period_key: str
    due_date: date


def stamp_workbook(workbook: Workbook, stamp: RoundStamp) -> None:
    """Write ``stamp`` into ``workbook``'s custom properties."""
    from openpyxl.packaging.custom import StringProperty

    values = (stamp.round_uid, stamp.round_name, stamp.owner, stamp.period_key)
    for field, value in zip(_FIELDS, (*values, stamp.due_date.isoformat()), strict=True):
        workbook.custom_doc_props.append(StringProperty(name=PREFIX + field, value=value))


def read_stamp(path: Path | str) -> RoundStamp | None:
    """The stamp of the workbook at ``path``, or None (not an .xlsx, or no stamp)."""
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo(_CUSTOM)
            if info.file_size > _MAX_XML:
                return None
            root = ElementTree.fromstring(archive.read(info))
    except (KeyError, OSError, zipfile.BadZipFile, ElementTree.ParseError):
        return None
    found: dict[str, str] = {}
    for element in root:
        name = element.get("name", "")
        if name.startswith(PREFIX):
            found[name[len(PREFIX) :]] = "".join(element.itertext()).strip()
    if not all(found.get(field) for field in ("round", "owner", "period", "due")):
        return None
    try:
        due = date.fromisoformat(found["due"])
    except ValueError:
        return None
    return RoundStamp(
        found["round"], found.get("round name", ""), found["owner"], found["period"], due
    )
