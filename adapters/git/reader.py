"""Read a log's source folder at its branch's head, with dulwich, into memory.

Each sync fetches only the branch's head commit (depth 1) into an in-memory repository:
nothing is kept on disk between syncs, and the pack is refused as soon as it grows past
the size limit, before the rest is downloaded.
"""

from __future__ import annotations

import asyncio
import io
import posixpath
import stat
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

from dulwich.client import GitClient, LocalGitClient, Urllib3HttpGitClient
from dulwich.errors import GitProtocolError, HangupException, NotGitRepository
from dulwich.object_store import MemoryObjectStore, tree_lookup_path
from dulwich.objects import Blob, Commit, Tree
from dulwich.refs import Ref
from dulwich.repo import MemoryRepo

from adapters.git.credentials import GitCredential
from application.errors import GitSourceUnavailable
from application.git_views import GitSnapshot
from application.ports import GitRepositories
from domain.git_source import GitSource
from domain.values import LogSlug

# A MADR file is text of a few KiB; anything this large is not one.
MAX_FILE_BYTES = 1024 * 1024
_TIMEOUT_SECONDS = 30.0


class _TooLarge(Exception):
    pass


class _BoundedPack(io.BytesIO):
    """The pack as it arrives, refused once it passes `limit` bytes."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def write(self, data: bytes) -> int:  # type: ignore[override]
        if self.tell() + len(data) > self.limit:
            raise _TooLarge
        return super().write(data)


def is_local(url: str) -> bool:
    """Whether `url` names a repository on this machine: file:// or a plain path."""
    scheme = urlsplit(url).scheme
    return scheme == "file" or scheme == "" or (len(scheme) == 1 and url[1:3] in (":\\", ":/"))


def local_path(url: str) -> str:
    return unquote(urlsplit(url).path) if url.startswith("file:") else url


class DulwichRepositories(GitRepositories):
    def __init__(
        self,
        credentials: Mapping[str, GitCredential],
        max_repository_bytes: int,
        timeout: float = _TIMEOUT_SECONDS,
    ) -> None:
        self._credentials = credentials
        self._max_repository_bytes = max_repository_bytes
        self._timeout = timeout

    async def snapshot(self, log: LogSlug, source: GitSource) -> GitSnapshot:
        credential = self._credentials.get(log.value)
        try:
            # dulwich blocks: off the event loop.
            return await asyncio.to_thread(self._read, source, credential)
        except GitSourceUnavailable as error:
            reason = error.reason if credential is None else credential.scrub(error.reason)
            raise GitSourceUnavailable(reason) from None

    def _read(self, source: GitSource, credential: GitCredential | None) -> GitSnapshot:
        client, path = self._client(source.url, credential)
        try:
            refs = client.get_refs(path.encode()).refs
        except NotGitRepository:
            raise GitSourceUnavailable(f"{source.url} is not a git repository") from None
        except (GitProtocolError, HangupException, OSError) as error:
            raise GitSourceUnavailable(f"{source.url} cannot be reached: {error}") from None
        head = refs.get(Ref(b"refs/heads/" + source.branch.encode()))
        if head is None:
            branches = sorted(
                ref.removeprefix(b"refs/heads/").decode(errors="replace")
                for ref in refs
                if ref.startswith(b"refs/heads/")
            )
            raise GitSourceUnavailable(
                f"{source.url} has no branch '{source.branch}'; its branches are: "
                f"{', '.join(branches) or 'none'}"
            )
        repo = MemoryRepo()
        pack = _BoundedPack(self._max_repository_bytes)
        try:
            client.fetch_pack(
                path,
                lambda refs, depth=None: [head],
                repo.get_graph_walker(),
                pack.write,
                depth=1,
            )
        except _TooLarge:
            raise GitSourceUnavailable(
                f"the head of branch '{source.branch}' is larger than "
                f"{self._max_repository_bytes} bytes, the limit "
                "(ADR_REGISTRY_GIT_MAX_REPOSITORY_BYTES)"
            ) from None
        except (GitProtocolError, HangupException, OSError) as error:
            raise GitSourceUnavailable(f"fetching from {source.url} failed: {error}") from None
        pack.seek(0)
        store = repo.object_store
        assert isinstance(store, MemoryObjectStore)
        store.add_thin_pack(pack.read, None)
        commit = repo[head]
        assert isinstance(commit, Commit)
        return _folder(repo, commit, source)

    def _client(self, url: str, credential: GitCredential | None) -> tuple[GitClient, str]:
        if is_local(url):
            return LocalGitClient(), str(Path(local_path(url)))
        return (
            Urllib3HttpGitClient(
                url,
                username=None if credential is None else credential.username,
                password=None if credential is None else credential.password,
                timeout=self._timeout,
            ),
            "",
        )


def _folder(repo: MemoryRepo, commit: Commit, source: GitSource) -> GitSnapshot:
    sha = commit.id.decode()
    tree_id = commit.tree
    if source.path:
        try:
            mode, tree_id = tree_lookup_path(repo.__getitem__, commit.tree, source.path.encode())
        except KeyError:
            raise GitSourceUnavailable(
                f"there is no folder '{source.path}' on branch '{source.branch}' at {sha[:7]}"
            ) from None
        if not stat.S_ISDIR(mode):
            raise GitSourceUnavailable(
                f"'{source.path}' on branch '{source.branch}' is a file, not a folder"
            )
    tree = repo[tree_id]
    assert isinstance(tree, Tree)
    files: list[tuple[str, bytes]] = []
    refused: list[tuple[str, str]] = []
    for entry in tree.iteritems():
        name = entry.path.decode(errors="replace")
        if not name.lower().endswith(".md"):
            continue  # the folder's other files (images, a template's assets)
        if stat.S_ISLNK(entry.mode):
            refused.append((name, _symlink_reason(repo, entry.sha, source.path)))
        elif entry.mode == 0o160000:
            refused.append((name, "a submodule, not a file: the sync does not follow them"))
        elif stat.S_ISREG(entry.mode):
            blob = repo[entry.sha]
            assert isinstance(blob, Blob)
            if blob.raw_length() > MAX_FILE_BYTES:
                refused.append(
                    (
                        name,
                        f"{blob.raw_length()} bytes; a MADR file is at most {MAX_FILE_BYTES} "
                        "bytes (1 MiB) here",
                    )
                )
            else:
                files.append((name, blob.as_raw_string()))
    author = commit.author.decode(errors="replace")
    return GitSnapshot(
        commit=sha,
        author=author.split(" <", 1)[0] or author,
        files=tuple(sorted(files)),
        refused=tuple(sorted(refused)),
    )


def _symlink_reason(repo: MemoryRepo, sha: bytes, folder: str) -> str:
    blob = repo[sha]
    assert isinstance(blob, Blob)
    target = blob.as_raw_string().decode(errors="replace")
    here = posixpath.normpath(folder or ".")
    lands = posixpath.normpath(posixpath.join(here, target))
    inside = not posixpath.isabs(target) and posixpath.dirname(lands) in (here, "")
    where = "a file of the folder" if inside else "a path out of the folder"
    return (
        f"a symbolic link to '{target}', {where}: the sync reads only regular files, "
        "so commit the file itself"
    )
