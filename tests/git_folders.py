"""Git repositories made by the tests, with dulwich: a folder of files, committed one
change at a time, and served over HTTP on 127.0.0.1 by dulwich's own server."""

from __future__ import annotations

import stat
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from wsgiref.simple_server import WSGIServer

from dulwich.objects import Blob, Commit, Tree
from dulwich.refs import Ref
from dulwich.repo import Repo
from dulwich.server import DictBackend
from dulwich.web import (
    WSGIRequestHandlerLogger,
    WSGIServerLogger,
    make_server,
    make_wsgi_chain,
)

REGULAR = stat.S_IFREG | 0o644
SYMLINK = stat.S_IFLNK
SUBMODULE = 0o160000


class GitFolder:
    """A bare repository whose branch holds one folder of files."""

    def __init__(self, root: Path, folder: str = "docs/adr", branch: str = "main") -> None:
        self.root = root
        self.repo = Repo.init_bare(str(root), mkdir=True)
        self.folder = folder
        self.branch = branch
        self.files: dict[str, tuple[int, bytes]] = {}
        self.clock = 1_700_000_000

    @property
    def url(self) -> str:
        return str(self.root)

    def commit(
        self,
        changes: Mapping[str, bytes | None],
        *,
        author: str = "Ann <ann@example.com>",
        modes: Mapping[str, int] | None = None,
        folder: str | None = None,
    ) -> str:
        """Apply `changes` (None deletes a file) and commit; the new commit's sha.

        `modes` makes an entry a symbolic link (its bytes are the target) or a
        submodule (its bytes are a commit id); `folder` moves the files elsewhere.
        """
        for name, data in changes.items():
            if data is None:
                del self.files[name]
            else:
                self.files[name] = ((modes or {}).get(name, REGULAR), data)
        store = self.repo.object_store
        tree = Tree()
        for name, (mode, data) in self.files.items():
            if mode == SUBMODULE:
                tree.add(name.encode(), mode, data)
                continue
            blob = Blob.from_string(data)
            store.add_object(blob)
            tree.add(name.encode(), mode, blob.id)
        store.add_object(tree)
        for part in reversed(
            [p for p in (folder if folder is not None else self.folder).split("/") if p]
        ):
            outer = Tree()
            outer.add(part.encode(), stat.S_IFDIR, tree.id)
            store.add_object(outer)
            tree = outer
        ref = Ref(b"refs/heads/" + self.branch.encode())
        commit = Commit()
        commit.tree = tree.id
        commit.parents = [self.repo.refs[ref]] if ref in self.repo.refs else []
        commit.author = commit.committer = author.encode()
        self.clock += 60
        commit.author_time = commit.commit_time = self.clock
        commit.author_timezone = commit.commit_timezone = 0
        commit.message = b"change the decisions\n"
        store.add_object(commit)
        self.repo.refs[ref] = commit.id
        return commit.id.decode()


@contextmanager
def served(folder: GitFolder) -> Iterator[str]:
    """The repository over HTTP (git's smart protocol) on 127.0.0.1; yields its URL."""
    app = make_wsgi_chain(DictBackend({"/": folder.repo}))
    server: WSGIServer = make_server(
        "127.0.0.1",
        0,
        app,
        handler_class=WSGIRequestHandlerLogger,
        server_class=WSGIServerLogger,
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
