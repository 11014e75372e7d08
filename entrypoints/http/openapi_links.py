"""OpenAPI links: from the reply that creates a record to every operation on it.

A client (and a stateful test tool such as Schemathesis) learns from them that a log's
`slug`, a decision's `number` or a webhook's `id` in a 201 reply names the record in the
paths under it. They are derived from the paths, so a new route under a created record
gets its link without anyone writing it.
"""

from __future__ import annotations

import re
from typing import Any

# The created record's path parameter, and the field of the 201 reply that holds it.
_CREATED_FIELD = {"log": "slug", "n": "number", "id": "id"}
_PARAMETER = re.compile(r"{(\w+)}")


def add_links(openapi: dict[str, Any]) -> None:
    paths: dict[str, dict[str, Any]] = openapi.get("paths", {})
    for path, item in paths.items():
        created = item.get("post", {}).get("responses", {}).get("201")
        if created is None:
            continue
        links = {
            operation["operationId"]: _link(operation["operationId"], path, name)
            for target, target_item in paths.items()
            if (name := _creates_parameter(path, target)) is not None
            for operation in target_item.values()
            if "operationId" in operation
        }
        if links:
            created["links"] = dict(sorted(links.items()))


def _creates_parameter(path: str, target: str) -> str | None:
    """The parameter that `target` adds below `path` when the reply to a POST on `path`
    names it, and `target` needs no other new one; None otherwise."""
    if not target.startswith(path + "/{"):
        return None
    added = _PARAMETER.findall(target[len(path) :])
    if len(added) != 1 or added[0] not in _CREATED_FIELD:
        return None
    name: str = added[0]
    return name


def _link(operation_id: str, path: str, created: str) -> dict[str, Any]:
    parameters = {name: f"$request.path.{name}" for name in _PARAMETER.findall(path)}
    parameters[created] = f"$response.body#/{_CREATED_FIELD[created]}"
    return {
        "operationId": operation_id,
        "parameters": parameters,
        "description": f"The created record's `{_CREATED_FIELD[created]}` is its `{created}`.",
    }
