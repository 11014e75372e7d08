"""Turn what a caller hands over (a zip, a folder, files) into (name, bytes) pairs.

Zips are read defensively: entry count, per-file and total uncompressed sizes are
capped before anything is decompressed, and names that climb out of the archive are
refused, so a zip bomb or a path-traversal entry fails cleanly.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath

from application.errors import InvalidBundle
from application.markdown_files import MAX_FILE_BYTES

MAX_ENTRIES = 20_000
MAX_TOTAL_BYTES = 256 * 1024 * 1024
MARKDOWN_SUFFIXES = (".md", ".markdown")


def is_markdown(name: str) -> bool:
    return name.lower().endswith(MARKDOWN_SUFFIXES) and PurePosixPath(name).name != "index.md"


def read_zip(name: str, data: bytes) -> list[tuple[str, bytes]]:
    """The Markdown files of a zip archive (other entries, and index.md, are ignored)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as error:
        raise InvalidBundle(name, f"not a readable zip archive ({error})") from None
    with archive:
        entries = [e for e in archive.infolist() if not e.is_dir()]
        if len(entries) > MAX_ENTRIES:
            raise InvalidBundle(name, f"{len(entries)} entries; at most {MAX_ENTRIES} are read")
        total = sum(e.file_size for e in entries)
        if total > MAX_TOTAL_BYTES:
            raise InvalidBundle(
                name, f"{total} bytes uncompressed; at most {MAX_TOTAL_BYTES} are read"
            )
        files = []
        read = 0
        for entry in entries:
            path = _safe_member_name(name, entry.filename)
            if not is_markdown(path):
                continue
            data = _read_entry(archive, entry)
            read += len(data)
            if read > MAX_TOTAL_BYTES:  # headers understated the sizes
                raise InvalidBundle(name, f"over {MAX_TOTAL_BYTES} bytes uncompressed; refused")
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


def _read_entry(zf: zipfile.ZipFile, entry: zipfile.ZipInfo) -> bytes:
    # The header's size can lie: read at most one byte past the limit, so an oversized
    # file is still reported as such, by name, by the import.
    with zf.open(entry) as stream:
        return stream.read(MAX_FILE_BYTES + 1)


def zip_of(files: Iterable[tuple[str, bytes]]) -> bytes:
    """A deflated zip archive of the files, in the order given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(name, data)
    return buffer.getvalue()
