"""Use cases for logs and their members."""

from __future__ import annotations

from application.access import load_log, require_signed_in
from application.commands import CreateLog, RemoveMember, SetMember, UpdateLog
from application.errors import AlreadyExists, NotFound, VersionMismatch
from application.ports import Clock, GitSourcePolicy, UnitOfWork
from application.views import LogView, MemberView, actor_name, log_view
from domain.audit import AuditAction, AuditRecord
from domain.errors import InvalidValue
from domain.log import Log
from domain.values import LogSlug, Role


class CreateLogHandler:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    async def __call__(self, cmd: CreateLog) -> LogView:
        require_signed_in(cmd.actor)
        if cmd.actor.username is None:
            raise NotFound("a log needs a user as its first admin: create it with a user token")
        async with self.uow:
            if await self.uow.logs.get(cmd.slug) is not None:
                raise AlreadyExists(f"a log '{cmd.slug}' already exists: choose another slug")
            log = Log.create(
                slug=cmd.slug,
                title=cmd.title,
                description=cmd.description,
                visibility=cmd.visibility,
                creator=cmd.actor.username,
                at=self.clock.now(),
            )
            await self.uow.logs.add(log)
            await self.uow.commit()
        return log_view(log)


class UpdateLogHandler:
    def __init__(self, uow: UnitOfWork, clock: Clock, sources: GitSourcePolicy) -> None:
        self.uow = uow
        self.clock = clock
        self.sources = sources

    async def __call__(self, cmd: UpdateLog) -> LogView:
        async with self.uow:
            log = await load_log(self.uow, cmd.actor, cmd.slug, Role.ADMIN)
            if cmd.expected_version is not None and cmd.expected_version != log.version:
                raise VersionMismatch(f"log '{cmd.slug}'", cmd.expected_version, log.version)
            if cmd.change_source and cmd.source is not None and cmd.source != log.source:
                refusal = await self.sources.refusal(cmd.source.url)
                if refusal is not None:
                    raise InvalidValue("source.url", refusal)
            by, at = actor_name(cmd.actor), self.clock.now()
            changed = log.update(
                title=cmd.title,
                description=cmd.description,
                visibility=cmd.visibility,
                stale_after_days=cmd.stale_after_days,
                by=by,
                at=at,
            )
            if cmd.change_source:
                changed = log.set_source(cmd.source, by=by, at=at) or changed
            if changed:
                await self.uow.commit()
        return log_view(log)


class SetMemberHandler:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    async def __call__(self, cmd: SetMember) -> MemberView:
        async with self.uow:
            log = await load_log(self.uow, cmd.actor, cmd.slug, Role.ADMIN)
            if await self.uow.users.get(cmd.username) is None:
                raise NotFound(
                    f"there is no user '{cmd.username}': create it first "
                    f"(adr-registry users create {cmd.username})"
                )
            now = self.clock.now()
            if log.set_member(cmd.username, cmd.role, by=actor_name(cmd.actor), at=now):
                await self.uow.audit.record(
                    AuditRecord(
                        AuditAction.MEMBER_SET,
                        now,
                        cmd.actor.username,
                        member_target(cmd.slug, cmd.username),
                        cmd.origin,
                        {"role": cmd.role.value},
                    )
                )
                await self.uow.commit()
        return MemberView(username=cmd.username, role=cmd.role)


class RemoveMemberHandler:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    async def __call__(self, cmd: RemoveMember) -> None:
        async with self.uow:
            log = await load_log(self.uow, cmd.actor, cmd.slug, Role.ADMIN)
            now = self.clock.now()
            if not log.remove_member(cmd.username, by=actor_name(cmd.actor), at=now):
                raise NotFound(f"'{cmd.username}' is not a member of log '{cmd.slug}'")
            await self.uow.audit.record(
                AuditRecord(
                    AuditAction.MEMBER_REMOVED,
                    now,
                    cmd.actor.username,
                    member_target(cmd.slug, cmd.username),
                    cmd.origin,
                )
            )
            await self.uow.commit()


def member_target(slug: LogSlug, username: str) -> str:
    return f"log {slug} member {username}"
