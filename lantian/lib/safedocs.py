"""The guard every document reader goes through: bounded decompression, a child process.

An upload of 20 MB may be a zip (.docx, .xlsx) or a PDF whose streams inflate to gigabytes. So
before any such file is opened:

- ``check_zip``: the number of entries and the total (and largest) uncompressed size the zip's
  directory declares are within limits (Python's ``zipfile`` never inflates an entry past its
  declared size, so the declaration bounds what a reader can get);
- ``check_pdf``: every Flate stream is inflated incrementally, stopping at the limit, so a
  stream that would inflate past it is refused without ever being held; ``check_pdf_pages``
  caps the pages a reader walks;

and the reader itself runs in a forked child (``run_limited``) with an address-space limit and
a CPU and wall-clock limit, so what the checks cannot foresee (a deeply nested XML, a huge
table) ends the child, not the server: the caller gets ``UnsafeDocument`` with a message for a
person. ``load_workbook`` is openpyxl's, behind all three, returning the cell values.

Pure Python (no Django): limits come from the environment (``LANTIAN_DOC_*``), so the pure
``plans.extract`` reader can use it too.
"""

from __future__ import annotations

import io
import os
import pickle
import re
import resource
import select
import signal
import time
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MB = 1024 * 1024


class UnsafeDocument(ValueError):
    """The document is over a limit, or its reader ran out of memory or time. ``str()`` is a
    sentence for the person who uploaded it."""


def _env(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass(frozen=True)
class Limits:
    zip_entries: int = 5000
    zip_total: int = 64 * MB  # uncompressed, all entries
    zip_entry: int = 48 * MB  # uncompressed, the largest entry
    pdf_pages: int = 500
    pdf_stream: int = 32 * MB  # inflated, one stream
    pdf_total: int = 128 * MB  # inflated, all streams
    memory: int = 256 * MB  # the reader's child process, above what it inherits
    seconds: int = 15  # the reader's child process, wall clock

    @classmethod
    def from_env(cls) -> Limits:
        d = cls()
        return cls(
            zip_entries=_env("LANTIAN_DOC_ZIP_ENTRIES", d.zip_entries),
            zip_total=_env("LANTIAN_DOC_ZIP_MB", d.zip_total // MB) * MB,
            zip_entry=_env("LANTIAN_DOC_ZIP_ENTRY_MB", d.zip_entry // MB) * MB,
            pdf_pages=_env("LANTIAN_DOC_PDF_PAGES", d.pdf_pages),
            pdf_stream=_env("LANTIAN_DOC_PDF_STREAM_MB", d.pdf_stream // MB) * MB,
            pdf_total=_env("LANTIAN_DOC_PDF_MB", d.pdf_total // MB) * MB,
            memory=_env("LANTIAN_DOC_MEMORY_MB", d.memory // MB) * MB,
            seconds=_env("LANTIAN_DOC_SECONDS", d.seconds),
        )


def limits() -> Limits:
    return Limits.from_env()


def _mb(n: int) -> str:
    return f"{n / MB:.0f} MB"


# --- zip (.docx, .xlsx) ------------------------------------------------------------------------


def check_zip(data: bytes | io.IOBase, *, limit: Limits | None = None) -> None:
    """Refuse a zip whose directory declares too many entries or too many bytes inflated."""
    limit = limit or limits()
    source = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    position = source.tell() if hasattr(source, "tell") else 0
    try:
        with zipfile.ZipFile(source) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return  # not a zip at all: the reader says so in its own words
    finally:
        if hasattr(source, "seek"):
            source.seek(position)
    if len(entries) > limit.zip_entries:
        raise UnsafeDocument(
            f"文件内部条目过多（{len(entries)} 个，上限 {limit.zip_entries} 个），"
            "可能是恶意构造的文件"
        )
    total = sum(e.file_size for e in entries)
    largest = max((e.file_size for e in entries), default=0)
    if total > limit.zip_total or largest > limit.zip_entry:
        raise UnsafeDocument(
            f"文件解压后过大（{_mb(total)}，上限 {_mb(limit.zip_total)}），"
            "可能是压缩炸弹；请删去图片等内容或拆分后再上传"
        )


# --- PDF ---------------------------------------------------------------------------------------

_STREAM = re.compile(rb"stream\r?\n")


def check_pdf(data: bytes, *, limit: Limits | None = None) -> None:
    """Inflate every Flate stream in bounded steps; refuse the file when a stream or all of
    them together would inflate past the limit."""
    limit = limit or limits()
    total = 0
    for match in _STREAM.finditer(data):
        start = match.end()
        end = data.find(b"endstream", start)
        if end < 0:
            end = len(data)
        size = _inflated_size(data, start, end, limit.pdf_stream + 1)
        if size > limit.pdf_stream:
            raise UnsafeDocument(
                f"PDF 中有数据流解压后超过 {_mb(limit.pdf_stream)}，可能是压缩炸弹，无法读取"
            )
        total += size
        if total > limit.pdf_total:
            raise UnsafeDocument(f"PDF 解压后超过 {_mb(limit.pdf_total)}，文件过大，无法读取")


def _inflated_size(data: bytes, start: int, end: int, cap: int) -> int:
    inflater = zlib.decompressobj()
    size, chunk = 0, 64 * 1024
    pending = memoryview(data)[start:end]
    try:
        while pending and size < cap:
            out = inflater.decompress(pending, min(chunk, cap - size))
            size += len(out)
            pending = memoryview(inflater.unconsumed_tail)
            if inflater.eof:
                break
            if not out and not pending:
                break
    except zlib.error:
        return size  # not Flate, or damaged: the reader judges it
    return size


def check_pdf_pages(count: int, *, limit: Limits | None = None) -> None:
    limit = limit or limits()
    if count > limit.pdf_pages:
        raise UnsafeDocument(f"PDF 页数过多（{count} 页，上限 {limit.pdf_pages} 页）")


def check(data: bytes, *, limit: Limits | None = None) -> None:
    """The checks that apply to ``data`` by its content (zip or PDF; others pass)."""
    if data[:4] == b"PK\x03\x04":
        check_zip(data, limit=limit)
    elif data[:5] == b"%PDF-" or b"%PDF-" in data[:1024]:
        check_pdf(data, limit=limit)


# --- the child process -------------------------------------------------------------------------


def _vm_size() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def run_limited(fn: Callable[..., Any], *args, limit: Limits | None = None) -> Any:
    """``fn(*args)`` in a forked child limited in memory and time; its result or exception.

    ``fn`` must not use the database (the child shares the parent's connections) and its result
    must pickle. Over the memory limit → ``UnsafeDocument``; over the time → ``UnsafeDocument``.
    """
    limit = limit or limits()
    budget = _vm_size() + limit.memory
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        status = 0
        try:
            os.close(read_end)
            if budget > limit.memory:
                resource.setrlimit(resource.RLIMIT_AS, (budget, budget))
            cpu = limit.seconds + 1
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
            try:
                outcome = ("ok", fn(*args))
            except MemoryError:
                outcome = ("memory", None)
            except Exception as exc:  # noqa: BLE001 - handed to the parent as it is
                outcome = ("error", exc)
            try:
                payload = pickle.dumps(outcome)
            except Exception as exc:  # noqa: BLE001 - an exception that does not pickle
                payload = pickle.dumps(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
            view = memoryview(payload)
            while view:
                view = view[os.write(write_end, view) :]
        except MemoryError:
            status = 3
        except BaseException:  # noqa: BLE001 - never return into the parent's code
            status = 4
        finally:
            os._exit(status)
    os.close(write_end)
    chunks, deadline, timed_out = [], time.monotonic() + limit.seconds, False
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([read_end], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(read_end, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_end)
        if timed_out:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    if timed_out:
        raise UnsafeDocument(f"文件过于复杂，{limit.seconds} 秒内未能读完，请拆分或简化后再上传")
    if not chunks:
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGXCPU, signal.SIGKILL):
            raise UnsafeDocument(
                f"文件过于复杂，{limit.seconds} 秒内未能读完，请拆分或简化后再上传"
            )
        raise UnsafeDocument(f"读取文件时内存超过 {_mb(limit.memory)}，文件过大或已损坏")
    kind, value = pickle.loads(b"".join(chunks))
    if kind == "memory":
        raise UnsafeDocument(f"读取文件时内存超过 {_mb(limit.memory)}，文件过大或已损坏")
    if kind == "error":
        raise value
    return value


# --- Excel -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    value: Any
    number_format: str = "General"


class Sheet:
    def __init__(self, title: str, rows: list[tuple[Cell, ...]]):
        self.title = title
        self._rows = rows

    @property
    def max_row(self) -> int:
        return len(self._rows)

    def iter_rows(self, min_row: int = 1, max_row: int | None = None, values_only: bool = False):
        for row in self._rows[min_row - 1 : max_row]:
            yield tuple(c.value for c in row) if values_only else row


class Workbook:
    """The cell values (and number formats) of every sheet, read in a limited child process:
    the part of openpyxl's read-only workbook the importers use."""

    def __init__(self, sheets: list[Sheet]):
        self.worksheets = sheets

    @property
    def sheetnames(self) -> list[str]:
        return [s.title for s in self.worksheets]

    def __getitem__(self, name: str) -> Sheet:
        for sheet in self.worksheets:
            if sheet.title == name:
                return sheet
        raise KeyError(name)

    @property
    def active(self) -> Sheet:
        return self.worksheets[0]

    def close(self) -> None:
        pass


def _read_workbook(data: bytes) -> list[tuple[str, list[tuple[Cell, ...]]]]:
    from openpyxl import load_workbook as openpyxl_load

    book = openpyxl_load(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheets = []
        for sheet in book.worksheets:
            rows = []
            for row in sheet.iter_rows():
                rows.append(
                    tuple(
                        Cell(c.value, getattr(c, "number_format", None) or "General") for c in row
                    )
                )
            sheets.append((sheet.title, rows))
        return sheets
    finally:
        book.close()


def load_workbook(source, *, limit: Limits | None = None, **_ignored) -> Workbook:
    """openpyxl's ``load_workbook(source, read_only=True, data_only=True)`` behind the checks:
    ``source`` is bytes, a path or a file object. Raises openpyxl's own errors for a file that
    is not a workbook, ``UnsafeDocument`` for one over the limits."""
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
    elif isinstance(source, str | os.PathLike):
        with open(source, "rb") as handle:
            data = handle.read()
    else:
        position = source.tell() if hasattr(source, "tell") else None
        data = source.read()
        if position is not None:
            source.seek(position)
    check_zip(data, limit=limit)
    sheets = run_limited(_read_workbook, data, limit=limit)
    return Workbook([Sheet(title, rows) for title, rows in sheets])
