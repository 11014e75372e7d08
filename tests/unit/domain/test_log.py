"""The Log aggregate: members and roles, the last admin, settings and its version."""

from __future__ import annotations

from datetime import UTC, datetime

import hypothesis.strategies as st
import pytest
from hypothesis import given

from domain.errors import InvalidValue
from domain.log import LastAdmin, Log
from domain.values import LogSlug, Role, Visibility

SLUG = LogSlug("platform")
AT = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
PEOPLE = ["owner", "ann", "dee", "vic"]


def new_log() -> Log:
    return Log.create(slug=SLUG, title="Platform", creator="owner", at=AT)


def test_the_creator_is_the_first_admin_of_a_private_log() -> None:
    log = new_log()
    assert log.members == {"owner": Role.ADMIN}
    assert (log.visibility, log.version) == (Visibility.PRIVATE, 1)
    assert log.role_of("owner") is Role.ADMIN
    assert log.role_of("ann") is None
    assert log.role_of(None) is None


@pytest.mark.parametrize(
    ("role", "includes"),
    [
        (Role.VIEWER, {Role.VIEWER}),
        (Role.AUTHOR, {Role.VIEWER, Role.AUTHOR}),
        (Role.DECIDER, {Role.VIEWER, Role.AUTHOR, Role.DECIDER}),
        (Role.ADMIN, set(Role)),
    ],
)
def test_each_role_includes_the_rights_of_those_before_it(role: Role, includes: set) -> None:
    assert {other for other in Role if role.includes(other)} == includes


membership_ops = st.lists(
    st.tuples(st.sampled_from(PEOPLE), st.none() | st.sampled_from(list(Role))), max_size=25
)


def apply(log: Log, username: str, role: Role | None) -> bool:
    """Set `username`'s role, or remove them when `role` is None."""
    if role is None:
        return log.remove_member(username, by="owner", at=AT)
    return log.set_member(username, role, by="owner", at=AT)


@given(membership_ops)
def test_a_log_always_keeps_an_admin_and_its_version_counts_real_changes(
    ops: list[tuple[str, Role | None]],
) -> None:
    log = new_log()
    model: dict[str, Role] = {"owner": Role.ADMIN}
    version = 1
    for username, role in ops:
        after = dict(model)
        if role is None:
            after.pop(username, None)
        else:
            after[username] = role
        if after == model:
            assert not apply(log, username, role), "no change, no new version"
        elif not any(r is Role.ADMIN for r in after.values()):
            with pytest.raises(LastAdmin, match="last admin"):
                apply(log, username, role)
        else:
            assert apply(log, username, role)
            model, version = after, version + 1
        assert log.members == model
        assert log.version == version


def test_the_last_admin_can_be_demoted_once_someone_else_is_admin() -> None:
    log = new_log()
    with pytest.raises(LastAdmin):
        log.set_member("owner", Role.DECIDER, by="owner", at=AT)
    with pytest.raises(LastAdmin):
        log.remove_member("owner", by="owner", at=AT)
    log.set_member("ann", Role.ADMIN, by="owner", at=AT)
    log.remove_member("owner", by="owner", at=AT)
    assert log.members == {"ann": Role.ADMIN}


def test_a_member_must_have_a_valid_username() -> None:
    log = new_log()
    with pytest.raises(InvalidValue):
        log.set_member("not a name", Role.VIEWER, by="owner", at=AT)
    assert (log.members, log.version) == ({"owner": Role.ADMIN}, 1)


settings_changes = st.fixed_dictionaries(
    {},
    optional={
        "title": st.sampled_from(["Platform", "  Platform ", "Platform team"]),
        "description": st.sampled_from(["", "Our platform decisions."]),
        "visibility": st.sampled_from(list(Visibility)),
    },
)


@given(st.lists(settings_changes, max_size=8))
def test_updating_settings_bumps_the_version_only_when_something_changes(
    updates: list[dict[str, object]],
) -> None:
    log = new_log()
    for update in updates:
        before = (log.title, log.description, log.visibility, log.version)
        wanted = {key: str(v).strip() if key == "title" else v for key, v in update.items()}
        changes = any(getattr(log, key) != value for key, value in wanted.items())
        assert log.update(**update, by="owner", at=AT) == changes  # type: ignore[arg-type]
        assert log.version == before[3] + (1 if changes else 0)
        for key, value in wanted.items():
            assert getattr(log, key) == value


@pytest.mark.parametrize("title", ["", "   ", "two\nlines", "x" * 201])
def test_a_log_title_is_one_non_blank_line_of_at_most_200_characters(title: str) -> None:
    log = new_log()
    with pytest.raises(InvalidValue):
        log.update(title=title, by="owner", at=AT)
    assert (log.title, log.version) == ("Platform", 1)


def test_a_description_may_not_exceed_ten_thousand_characters() -> None:
    log = new_log()
    with pytest.raises(InvalidValue):
        log.update(description="x" * 10_001, by="owner", at=AT)
    assert log.update(description="x" * 10_000, by="owner", at=AT)


@given(st.integers(min_value=-10, max_value=4000))
def test_stale_after_days_is_a_whole_number_of_days_from_one_to_ten_years(days: int) -> None:
    log = new_log()
    assert log.stale_after_days == 30
    if 1 <= days <= 3650:
        assert log.update(stale_after_days=days, by="owner", at=AT) == (days != 30)
        assert log.stale_after_days == days
    else:
        with pytest.raises(InvalidValue, match="stale_after_days"):
            log.update(stale_after_days=days, by="owner", at=AT)
        assert (log.stale_after_days, log.version) == (30, 1)
