"""parse(render(d)) == d, compared by snapshot, over the whole content model.

The generated decisions are those a MADR file can hold; `strategies` says why each
limit is there. In short, what is left out:
- NUL and CR in text (CommonMark reads NUL as U+FFFD; CR is a line break), surrogates;
- spaces around single-line values (the parser strips them, as the domain does);
- top-level headings and unclosed fences or comments inside a section's text, since
  they start or swallow sections; option descriptions that end in 'Good, because'
  bullets (they are arguments);
- two options with the same name;
- extra sections out of render order, or placed after parts that are absent, and
  '###' headings after the options (each is an option).
Everything else (Markdown syntax in titles and bullets, titles ending in '#' or starting
with their own number, a justification that looks like a choice) is escaped on render.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings

from adapters.madr.parser import parse_madr
from adapters.madr.renderer import render_madr
from domain.decision import Decision
from tests.unit.madr.strategies import LOG, decisions, file_name

TODAY = dt.date(2030, 1, 1)


@settings(max_examples=200)
@given(decisions())
def test_a_rendered_decision_parses_back_to_itself(decision: Decision) -> None:
    text = render_madr(decision)

    parsed = parse_madr(text, filename=file_name(decision), log=LOG, today=TODAY)

    assert parsed.decision.snapshot() == decision.snapshot(), text
