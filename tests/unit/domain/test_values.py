"""Value objects accept exactly what their rules allow, and normalise idempotently."""

from __future__ import annotations

import re

import hypothesis.strategies as st
import pytest
from hypothesis import example, given

from domain.errors import InvalidValue
from domain.values import (
    DecisionNumber,
    DecisionRef,
    LogSlug,
    people_of,
    slugify,
    tag_of,
    tags_of,
    username_of,
)

SLUG_GRAMMAR = r"[a-z0-9]+(-[a-z0-9]+)*"
HERE = LogSlug("here")


def is_slug(text: str) -> bool:
    """The reference: PRODUCT.md's slug (lowercase, digits, single dashes), at most 64."""
    return len(text) <= 64 and re.fullmatch(SLUG_GRAMMAR, text) is not None


def accepts(make: object, text: object) -> bool:
    try:
        make(text)  # type: ignore[operator]
    except InvalidValue:
        return False
    return True


slugs = st.from_regex(SLUG_GRAMMAR, fullmatch=True)
valid_slugs = slugs.filter(lambda s: len(s) <= 64)
# Near misses: a valid slug with one character inserted, or arbitrary text around it.
odd_chars = st.sampled_from(["\n", " ", "-", "A", "_", "/", "é"]) | st.characters()
near_slugs = st.one_of(
    st.tuples(slugs, st.integers(0, 70), odd_chars).map(
        lambda t: t[0][: t[1]] + t[2] + t[0][t[1] :]
    ),
    st.tuples(st.text(max_size=2), slugs, st.text(max_size=2)).map("".join),
)
refs = st.builds(DecisionRef, valid_slugs.map(LogSlug), st.integers(1, 10**6).map(DecisionNumber))


# -- LogSlug --------------------------------------------------------------------


@given(slugs)
def test_a_slug_of_the_grammar_is_accepted_up_to_64_characters(text: str) -> None:
    assert accepts(LogSlug, text) == (len(text) <= 64)


@given(st.text() | near_slugs)
@example("a" * 64)
@example("a" * 65)
@example("a--b")
@example("-a")
@example("Payments")
@example("")
def test_a_log_slug_is_accepted_exactly_when_it_matches_the_grammar(text: str) -> None:
    assert accepts(LogSlug, text) == is_slug(text)


def test_a_log_slug_with_a_trailing_newline_is_refused() -> None:
    assert not accepts(LogSlug, "payments\n")


def test_a_username_with_a_trailing_newline_is_refused() -> None:
    assert not accepts(username_of, "ann\n")


@given(valid_slugs)
def test_a_slug_reads_as_itself(text: str) -> None:
    assert str(LogSlug(text)) == text


# -- DecisionNumber -------------------------------------------------------------


@given(st.integers())
def test_a_decision_number_is_a_whole_number_of_zero_or_more(n: int) -> None:
    assert accepts(DecisionNumber, n) == (n >= 0)


@pytest.mark.parametrize("value", [True, False, 1.0, "7", None])
def test_a_decision_number_refuses_bools_and_non_integers(value: object) -> None:
    with pytest.raises(InvalidValue):
        DecisionNumber(value)  # type: ignore[arg-type]


@given(st.integers(1, 10**6))
def test_a_decision_number_shows_as_adr_and_four_digits_at_least(n: int) -> None:
    assert str(DecisionNumber(n)) == f"ADR-{n:04d}"


# -- DecisionRef ----------------------------------------------------------------


@given(refs, valid_slugs.map(LogSlug))
def test_a_ref_parses_back_from_its_text(ref: DecisionRef, relative_to: LogSlug) -> None:
    assert DecisionRef.parse(str(ref), relative_to=relative_to) == ref


@given(refs)
def test_a_ref_in_its_own_log_parses_from_its_number_in_every_spelling(ref: DecisionRef) -> None:
    n = ref.number.value
    for text in (str(n), f"ADR-{n:04d}", f"adr-{n}", f"  {n} ", str(ref.number)):
        assert DecisionRef.parse(text, relative_to=ref.log) == ref


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7", "here/7"),
        ("ADR-0007", "here/7"),
        ("other-log/7", "other-log/7"),
        ("other-log/ADR-0007", "other-log/7"),
    ],
)
def test_a_ref_reads_a_number_or_a_log_and_number(text: str, expected: str) -> None:
    assert str(DecisionRef.parse(text, relative_to=HERE)) == expected


REF_GRAMMAR = re.compile(rf"(?:({SLUG_GRAMMAR})/)?(?:ADR-?)?0*([0-9]{{1,9}})", re.IGNORECASE)


def reference_parse(text: str) -> str | None:
    """'log/number' as the reference grammar reads `text`, or None for junk."""
    match = REF_GRAMMAR.fullmatch(text.strip())
    if match is None:
        return None
    log = match[1] or HERE.value
    return f"{log}/{int(match[3])}" if is_slug(log) else None


ref_like = st.tuples(
    st.just("") | (slugs | near_slugs).map(lambda log: log + "/"),
    st.lists(st.sampled_from(["ADR-", "ADR", "adr-", "-", " "]), max_size=2).map("".join),
    st.from_regex(r"[0-9]{1,4}", fullmatch=True) | st.text(max_size=2),
    st.just("") | odd_chars,
).map("".join)


@given(st.text() | ref_like)
@example("ADR--7")
@example("/7")
@example("a/b/7")
@example("other-log/")
@example("\u0667")  # an Arabic-Indic digit seven
@example("0")
@example("Other-Log/7")
def test_a_ref_is_read_exactly_as_the_grammar_says_and_junk_is_refused(text: str) -> None:
    expected = reference_parse(text)
    if expected is None:
        with pytest.raises(InvalidValue):
            DecisionRef.parse(text, relative_to=HERE)
    else:
        assert str(DecisionRef.parse(text, relative_to=HERE)) == expected


def test_a_ref_with_a_doubled_adr_prefix_is_refused() -> None:
    assert not accepts(lambda t: DecisionRef.parse(t, relative_to=HERE), "ADR-ADR7")


def test_a_ref_with_a_newline_in_its_log_is_refused() -> None:
    assert not accepts(lambda t: DecisionRef.parse(t, relative_to=HERE), "payments\n/7")


def test_a_ref_with_an_absurdly_long_number_is_refused_as_an_invalid_value() -> None:
    with pytest.raises(InvalidValue):
        DecisionRef.parse("9" * 5000, relative_to=HERE)


# -- tags, slugs of titles, people ------------------------------------------------


@given(st.text())
def test_tag_normalisation_is_idempotent(text: str) -> None:
    try:
        tag = tag_of(text)
    except InvalidValue:
        return
    assert tag_of(tag) == tag
    assert 1 <= len(tag) <= 63
    assert "," not in tag
    assert not any(c.isspace() for c in tag)


@pytest.mark.parametrize(
    ("text", "tag"), [("Cache", "cache"), ("  Data  Base ", "data-base"), ("API\tv2", "api-v2")]
)
def test_a_tag_is_trimmed_lowercased_and_dashed(text: str, tag: str) -> None:
    assert tag_of(text) == tag


@pytest.mark.parametrize("text", ["", "   ", "a,b", "x" * 64])
def test_a_blank_or_comma_or_overlong_tag_is_refused(text: str) -> None:
    with pytest.raises(InvalidValue):
        tag_of(text)


@given(st.lists(st.sampled_from(["Cache", "cache", " CACHE ", "db", "DB", "data base"])))
def test_tags_are_a_set_of_normalised_tags(texts: list[str]) -> None:
    assert tags_of(texts) == {tag_of(t) for t in texts}


def test_tags_must_be_a_list_not_one_string() -> None:
    with pytest.raises(InvalidValue):
        tags_of("cache")


@given(st.text())
@example("Use FastAPI!")
@example("---")
@example("Ünïcödé Ⅻ ǅ")
@example("a" * 63 + "-b")
def test_slugify_always_gives_a_valid_file_slug(title: str) -> None:
    assert is_slug(slugify(title))


def test_slugify_reads_like_the_title() -> None:
    assert slugify("Use FastAPI as the web framework!") == "use-fastapi-as-the-web-framework"


names = st.text(alphabet=st.sampled_from("ab \t"), min_size=1, max_size=5)


@given(st.lists(names))
def test_people_are_trimmed_and_deduplicated_in_order(raw: list[str]) -> None:
    clean = [" ".join(name.split()) for name in raw]
    if "" in clean:
        with pytest.raises(InvalidValue):
            people_of("consulted", raw)
    else:
        assert people_of("consulted", raw) == tuple(dict.fromkeys(clean))


@pytest.mark.parametrize("value", ["Ann", ["Ann", 7], None])
def test_people_must_be_a_list_of_names(value: object) -> None:
    with pytest.raises(InvalidValue):
        people_of("informed", value)
