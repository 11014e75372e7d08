"""The JSON form of a decision's content: one shape for the API and for storage."""

from __future__ import annotations

from typing import Any

from domain.content import Arguments, Content, ExtraSection, Option, Outcome


def content_to_json(content: Content) -> dict[str, Any]:
    return {
        "context": content.context,
        "drivers": list(content.drivers),
        "options": [
            {"title": o.title, "description": o.description, **_arguments(o.arguments)}
            for o in content.options
        ],
        "outcome": {
            "chosen": content.outcome.chosen,
            "justification": content.outcome.justification,
        },
        "consequences": _arguments(content.consequences),
        "confirmation": content.confirmation,
        "more_information": content.more_information,
        "extra_sections": [
            {"heading": s.heading, "body": s.body, "level": s.level, "after": s.after}
            for s in content.extra_sections
        ],
        "extra_metadata": [{"key": k, "value": v} for k, v in content.extra_metadata],
    }


def content_from_json(data: dict[str, Any]) -> Content:
    """Rebuild content from its JSON form; missing keys take their empty defaults."""
    outcome = data.get("outcome") or {}
    return Content(
        context=data.get("context", ""),
        drivers=tuple(data.get("drivers", ())),
        options=tuple(
            Option(
                title=o["title"],
                description=o.get("description", ""),
                arguments=_arguments_from(o),
            )
            for o in data.get("options", ())
        ),
        outcome=Outcome(
            chosen=outcome.get("chosen", ""), justification=outcome.get("justification", "")
        ),
        consequences=_arguments_from(data.get("consequences") or {}),
        confirmation=data.get("confirmation", ""),
        more_information=data.get("more_information", ""),
        extra_sections=tuple(
            ExtraSection(
                heading=s["heading"],
                body=s.get("body", ""),
                level=s.get("level", 2),
                after=s.get("after", ""),
            )
            for s in data.get("extra_sections", ())
        ),
        extra_metadata=tuple((m["key"], m.get("value")) for m in data.get("extra_metadata", ())),
    )


def _arguments(arguments: Arguments) -> dict[str, list[str]]:
    return {
        "good": list(arguments.good),
        "neutral": list(arguments.neutral),
        "bad": list(arguments.bad),
    }


def _arguments_from(data: dict[str, Any]) -> Arguments:
    return Arguments(
        good=tuple(data.get("good", ())),
        neutral=tuple(data.get("neutral", ())),
        bad=tuple(data.get("bad", ())),
    )
