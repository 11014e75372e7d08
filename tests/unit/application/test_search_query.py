"""Search-box syntax: any text reads as a query of plain words, and what people mean by
words, phrases, exclusions, prefixes and OR is what they get."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from application.search_query import (
    MAX_QUERY_LENGTH,
    SearchQuery,
    Term,
    check_search_text,
    parse_search,
)
from domain.errors import InvalidValue

_WORD = re.compile(r"[^\W_]+")

# Text as typed, with the syntax characters of our operators and of the backends'
# query languages (FTS5, tsquery) well represented.
_SYNTAX = st.sampled_from([*"\"-*() :^&|!<>'\\\x00\t\n", "OR", "NEAR(", "col:", "AND"])
search_text = st.lists(st.one_of(st.text(max_size=8), _SYNTAX), max_size=20).map("".join)


def word(text: str) -> Term:
    return Term((text,))


@given(search_text)
@example('"unbalanced')
@example("*")
@example("- OR *")
@example("NEAR(a b) title:x")
@example("a\x00b")
@settings(max_examples=400)
def test_any_text_reads_as_words_of_letters_and_digits(text: str) -> None:
    query = parse_search(text)
    terms = [t for group in query.all_of for t in group] + list(query.none_of)
    for term in terms:
        assert term.words
        for w in term.words:
            assert _WORD.fullmatch(w), w
            assert w == "".join(_WORD.findall(w.lower())), "words are lowercase"
    assert all(query.all_of), "no group is empty"


@given(search_text)
@settings(max_examples=400)
def test_the_canonical_spelling_reads_back_as_the_same_query(text: str) -> None:
    query = parse_search(text)
    assert parse_search(str(query)) == query


_WORDS = st.text(alphabet="abcdefghé日ж0123456789", min_size=2, max_size=6)
_TERMS = st.builds(
    Term,
    st.lists(_WORDS, min_size=1, max_size=3).map(tuple),
    prefix=st.booleans(),
)
_QUERIES = st.builds(
    SearchQuery,
    st.lists(st.lists(_TERMS, min_size=1, max_size=3, unique=True).map(tuple), max_size=4).map(
        lambda groups: tuple(dict.fromkeys(groups))
    ),
    st.lists(_TERMS, max_size=3, unique=True).map(tuple),
)


@given(_QUERIES)
def test_a_query_written_with_the_syntax_reads_back_as_meant(query: SearchQuery) -> None:
    assert parse_search(str(query)) == query


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("Kafka postgres", SearchQuery(all_of=((word("kafka"),), (word("postgres"),)))),
        ('"event sourcing"', SearchQuery(all_of=((Term(("event", "sourcing")),),))),
        ("event-sourcing", SearchQuery(all_of=((Term(("event", "sourcing")),),))),
        ("kafka -mongodb", SearchQuery(all_of=((word("kafka"),),), none_of=(word("mongodb"),))),
        ("postgre*", SearchQuery(all_of=((Term(("postgre",), prefix=True),),))),
        ("kafka OR pulsar", SearchQuery(all_of=((word("kafka"), word("pulsar")),))),
        (
            "queue kafka OR pulsar",
            SearchQuery(all_of=((word("queue"),), (word("kafka"), word("pulsar")))),
        ),
        ('"exact phr', SearchQuery(all_of=((Term(("exact", "phr")),),))),
        # Punctuation inside a word makes a phrase of its parts, as the backends read it.
        ("NEAR(a, b)", SearchQuery(all_of=((Term(("near", "a")),), (word("b"),)))),
        ("title:kafka", SearchQuery(all_of=((Term(("title", "kafka")),),))),
        (
            "'; DROP TABLE decisions; --",
            SearchQuery(all_of=((word("drop"),), (word("table"),), (word("decisions"),))),
        ),
        ("日本語 слово", SearchQuery(all_of=((word("日本語"),), (word("слово"),)))),
        ("k* *", SearchQuery(all_of=((word("k"),),))),
        ('OR - * "" OR', SearchQuery()),
        ("-kafka", SearchQuery(none_of=(word("kafka"),))),
        ("or", SearchQuery(all_of=((word("or"),),))),
    ],
)
def test_search_box_syntax(text: str, meant: SearchQuery) -> None:
    assert parse_search(text) == meant


def test_a_query_without_a_term_to_look_for_matches_nothing() -> None:
    assert parse_search("-kafka").matches_nothing
    assert parse_search('"" * OR').matches_nothing
    assert not parse_search("kafka -mongodb").matches_nothing


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_a_blank_search_is_refused(text: str) -> None:
    with pytest.raises(InvalidValue, match="must not be empty") as raised:
        check_search_text(text)
    assert raised.value.field == "q"


def test_a_search_over_the_length_limit_is_refused() -> None:
    assert check_search_text("a" * MAX_QUERY_LENGTH)
    with pytest.raises(InvalidValue, match=f"at most {MAX_QUERY_LENGTH} characters"):
        check_search_text("a" * (MAX_QUERY_LENGTH + 1))
