"""openapi.yaml, loaded once, and JSON Schema checks of responses against it."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

OPENAPI_FILE = Path(__file__).resolve().parent.parent / "openapi.yaml"


@functools.cache
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(OPENAPI_FILE.read_text())
    return loaded


def assert_matches(schema_name: str, instance: Any) -> None:
    """Validate `instance` against components/schemas/`schema_name` of the document."""
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": document()["components"]}
    Draft202012Validator(schema).validate(instance)
