"""The error cells of a legacy .xls (BIFF5/BIFF8 in an OLE2 compound file), which calamine shows blank.

calamine (python-calamine 0.9) reads an error cell of an .xls as an empty string and exposes no error
type, so a ``#DIV/0!`` would be stored as "missing". This reads only what is needed to tell them apart:
the compound file's sector chains to find the ``Workbook`` (BIFF8) or ``Book`` (BIFF5) stream, the sheet
names and offsets (BOUNDSHEET), and in each sheet the BOOLERR records holding an error and the FORMULA
records whose cached result is an error. Every chain and record is bounds-checked: a malformed file
raises ``BiffError`` (the caller then reads the file as calamine does, without this check).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator

_OLE = bytes.fromhex("D0CF11E0A1B11AE1")
_END = 0xFFFFFFFE
_FREE = 0xFFFFFFFF
_DIR_ENTRY = 128

ERROR_CODES = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?",
               0x24: "#NUM!", 0x2A: "#N/A", 0x2B: "#GETTING_DATA"}

_BOF, _EOF, _BOUNDSHEET, _BOOLERR, _FORMULA = 0x0809, 0x000A, 0x0085, 0x0205, 0x0006
_BIFF8 = 0x0600


class BiffError(Exception):
    """The compound file or its BIFF records are not as the format says."""


def _u32(data: bytes, offset: int) -> int:
    if offset + 4 > len(data):
        raise BiffError(f"truncated at byte {offset}")
    return int.from_bytes(data[offset : offset + 4], "little")


class _Compound:
    """Just enough of [MS-CFB] to read one stream."""

    def __init__(self, data: bytes) -> None:
        if not data.startswith(_OLE) or len(data) < 512:
            raise BiffError("not an OLE2 compound file")
        self.data = data
        self.sector = 1 << struct.unpack_from("<H", data, 0x1E)[0]
        self.mini = 1 << struct.unpack_from("<H", data, 0x20)[0]
        if self.sector not in (512, 4096) or self.mini != 64:
            raise BiffError("unexpected sector sizes")
        self.cutoff = _u32(data, 0x38)
        fat_sectors = self._difat(_u32(data, 0x2C), _u32(data, 0x44), _u32(data, 0x48))
        self.fat = b"".join(self._sector(s) for s in fat_sectors)
        self.directory = self._chain(_u32(data, 0x30), self.fat, self._sector)
        self.mini_fat = self._chain(_u32(data, 0x3C), self.fat, self._sector) if _u32(data, 0x3C) < _END else b""
        root_start, root_size = self._entry(0)[2:]
        self.mini_stream = self._chain(root_start, self.fat, self._sector)[:root_size] if root_start < _END else b""

    def _sector(self, number: int) -> bytes:
        start = (number + 1) * self.sector
        if number >= _END or start >= len(self.data):
            raise BiffError(f"sector {number} is outside the file")
        return self.data[start : start + self.sector]

    def _difat(self, count: int, first: int, extra: int) -> list[int]:
        entries = [_u32(self.data, 0x4C + 4 * i) for i in range(109)]
        sector, seen = first, 0
        while sector < _END and seen <= extra:
            block = self._sector(sector)
            per = self.sector // 4 - 1
            entries += [_u32(block, 4 * i) for i in range(per)]
            sector, seen = _u32(block, 4 * per), seen + 1
        fat = [e for e in entries if e < _END][:count]
        if len(fat) != count:
            raise BiffError("the sector allocation table is incomplete")
        return fat

    @staticmethod
    def _chain(start: int, table: bytes, read: Callable[[int], bytes]) -> bytes:
        limit = len(table) // 4
        parts: list[bytes] = []
        sector = start
        while sector != _END:
            if sector >= limit or len(parts) > limit:
                raise BiffError("a sector chain is broken or loops")
            parts.append(read(sector))
            sector = _u32(table, 4 * sector)
        return b"".join(parts)

    def _mini_sector(self, number: int) -> bytes:
        start = number * self.mini
        if start + self.mini > len(self.mini_stream):
            raise BiffError(f"mini sector {number} is outside the mini stream")
        return self.mini_stream[start : start + self.mini]

    def _entry(self, index: int) -> tuple[str, int, int, int]:
        """(name, type, start sector, size) of directory entry ``index``."""
        raw = self.directory[index * _DIR_ENTRY : (index + 1) * _DIR_ENTRY]
        if len(raw) < _DIR_ENTRY:
            raise BiffError("the directory is truncated")
        length = struct.unpack_from("<H", raw, 64)[0]
        name = raw[: max(0, min(length, 64) - 2)].decode("utf-16-le", "replace")
        return name, raw[66], _u32(raw, 116), _u32(raw, 120)

    def stream(self, names: tuple[str, ...]) -> bytes:
        for index in range(len(self.directory) // _DIR_ENTRY):
            name, kind, start, size = self._entry(index)
            if kind == 2 and name in names:
                if size < self.cutoff:
                    return self._chain(start, self.mini_fat, self._mini_sector)[:size]
                return self._chain(start, self.fat, self._sector)[:size]
        raise BiffError("no Workbook stream")


def _records(stream: bytes, offset: int) -> Iterator[tuple[int, int, bytes]]:
    while offset + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, offset)
        body = stream[offset + 4 : offset + 4 + length]
        if len(body) < length:
            raise BiffError(f"record 0x{kind:04x} at {offset} is truncated")
        yield offset, kind, body
        offset += 4 + length


def _sheet_name(body: bytes, biff8: bool) -> str:
    count = body[6]
    if not biff8:
        return body[7 : 7 + count].decode("cp1252", "replace")
    wide = body[7] & 1
    raw = body[8 : 8 + count * (2 if wide else 1)]
    return raw.decode("utf-16-le" if wide else "latin-1", "replace")


def error_cells(data: bytes) -> dict[str, dict[tuple[int, int], str]]:
    """Sheet name → {(0-based row, col): error text} for every cached error in the workbook."""
    stream = _Compound(data).stream(("Workbook", "Book"))
    sheets: list[tuple[str, int]] = []
    biff8 = True
    for offset, kind, body in _records(stream, 0):
        if kind == _BOF and offset == 0 and len(body) >= 2:
            biff8 = struct.unpack_from("<H", body, 0)[0] == _BIFF8
        elif kind == _BOUNDSHEET and len(body) >= 8:
            sheets.append((_sheet_name(body, biff8), _u32(body, 0)))
        elif kind == _EOF:
            break
    found: dict[str, dict[tuple[int, int], str]] = {}
    for name, start in sheets:
        errors: dict[tuple[int, int], str] = {}
        for _, kind, body in _records(stream, start):
            if kind == _EOF:
                break
            if kind == _BOOLERR and len(body) >= 8 and body[7] == 1:
                row, col = struct.unpack_from("<HH", body, 0)
                errors[(row, col)] = ERROR_CODES.get(body[6], f"#ERROR({body[6]})")
            elif kind == _FORMULA and len(body) >= 14 and body[12:14] == b"\xff\xff" and body[6] == 2:
                row, col = struct.unpack_from("<HH", body, 0)
                errors[(row, col)] = ERROR_CODES.get(body[8], f"#ERROR({body[8]})")
        if errors:
            found[name] = errors
    return found
