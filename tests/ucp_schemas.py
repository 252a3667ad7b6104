"""UCP's own JSON Schemas (ucp-schemas/2026-04-08, copied from the specification's release):
validators for a UCP cart answer, an error response and the business profile."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tools.ucp.tool_schemas import SCHEMAS, resolve

CART = "https://ucp.dev/schemas/shopping/cart.json"
ERROR_RESPONSE = "https://ucp.dev/schemas/shopping/types/error_response.json"
PROFILE = "https://ucp.dev/schemas/discovery/profile.json"
MISPLACED_UCP = "https://ucp.dev/schemas/schemas/ucp.json"
"""Where the release's discovery profile looks for ucp.json (see SOURCE.md)."""


@cache
def registry() -> Registry:
    """Every schema under its `$id`, as a response sees it (`ucp_request` resolved)."""
    resources = []
    for path in Path(SCHEMAS).rglob("*.json"):
        document: dict[str, Any] = json.loads(path.read_text())
        if "$id" in document:
            schema = resolve(document, None)
            resources.append((document["$id"], Resource.from_contents(schema)))
            if document["$id"] == "https://ucp.dev/schemas/ucp.json":
                pointers = {
                    name: {"$ref": f"{document['$id']}#/$defs/{name}"} for name in schema["$defs"]
                }
                resources.append((MISPLACED_UCP, DRAFT202012.create_resource({"$defs": pointers})))
    return Registry().with_resources(resources)


def errors(document: Any, schema_id: str) -> list[str]:
    """What UCP's schema finds wrong with `document` (none: it conforms)."""
    validator = Draft202012Validator({"$ref": schema_id}, registry=registry())
    found = validator.iter_errors(document)
    return [f"{list(error.absolute_path)}: {error.message}" for error in found]


def business_profile_errors(document: Any) -> list[str]:
    return errors(document, f"{PROFILE}#/$defs/business_profile")
