"""Every file KPI Desk writes is written whole or not at all.

:func:`write_atomically` is the one way the app writes a file: exports (pack, PDF, template,
CSV, chart images), backups, Save a Copy, new and demo workspaces. It

1. follows a symlink to its target and refuses a folder or a device as the destination,
2. lets the writer fill a temporary file beside the destination (same folder, so the rename
   stays on one disk), named ``.NAME.TOKEN.kpidesk-partial.SUFFIX`` and locked while in use,
3. flushes it to the disk (``fsync``) and checks it: not empty, and for a workbook a readable
   zip directory, for a PDF its ``%%EOF``, for a PNG its end chunk, for a workspace a whole
   SQLite file; a writer that ignored a full disk leaves a short file, which fails here,
4. renames it over the destination and flushes the folder, so the rename survives a crash.

Any OS error on the way (a full disk, a failing disk, a quota) is a :class:`FileWriteError`
with the reason in words, and the temporary file is removed: the destination is either the
old file or the new one, never a piece. A temporary file left by a killed process (its lock
died with it) is removed the next time KPI Desk writes into that folder.

This module sits below ``store``, ``io`` and ``services``: it knows files, not workspaces.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

from kpidesk.domain.errors import DomainError, Words
from kpidesk.i18n import DEFAULT_LANGUAGE, N_, _, current_language

TEMP_MARK = ".kpidesk-partial"
_TEMP_NAME = re.compile(
    r"^\..+\.[0-9a-f]{12}" + re.escape(TEMP_MARK) + r"(?:\.[^.]*)?(?:-journal|-wal|-shm|\.lock)?\Z",
    re.DOTALL,
)
_SQLITE_MAGIC = b"SQLite format 3\x00"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_PNG_END = b"IEND\xaeB`\x82"

Check = Callable[[Path], str | None]
"""``check(path)``: None when the written file is whole, else why it is not (in words)."""


class FileWriteError(DomainError):
    """A file could not be written; nothing was left in its place."""

    exit_code = 1

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(N_("Could not write {path}: {reason}"), path=str(path), reason=reason)
        self.path = Path(path)


class OutputRefusedError(DomainError):
    """An output path KPI Desk will not write to (a folder, a device, a workspace…)."""

    exit_code = 1

    def __init__(self, template: str, path: Path | str, **params: object) -> None:
        super().__init__(template, path=str(path), **params)
        self.path = Path(path)


# Reasons in words ----------------------------------------------------------------------------

_REASONS = {
    errno.ENOSPC: N_("the disk is full"),
    errno.EIO: N_("the disk reported an input/output error"),
    errno.EACCES: N_("permission denied"),
    errno.EPERM: N_("permission denied"),
    errno.EROFS: N_("the disk is read-only"),
    errno.ENOENT: N_("the folder does not exist"),
    errno.ENOTDIR: N_("a part of the path is not a folder"),
    errno.EISDIR: N_("it is a folder"),
    errno.EEXIST: N_("a file of that name already exists"),
    errno.EFBIG: N_("the file is larger than the disk or a size limit allows"),
    errno.ENAMETOOLONG: N_("the name is too long"),
    errno.EXDEV: N_("the file would have to move to another disk"),
    errno.EBUSY: N_("the file is in use"),
    errno.EMFILE: N_("too many files are open"),
}
if hasattr(errno, "EDQUOT"):
    _REASONS[errno.EDQUOT] = N_("the disk quota is used up")


def os_reason(error: BaseException) -> str:
    """Why an OS call failed, in the user's language (``strerror`` is always English);
    translated when it is shown."""
    number = getattr(error, "errno", None)
    if number in _REASONS:
        return Words(_REASONS[number])
    english = getattr(error, "strerror", None) or str(error)
    if current_language() == DEFAULT_LANGUAGE:
        return english
    # the operating system's own words are English: another language gets its own sentence
    name = errno.errorcode.get(number, "") if isinstance(number, int) else ""
    return _("the system refused ({code})").format(code=name or type(error).__name__)


# The destination -------------------------------------------------------------------------------


def real_destination(path: Path | str) -> Path:
    """Where writing ``path`` really lands: a symlink's target (followed to its end).

    Raises :class:`OutputRefusedError` for a folder, a device, a pipe or a socket: those are
    never replaced by a regular file.
    """
    path = Path(path)
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return target
    except OSError as error:
        raise FileWriteError(path, os_reason(error)) from error
    if stat.S_ISDIR(mode):
        raise OutputRefusedError(N_("{path} is a folder; choose a file name."), path)
    if not stat.S_ISREG(mode):
        raise OutputRefusedError(
            N_("{path} is not a regular file (a device, a pipe or a socket); choose a file name."),
            path,
        )
    return target


def is_temporary_name(name: str) -> bool:
    """Whether ``name`` is one of :func:`write_atomically`'s temporary files."""
    return bool(_TEMP_NAME.match(name))


def temporary_path(destination: Path) -> Path:
    token = secrets.token_hex(6)
    return destination.with_name(f".{destination.name}.{token}{TEMP_MARK}{destination.suffix}")


# Checks of what was written ----------------------------------------------------------------------


def _tail(path: Path, size: int) -> bytes:
    with path.open("rb") as stream:
        stream.seek(0, os.SEEK_END)
        length = stream.tell()
        stream.seek(max(0, length - size))
        return stream.read()


def _head(path: Path, size: int) -> bytes:
    with path.open("rb") as stream:
        return stream.read(size)


def check_zip(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as archive:
            if not archive.namelist():
                return Words(N_("the workbook is empty"))
    except (zipfile.BadZipFile, OSError, EOFError):
        return Words(N_("the workbook was cut short"))
    return None


def check_pdf(path: Path) -> str | None:
    if not _head(path, 5).startswith(b"%PDF-") or b"%%EOF" not in _tail(path, 1024):
        return Words(N_("the PDF was cut short"))
    return None


def check_png(path: Path) -> str | None:
    if not _head(path, 8).startswith(_PNG_MAGIC) or not _tail(path, 12).endswith(_PNG_END):
        return Words(N_("the image was cut short"))
    return None


def check_svg(path: Path) -> str | None:
    if b"</svg>" not in _tail(path, 256):
        return Words(N_("the drawing was cut short"))
    return None


def check_sqlite(path: Path) -> str | None:
    """A whole SQLite file: its header, and as many bytes as the header's page count says."""
    header = _head(path, 100)
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        return Words(N_("the copy was cut short"))
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    counter, valid_for = header[24:28], header[92:96]
    if counter == valid_for and path.stat().st_size < page_size * pages:
        return Words(N_("the copy was cut short"))
    return None


_CHECKS: dict[str, Check] = {
    ".xlsx": check_zip,
    ".xlsm": check_zip,
    ".pdf": check_pdf,
    ".png": check_png,
    ".svg": check_svg,
    ".kpidesk": check_sqlite,
}


def check_for(path: Path) -> Check | None:
    """The check for a file of ``path``'s kind (by its suffix), if there is one."""
    return _CHECKS.get(path.suffix.lower())


# Stray temporary files ---------------------------------------------------------------------------

_cleaned: set[str] = set()
_SIDES = ("-journal", "-wal", "-shm", ".lock")


def clean_stray_temporaries(folder: Path | str, *, force: bool = False) -> list[Path]:
    """Remove the temporary files a killed KPI Desk left in ``folder``; return them.

    A file still being written is locked by its writer and is left alone. Each folder is
    looked at once per process unless ``force``.
    """
    folder = Path(folder)
    key = os.path.normcase(os.path.abspath(folder))
    if key in _cleaned and not force:
        return []
    _cleaned.add(key)
    removed: list[Path] = []
    try:
        names = [entry.name for entry in os.scandir(folder) if is_temporary_name(entry.name)]
    except OSError:
        return removed
    mains = {name for name in names if not name.endswith(_SIDES)}
    for name in sorted(mains):
        path = folder / name
        if _in_use(path):
            continue
        for side in (*_SIDES, ""):
            candidate = folder / f"{name}{side}"
            with contextlib.suppress(OSError):
                candidate.unlink()
                removed.append(candidate)
    for name in names:  # journals whose file is gone
        base = re.sub(r"(-journal|-wal|-shm|\.lock)$", "", name)
        if name != base and base not in mains:
            with contextlib.suppress(OSError):
                (folder / name).unlink()
                removed.append(folder / name)
    return removed


def _in_use(path: Path) -> bool:
    """Whether a live process holds the file's lock (or, for a workspace being built, the
    lock file beside it)."""
    if sys.platform == "win32":  # pragma: no cover - an open file cannot be removed there
        return False
    lock = Path(f"{path}.lock")
    return _locked(path) or (lock.exists() and _locked(lock))


def _locked(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return True
    try:
        return not _try_lock(fd)
    finally:
        os.close(fd)  # closing releases the lock, if it was taken


# Writing -----------------------------------------------------------------------------------------


def write_atomically(
    destination: Path | str,
    write: Callable[[Path], object],
    *,
    check: Check | None = None,
    mode: int | None = None,
    exclusive: bool = False,
) -> Path:
    """Have ``write(temporary)`` make the file, then put it in place of ``destination``.

    ``check`` (default: by the suffix, see :func:`check_for`) looks at the finished file
    before it is renamed; an empty file always fails. ``mode``: the new file's permissions
    (default: an existing destination's, else the usual ones). ``exclusive``: fail with
    ``EEXIST`` rather than replace a file that appeared meanwhile. Returns the path written,
    which is a symlink's target when ``destination`` is a symlink. Raises
    :class:`FileWriteError` when the OS refuses a step or the file is not whole, and
    :class:`OutputRefusedError` for a folder or a device; anything ``write`` raises is
    raised again. In every failure the temporary file is removed.
    """
    shown = Path(destination)
    target = real_destination(shown)
    folder = target.parent
    clean_stray_temporaries(folder)
    if mode is None:
        with contextlib.suppress(OSError):
            mode = stat.S_IMODE(os.stat(target).st_mode)
    temporary = temporary_path(target)
    fd = None
    try:
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            _try_lock(fd)
            if mode is not None:
                with contextlib.suppress(OSError):
                    os.chmod(temporary, mode)
            write(temporary)
            os.fsync(fd)
            size = os.fstat(fd).st_size
        except OSError as error:
            raise FileWriteError(shown, os_reason(error)) from error
        problem = Words(N_("the file is empty")) if size == 0 else None
        if problem is None:
            checker = check if check is not None else check_for(target)
            try:
                problem = checker(temporary) if checker is not None else None
            except OSError as error:
                problem = os_reason(error)
        if problem is not None:
            raise FileWriteError(shown, problem)
        try:
            put_in_place(temporary, target, exclusive=exclusive)
        except OSError as error:
            raise FileWriteError(shown, os_reason(error)) from error
    except BaseException:
        _remove(temporary)
        raise
    finally:
        if fd is not None:
            os.close(fd)
    sync_folder(folder)
    return target


def put_in_place(temporary: Path, target: Path, *, exclusive: bool = False) -> None:
    """Rename ``temporary`` to ``target``; ``exclusive``: never over an existing file (a
    hard link where the disk has them, else a look and a rename)."""
    if not exclusive:
        os.replace(temporary, target)
        return
    try:
        os.link(temporary, target)  # fails with EEXIST, where a rename would replace
    except OSError as error:
        if error.errno == errno.EEXIST:
            raise
        if os.path.lexists(target):  # a disk without hard links: look, then rename
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(target)) from None
        os.replace(temporary, target)
        return
    os.unlink(temporary)


def _remove(path: Path) -> None:
    for side in ("", *_SIDES):
        with contextlib.suppress(OSError):
            Path(f"{path}{side}").unlink()


@contextlib.contextmanager
def held(path: Path | str) -> Iterator[None]:
    """Hold the lock on a temporary file of ours between steps, so that no other KPI Desk
    takes it for the stray of a killed run and removes it."""
    fd = os.open(path, os.O_RDONLY)
    try:
        _try_lock(fd)
        yield
    finally:
        os.close(fd)


def sync_folder(folder: Path | str) -> None:
    """Make a rename in ``folder`` durable where the platform allows it (not on Windows)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def replace_file(source: Path | str, destination: Path | str) -> None:
    """Rename ``source`` over ``destination`` (same folder) and make the rename durable."""
    os.replace(source, destination)
    sync_folder(Path(destination).parent)


if sys.platform == "win32":  # pragma: no cover - exercised by the Windows build

    def _try_lock(fd: int) -> bool:
        return True

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True
