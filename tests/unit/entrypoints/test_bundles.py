"""Uploads are read defensively: zip bombs, traversal and oversized files fail cleanly."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from application.errors import InvalidBundle, InvalidMadr
from application.markdown_files import MAX_FILE_BYTES, decode_markdown
from entrypoints.bundles import Budget, read_path, read_zip, zip_of


def zipped(files: dict[str, bytes]) -> bytes:
    return zip_of(files.items())


def test_a_zip_keeps_only_markdown_files_and_leaves_out_index_md() -> None:
    data = zipped({"a/0001-x.md": b"# X", "a/logo.png": b"\x89PNG", "a/index.md": b"# Index"})
    assert read_zip("b.zip", data) == [("a/0001-x.md", b"# X")]


@pytest.mark.parametrize("name", ["../0001-x.md", "/etc/0001-x.md", "a/../../0001-x.md"])
def test_an_entry_that_climbs_out_of_the_archive_is_refused(name: str) -> None:
    with pytest.raises(InvalidBundle, match="outside the archive"):
        read_zip("b.zip", zipped({name: b"# X"}))


def test_a_zip_with_too_many_entries_is_refused_before_reading_them() -> None:
    data = zipped({f"{n:04d}-x.md": b"# X" for n in range(1, 5)})
    with pytest.raises(InvalidBundle, match="zip entries"):
        read_zip("b.zip", data, Budget(entries=3))


def test_a_zip_bomb_is_refused_by_its_uncompressed_size() -> None:
    # 5 MiB of zeros compress to a few kilobytes.
    data = zipped({f"{n:04d}-x.md": bytes(MAX_FILE_BYTES) for n in range(1, 6)})
    assert len(data) < 100_000
    with pytest.raises(InvalidBundle, match="bytes; send fewer"):
        read_zip("bomb.zip", data, Budget(total_bytes=4 * MAX_FILE_BYTES))


def test_the_bounds_hold_for_a_request_as_a_whole_not_per_zip() -> None:
    """Several zips, each within the bounds, share one budget."""
    budget = Budget(entries=10, files=6, total_bytes=5 * MAX_FILE_BYTES)
    bomb = zipped({f"{n:04d}-x.md": bytes(MAX_FILE_BYTES) for n in range(1, 3)})
    read_zip("1.zip", bomb, budget)
    read_zip("2.zip", bomb, budget)
    with pytest.raises(InvalidBundle, match="bytes; send fewer"):
        read_zip("3.zip", bomb, budget)
    budget = Budget(entries=3)
    read_zip("1.zip", bomb, budget)
    with pytest.raises(InvalidBundle, match="zip entries"):
        read_zip("2.zip", bomb, budget)
    budget = Budget(files=3)
    read_zip("1.zip", bomb, budget)
    with pytest.raises(InvalidBundle, match="files; send fewer"):
        read_zip("2.zip", bomb, budget)


def _zip(text: bytes, compression: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        archive.writestr("0001-x.md", text)
    return buffer.getvalue()


def _patched(data: bytes, field: int, value: bytes) -> bytes:
    """The archive with a field of both headers of its one entry replaced: `field` is
    the offset in the local header; the central header has it 2 bytes further."""
    central = data.index(b"PK\x01\x02")
    patched = bytearray(data)
    patched[field : field + 2] = value
    patched[central + field + 2 : central + field + 4] = value
    return bytes(patched)


_FLAGS, _METHOD, _DATA = 6, 8, 30 + len("0001-x.md")


def _broken_zips() -> dict[str, bytes]:
    text = b"# Use PostgreSQL\n\n" + b"We need a database. " * 50
    stored = _zip(text, zipfile.ZIP_STORED)
    deflated = _zip(text, zipfile.ZIP_DEFLATED)
    return {
        # The stored bytes changed: the CRC no longer matches.
        "bad CRC": stored.replace(b"We need", b"We NEED", 1),
        "encrypted": _patched(stored, _FLAGS, b"\x01\x00"),
        # Compression method 99 (AES), which zipfile cannot read.
        "unknown compression": _patched(stored, _METHOD, b"c\x00"),
        "corrupt deflate": deflated[:_DATA] + b"\xff" * 8 + deflated[_DATA + 8 :],
    }


@pytest.mark.parametrize("kind", list(_broken_zips()))
def test_an_entry_that_cannot_be_read_is_refused_by_name(kind: str) -> None:
    with pytest.raises(InvalidBundle, match=r"'0001-x\.md' cannot be read"):
        read_zip("b.zip", _broken_zips()[kind])


def test_an_entry_over_one_mib_is_read_only_far_enough_to_be_reported() -> None:
    ((name, data),) = read_zip("b.zip", zipped({"0001-big.md": b"#" * (3 * MAX_FILE_BYTES)}))
    assert len(data) == MAX_FILE_BYTES + 1
    with pytest.raises(InvalidMadr, match="larger than") as raised:
        decode_markdown(name, data)
    assert raised.value.rule == "unreadable-file"


def test_something_that_is_not_a_zip_says_so() -> None:
    with pytest.raises(InvalidBundle, match="not a readable zip"):
        read_zip("b.zip", b"PK\x03\x04 but not really")


def test_binary_and_non_utf8_files_are_refused_with_their_line() -> None:
    with pytest.raises(InvalidMadr, match="binary"):
        decode_markdown("0001-x.md", b"# X\x00")
    with pytest.raises(InvalidMadr, match="not UTF-8") as raised:
        decode_markdown("0001-x.md", b"# X\n\nCaf\xe9\n")
    assert raised.value.line == 3


def test_a_folder_is_read_recursively_in_order(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "0002-y.md").write_text("# Y")
    (tmp_path / "0001-x.md").write_text("# X")
    (tmp_path / "notes.txt").write_text("no")
    assert read_path(tmp_path) == [("0001-x.md", b"# X"), ("b/0002-y.md", b"# Y")]
    zipped_path = tmp_path / "all.zip"
    zipped_path.write_bytes(zipped({"0003-z.md": b"# Z"}))
    assert read_path(zipped_path) == [("0003-z.md", b"# Z")]


def test_zip_of_writes_what_read_zip_reads() -> None:
    files = [("0001-x.md", "# Ünïcode".encode()), ("0002-y.md", b"# Y")]
    with zipfile.ZipFile(io.BytesIO(zip_of(files))) as archive:
        assert archive.namelist() == ["0001-x.md", "0002-y.md"]
    assert read_zip("z.zip", zip_of(files)) == files
