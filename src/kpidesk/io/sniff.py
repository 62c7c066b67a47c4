"""Which kind of spreadsheet a file is, from its content (never from its name).

* a zip holding ``xl/workbook.xml`` is ``.xlsx`` (``.xlsm`` with a VBA part), one holding
  ``xl/workbook.bin`` is ``.xlsb``, one holding ``content.xml`` and the spreadsheet
  ``mimetype`` (or manifest) is ``.ods``;
* an OLE2 compound file with a ``Workbook`` or ``Book`` stream is ``.xls``; one with an
  ``EncryptionInfo`` stream is a password-protected ``.xlsx``;
* text is CSV (or TSV);
* anything else is refused with a clear message.

Zip files are also checked against zip bombs before anything is unpacked: the total
unpacked size, the ratio of each large part, and overlapping parts.
"""

from __future__ import annotations

import os
import zipfile
from enum import StrEnum
from pathlib import Path

from kpidesk.io import _cfb
from kpidesk.io.errors import (
    MSG_DAMAGED,
    MSG_EMPTY,
    MSG_NOT_FOUND,
    MSG_NOT_SPREADSHEET,
    MSG_OLD_BIFF,
    MSG_PASSWORD,
    MSG_WEB_PAGE,
    MSG_XML_BOMB,
    MSG_ZIP_BOMB,
    SpreadsheetError,
    SpreadsheetErrorKind,
    one_line,
)
from kpidesk.io.textfile import SAMPLE_SIZE, detect_encoding

__all__ = ["SpreadsheetFormat", "ZipLimits", "check_zip", "sniff_format"]


class SpreadsheetFormat(StrEnum):
    XLSX = "xlsx"
    XLSM = "xlsm"
    XLSB = "xlsb"
    XLS = "xls"
    ODS = "ods"
    CSV = "csv"
    SIE = "sie"  # the Swedish accounting format, read by kpidesk.io.sie (never sniffed here)

    @property
    def is_ooxml(self) -> bool:
        return self in (SpreadsheetFormat.XLSX, SpreadsheetFormat.XLSM)


class ZipLimits:
    """What a zip may unpack to before it is refused as a zip bomb."""

    max_total = 2 * 1024**3  # all parts together
    max_entries = 20_000
    max_ratio = 250  # for any part over ratio_floor bytes unpacked
    ratio_floor = 16 * 1024**2


_OTHER_MAGIC = (
    b"%PDF",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"{\\rtf",
    b"7z\xbc\xaf",
    b"Rar!",
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ",
    b"MZ",
    b"\x7fELF",
)
_BIFF_BOF = (b"\x09\x00", b"\x09\x02", b"\x09\x04", b"\x09\x08")


def _name(path: Path) -> str:
    return path.name


def sniff_format(path: str | os.PathLike[str]) -> SpreadsheetFormat:
    """The format of the spreadsheet at ``path``, judged by its content.

    Raises :class:`SpreadsheetError` for a missing, empty, encrypted, damaged or
    non-spreadsheet file, and for a zip bomb. Reads only the file's first bytes, the zip's
    directory or the compound file's directory, so it is safe to call in the app itself.
    """
    path = Path(path)
    file = _name(path)
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            head = handle.read(SAMPLE_SIZE)
    except OSError:
        raise SpreadsheetError(SpreadsheetErrorKind.NOT_FOUND, MSG_NOT_FOUND, file=file) from None
    if size == 0 or not head:
        raise SpreadsheetError(SpreadsheetErrorKind.EMPTY, MSG_EMPTY, file=file)

    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return _sniff_zip(path, file)
    if head.startswith(_cfb.SIGNATURE):
        return _sniff_ole(path, file, size)
    if head[:2] in _BIFF_BOF and len(head) >= 8 and head[3] == 0:
        raise SpreadsheetError(SpreadsheetErrorKind.UNSUPPORTED, MSG_OLD_BIFF, file=file)
    if head.startswith(_OTHER_MAGIC):
        raise SpreadsheetError(SpreadsheetErrorKind.NOT_SPREADSHEET, MSG_NOT_SPREADSHEET, file=file)

    detected = detect_encoding(head)
    if detected is None:
        raise SpreadsheetError(SpreadsheetErrorKind.NOT_SPREADSHEET, MSG_NOT_SPREADSHEET, file=file)
    encoding, bom = detected
    start = head[bom : bom + 2048].decode(encoding, errors="replace").lstrip().lower()
    if start.startswith(("<!doctype html", "<html", "<?xml", "<table", "<meta", "<head")):
        raise SpreadsheetError(SpreadsheetErrorKind.UNSUPPORTED, MSG_WEB_PAGE, file=file)
    return SpreadsheetFormat.CSV


def _sniff_ole(path: Path, file: str, size: int) -> SpreadsheetFormat:
    try:
        with open(path, "rb") as handle:
            names = _cfb.CompoundFile(handle, size).names()
    except (_cfb.CfbError, OSError, ValueError, IndexError) as error:
        # A damaged directory: let the reader try, and report what it says.
        del error
        return SpreadsheetFormat.XLS
    folded = {name.casefold() for name in names}
    if "encryptioninfo" in folded or "encryptedpackage" in folded:
        raise SpreadsheetError(SpreadsheetErrorKind.PASSWORD, MSG_PASSWORD, file=file)
    if "workbook" in folded or "book" in folded:
        return SpreadsheetFormat.XLS
    raise SpreadsheetError(SpreadsheetErrorKind.NOT_SPREADSHEET, MSG_NOT_SPREADSHEET, file=file)


def _sniff_zip(path: Path, file: str) -> SpreadsheetFormat:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = check_zip(archive, file, path.stat().st_size)
            _refuse_entities(archive, infos, file)
            names = {
                info.filename.replace("\\", "/").lstrip("/").casefold(): info for info in infos
            }
            if "xl/workbook.xml" in names or any(
                name.endswith("workbook.xml") and "_rels" not in name for name in names
            ):
                if "xl/vbaproject.bin" in names or path.suffix.lower() == ".xlsm":
                    return SpreadsheetFormat.XLSM
                return SpreadsheetFormat.XLSX
            if "xl/workbook.bin" in names:
                return SpreadsheetFormat.XLSB
            if "content.xml" in names:
                kind = _odf_kind(archive, names)
                if kind is None or "spreadsheet" in kind:
                    return SpreadsheetFormat.ODS
            if "encryptioninfo" in names or "encryptedpackage" in names:
                raise SpreadsheetError(SpreadsheetErrorKind.PASSWORD, MSG_PASSWORD, file=file)
    except SpreadsheetError:
        raise
    except zipfile.BadZipFile as error:
        raise SpreadsheetError(
            SpreadsheetErrorKind.DAMAGED, MSG_DAMAGED, file=file, detail=one_line(error)
        ) from None
    except (OSError, EOFError, ValueError, NotImplementedError) as error:
        raise SpreadsheetError(
            SpreadsheetErrorKind.DAMAGED, MSG_DAMAGED, file=file, detail=one_line(error)
        ) from None
    raise SpreadsheetError(SpreadsheetErrorKind.NOT_SPREADSHEET, MSG_NOT_SPREADSHEET, file=file)


def _odf_kind(archive: zipfile.ZipFile, names: dict[str, zipfile.ZipInfo]) -> str | None:
    """The OpenDocument media type from ``mimetype`` or the manifest, if either says."""
    for member in ("mimetype", "meta-inf/manifest.xml"):
        info = names.get(member)
        if info is None or info.file_size > 1024 * 1024:
            continue
        text = archive.read(info).decode("utf-8", errors="replace").lower()
        for kind in ("spreadsheet", "text", "presentation", "graphics", "drawing"):
            if f"opendocument.{kind}" in text:
                return kind
    return None


_PROLOGUE = 4096
_DECLARATIONS = tuple(
    word.encode(encoding)
    for word in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("ascii", "utf-16-le", "utf-16-be")
)


def _refuse_entities(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], file: str) -> None:
    """Refuse a workbook whose XML parts declare a DTD or entities (an entity bomb): no
    spreadsheet program writes them, and a reader would expand them or read nothing."""
    for info in infos:
        if not info.filename.lower().endswith((".xml", ".rels", ".vml")) or info.is_dir():
            continue
        try:
            with archive.open(info) as stream:
                # short of the end, where a damaged part's checksum would be tested: a
                # reader that ignores it may still read the workbook
                head = stream.read(min(_PROLOGUE, max(info.file_size - 1, 0)))
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
            continue
        except Exception:  # zlib.error and the like: the reader will say it is damaged
            continue
        upper = head.upper()
        if any(word.upper() in upper for word in _DECLARATIONS):
            raise SpreadsheetError(SpreadsheetErrorKind.TOO_LARGE, MSG_XML_BOMB, file=file)


def check_zip(archive: zipfile.ZipFile, file: str, archive_size: int) -> list[zipfile.ZipInfo]:
    """The archive's parts, after refusing a zip bomb (before anything is unpacked)."""
    infos = archive.infolist()
    if len(infos) > ZipLimits.max_entries:
        raise SpreadsheetError(SpreadsheetErrorKind.TOO_LARGE, MSG_ZIP_BOMB, file=file)
    total = 0
    packed = 0
    for info in infos:
        total += info.file_size
        packed += info.compress_size
        if info.file_size > ZipLimits.ratio_floor and info.file_size > ZipLimits.max_ratio * max(
            info.compress_size, 1
        ):
            raise SpreadsheetError(SpreadsheetErrorKind.TOO_LARGE, MSG_ZIP_BOMB, file=file)
    if total > ZipLimits.max_total:
        raise SpreadsheetError(SpreadsheetErrorKind.TOO_LARGE, MSG_ZIP_BOMB, file=file)
    if packed > archive_size + 1024:  # parts that overlap: the "better zip bomb"
        raise SpreadsheetError(SpreadsheetErrorKind.TOO_LARGE, MSG_ZIP_BOMB, file=file)
    return infos
