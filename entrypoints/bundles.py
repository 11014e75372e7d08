"""Turn what a caller hands over (a zip, a folder, files) into (name, bytes) pairs.

Zips are read defensively: entries, files and decompressed bytes are bounded per
request (a `Budget`, shared by every zip of one upload), each entry's read stops at what
is left, names that climb out of the archive are refused, and an entry that cannot be
read (bad CRC, encrypted, unknown compression, corrupt data) is refused by name; so a
zip bomb, several of them, or a broken archive fails cleanly with a 4xx.
"""

from __future__ import annotations

import io
import lzma
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from application.errors import InvalidBundle
from application.markdown_files import MAX_FILE_BYTES

# Bounds on one request (or one CLI run) as a whole, however many zips it holds: what
# one caller may make the server decompress, keep in memory and parse.
MAX_ENTRIES = 20_000
MAX_FILES = 5_000
MAX_TOTAL_BYTES = 64 * 1024 * 1024
MARKDOWN_SUFFIXES = (".md", ".markdown")
# What reading a broken entry raises: a bad CRC, encryption, an unknown compression
# method, a corrupt deflate, bzip2 or LZMA stream, a truncated one.
_UNREADABLE_ENTRY = (
    zipfile.BadZipFile,
    RuntimeError,
    NotImplementedError,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    OSError,
    ValueError,
)


@dataclass(slots=True)
class Budget:
    """What is left for one request: zip entries seen, files kept, bytes decompressed."""

    entries: int = MAX_ENTRIES
    files: int = MAX_FILES
    total_bytes: int = MAX_TOTAL_BYTES

    def take_entries(self, archive: str, count: int) -> None:
        if count > self.entries:
            raise InvalidBundle(
                archive, f"the upload holds over {MAX_ENTRIES} zip entries; send fewer"
            )
        self.entries -= count

    def take_file(self, name: str, size: int) -> None:
        if self.files == 0:
            raise InvalidBundle(name, f"the upload holds over {MAX_FILES} files; send fewer")
        if size > self.total_bytes:
            raise InvalidBundle(
                name, f"the upload's files come to over {MAX_TOTAL_BYTES} bytes; send fewer"
            )
        self.files -= 1
        self.total_bytes -= size


def is_markdown(name: str) -> bool:
    return name.lower().endswith(MARKDOWN_SUFFIXES) and PurePosixPath(name).name != "index.md"


def read_zip(name: str, data: bytes, budget: Budget | None = None) -> list[tuple[str, bytes]]:
    """The Markdown files of a zip archive (other entries, and index.md, are ignored),
    counted against `budget` (a fresh one when not given)."""
    budget = budget or Budget()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise InvalidBundle(name, f"not a readable zip archive ({error})") from None
    with archive:
        entries = [e for e in archive.infolist() if not e.is_dir()]
        budget.take_entries(name, len(entries))
        files = []
        for entry in entries:
            path = _safe_member_name(name, entry.filename)
            if not is_markdown(path):
                continue
            # The header's size can lie: the read stops past what is left.
            data = _read_entry(name, archive, entry, budget.total_bytes)
            budget.take_file(f"{name}: {path}", len(data))
            files.append((path, data))
        return files


def read_folder(root: Path) -> list[tuple[str, bytes]]:
    """The Markdown files below a folder, by path relative to it, sorted."""
    return [(str(p.relative_to(root)), p.read_bytes()) for p in _markdown_below(root)]


def read_path(path: Path) -> list[tuple[str, bytes]]:
    """A folder, a zip archive or a single file, as the CLI is given them."""
    if path.is_dir():
        return read_folder(path)
    data = path.read_bytes()
    if zipfile.is_zipfile(io.BytesIO(data)):
        return read_zip(path.name, data)
    return [(path.name, data)]


def _markdown_below(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if path.is_file() and is_markdown(path.name) and not path.is_symlink():
            yield path


def _safe_member_name(archive: str, member: str) -> str:
    path = PurePosixPath(member.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or member.startswith(("/", "\\")):
        raise InvalidBundle(archive, f"entry {member!r} points outside the archive; refused")
    return str(path)


def _read_entry(archive: str, zf: zipfile.ZipFile, entry: zipfile.ZipInfo, left: int) -> bytes:
    # Read at most one byte past the file limit, so an oversized file is still reported
    # as such, by name, by the import; and never more than the request has left.
    try:
        with zf.open(entry) as stream:
            return stream.read(min(MAX_FILE_BYTES, left) + 1)
    except _UNREADABLE_ENTRY as error:
        raise InvalidBundle(
            archive, f"entry {entry.filename!r} cannot be read ({error}): zip it again"
        ) from None


def zip_of(files: Iterable[tuple[str, bytes]]) -> bytes:
    """A deflated zip archive of the files, in the order given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(name, data)
    return buffer.getvalue()
