"""A log's git source: the repository folder that is the log's source of truth."""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.errors import DomainError, InvalidValue

URL_MAX = 2000
BRANCH_MAX = 200
PATH_MAX = 500
# git check-ref-format, the parts a branch name can break: no control characters, space,
# ~ ^ : ? * [ \, no '..', no '@{', not starting with '-' or ending with '.lock' or '/'.
_BAD_BRANCH = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{|^[-/.]|/$|\.lock$|//|/\.")


@dataclass(frozen=True, slots=True)
class GitSource:
    """Where a log's MADR files live: a repository, a branch and a folder in it.

    `path` is relative to the repository's root, with '/' between folders; '' is the
    root itself.
    """

    url: str
    branch: str = "main"
    path: str = ""

    def __post_init__(self) -> None:
        url = self.url.strip()
        if not url or len(url) > URL_MAX or any(c < " " or c == "\x7f" for c in url):
            raise InvalidValue(
                "source.url",
                f"give the repository's URL (http, https or, where allowed, a local path) "
                f"on one line of at most {URL_MAX} characters",
            )
        if not self.branch or len(self.branch) > BRANCH_MAX or _BAD_BRANCH.search(self.branch):
            raise InvalidValue(
                "source.branch",
                f"{self.branch!r} is not a valid branch name (e.g. 'main' or 'release/2.0')",
            )
        path = self.path.strip("/")
        parts = path.split("/") if path else []
        if (
            len(self.path) > PATH_MAX
            or any(part in ("", ".", "..") for part in parts)
            or any(c < " " or c == "\\" for c in path)
        ):
            raise InvalidValue(
                "source.path",
                f"{self.path!r} is not a folder inside the repository: give it relative to "
                "the repository's root with '/' between folders, e.g. 'docs/decisions'",
            )
        object.__setattr__(self, "url", url)
        object.__setattr__(self, "path", path)

    def describe(self) -> str:
        folder = self.path or "the repository's root folder"
        return f"{folder} on branch {self.branch} of {self.url}"


class SourceOfTruth(DomainError):
    """The log mirrors a git folder: its decisions change there, not through the API."""

    def __init__(self, source: GitSource, file: str | None) -> None:
        self.source = source
        self.file = file
        where = f"{source.path}/" if source.path else ""
        what = (
            f"edit {where}{file}"
            if file is not None
            else f"add or edit its MADR file in {source.path or 'the root folder'}"
        )
        super().__init__(
            f"this log mirrors {source.url} (branch {source.branch}), its source of truth: "
            f"{what} there and let the sync bring the change in"
        )
