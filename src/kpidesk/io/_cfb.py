"""A small, defensive reader of OLE2 compound files (the container of ``.xls``).

Enough to list the streams (to tell an ``.xls`` from an encrypted ``.xlsx`` or a Word file)
and to read one stream. Every sector chain is bounded by the file's size, so a fuzzed or
looping file ends in :class:`CfbError`, never in a hang or unbounded memory.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FREE = 0xFFFFFFFF
_END = 0xFFFFFFFE
_SPECIAL = 0xFFFFFFFA  # and above: FAT, DIFAT and end-of-chain markers


class CfbError(Exception):
    """The compound file is damaged."""


@dataclass(frozen=True, slots=True)
class Entry:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    start: int
    size: int


class CompoundFile:
    def __init__(self, handle: BinaryIO, file_size: int) -> None:
        self._handle = handle
        self._file_size = file_size
        header = self._read_at(0, 512)
        if len(header) < 512 or header[:8] != SIGNATURE:
            raise CfbError("not a compound file")
        shift = struct.unpack_from("<H", header, 0x1E)[0]
        mini_shift = struct.unpack_from("<H", header, 0x20)[0]
        if shift not in (9, 12) or mini_shift != 6:
            raise CfbError("bad sector size")
        self.sector_size = 1 << shift
        self.mini_size = 1 << mini_shift
        self._max_sectors = file_size // self.sector_size + 1
        (
            num_fat,
            first_dir,
            _transaction,
            self._mini_cutoff,
            first_minifat,
            num_minifat,
            first_difat,
            num_difat,
        ) = struct.unpack_from("<8I", header, 0x2C)
        if num_fat > self._max_sectors:
            raise CfbError("too many FAT sectors")
        fat_sectors = [s for s in struct.unpack_from("<109I", header, 0x4C) if s < _SPECIAL]
        sector = first_difat
        seen: set[int] = set()
        per_sector = self.sector_size // 4
        while sector < _SPECIAL and len(fat_sectors) < num_fat and num_difat:
            if sector in seen or len(seen) > self._max_sectors:
                raise CfbError("DIFAT loop")
            seen.add(sector)
            values = struct.unpack(f"<{per_sector}I", self._sector(sector))
            fat_sectors.extend(v for v in values[:-1] if v < _SPECIAL)
            sector = values[-1]
        fat = bytearray()
        for sector in fat_sectors[:num_fat]:
            fat += self._sector(sector)
        self._fat = struct.unpack(f"<{len(fat) // 4}I", fat[: len(fat) // 4 * 4])
        directory = self._chain_bytes(first_dir, self._fat, self._sector, self.sector_size)
        self.entries: list[Entry] = []
        for offset in range(0, len(directory) - 127, 128):
            raw = directory[offset : offset + 128]
            name_len = struct.unpack_from("<H", raw, 64)[0]
            kind = raw[66]
            if kind not in (1, 2, 5) or not 2 <= name_len <= 64:
                continue
            name = raw[: name_len - 2].decode("utf-16-le", errors="replace")
            start, size = struct.unpack_from("<IQ", raw, 116)
            if self.sector_size == 512:
                size &= 0xFFFFFFFF
            self.entries.append(Entry(name, kind, start, size))
        root = next((e for e in self.entries if e.kind == 5), None)
        self._root = root
        self._minifat: tuple[int, ...] = ()
        if num_minifat and first_minifat < _SPECIAL:
            data = self._chain_bytes(first_minifat, self._fat, self._sector, self.sector_size)
            self._minifat = struct.unpack(f"<{len(data) // 4}I", data[: len(data) // 4 * 4])
        self._ministream: bytes | None = None

    # ------------------------------------------------------------------------------------
    def names(self) -> list[str]:
        return [entry.name for entry in self.entries if entry.kind == 2]

    def find(self, *names: str) -> Entry | None:
        wanted = {name.casefold() for name in names}
        for entry in self.entries:
            if entry.kind == 2 and entry.name.casefold() in wanted:
                return entry
        return None

    def read(self, entry: Entry, limit: int) -> bytes:
        """The stream's bytes (at most ``limit``; more raises :class:`CfbError`)."""
        if entry.size > limit or entry.size > self._file_size:
            raise CfbError("stream too large")
        if entry.size < self._mini_cutoff and self._root is not None:
            if self._ministream is None:
                self._ministream = self._chain_bytes(
                    self._root.start, self._fat, self._sector, self.sector_size
                )
            data = self._chain_bytes(entry.start, self._minifat, self._mini_sector, self.mini_size)
        else:
            data = self._chain_bytes(entry.start, self._fat, self._sector, self.sector_size)
        return data[: entry.size]

    # ------------------------------------------------------------------------------------
    def _read_at(self, offset: int, size: int) -> bytes:
        self._handle.seek(offset)
        return self._handle.read(size)

    def _sector(self, number: int) -> bytes:
        offset = (number + 1) * self.sector_size
        if offset + self.sector_size > self._file_size + self.sector_size:
            raise CfbError("sector past the end of the file")
        data = self._read_at(offset, self.sector_size)
        return data.ljust(self.sector_size, b"\0")

    def _mini_sector(self, number: int) -> bytes:
        assert self._ministream is not None
        offset = number * self.mini_size
        if offset + self.mini_size > len(self._ministream):
            raise CfbError("mini sector past the end of the mini stream")
        return self._ministream[offset : offset + self.mini_size]

    def _chain_bytes(
        self, start: int, fat: tuple[int, ...], read: Callable[[int], bytes], size: int
    ) -> bytes:
        parts: list[bytes] = []
        sector = start
        steps = 0
        limit = self._file_size // size + 2
        while sector < _SPECIAL:
            steps += 1
            if steps > limit or sector >= len(fat):
                raise CfbError("broken sector chain")
            parts.append(read(sector))
            sector = fat[sector]
        return b"".join(parts)
