"""Which repository URLs a log may mirror: http(s) remotes through the webhooks' SSRF
guard (the same checks, the same operator exemptions), local paths only where the
operator allows them (ADR_REGISTRY_GIT_ALLOW_LOCAL_SOURCES)."""

from __future__ import annotations

from urllib.parse import urlsplit

from adapters.git.reader import is_local
from adapters.webhooks.guard import SsrfGuard
from application.ports import GitSourcePolicy
from domain.errors import InvalidValue
from domain.webhooks import WebhookUrl


class GitUrlPolicy(GitSourcePolicy):
    def __init__(self, guard: SsrfGuard, allow_local: bool) -> None:
        self.guard = guard
        self.allow_local = allow_local

    async def refusal(self, url: str) -> str | None:
        if is_local(url):
            if self.allow_local:
                return None
            return (
                "local repositories are not allowed on this server "
                "(ADR_REGISTRY_GIT_ALLOW_LOCAL_SOURCES); give an http or https URL"
            )
        scheme = urlsplit(url).scheme
        if scheme not in ("http", "https"):
            return f"only http and https repositories can be mirrored, not '{scheme}'"
        try:
            checked = WebhookUrl(url)
        except InvalidValue as invalid:
            return invalid.message
        return await self.guard.refusal(checked)
