"""CloudWatch Embedded Metric Format, as its specification states it: a JSON schema of the
document's structure, and the rules a schema cannot say (every reference names a member of
the root; dimensions are strings, metrics numbers). Written from the specification's text
(docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/
CloudWatch_Embedded_Metric_Format_Specification.html)."""

from __future__ import annotations

import json
from typing import Any

import jsonschema

from chalicelib.edge.logs import ACCESS_LOGGER

UNITS = (
    "Seconds|Microseconds|Milliseconds|Bytes|Kilobytes|Megabytes|Gigabytes|Terabytes|Bits|"
    "Kilobits|Megabits|Gigabits|Terabits|Percent|Count|Bytes/Second|Kilobytes/Second|"
    "Megabytes/Second|Gigabytes/Second|Terabytes/Second|Bits/Second|Kilobits/Second|"
    "Megabits/Second|Gigabits/Second|Terabits/Second|Count/Second|None"
)
_NAME = {"type": "string", "minLength": 1, "maxLength": 255}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["_aws"],
    "properties": {
        "_aws": {
            "type": "object",
            "required": ["Timestamp", "CloudWatchMetrics"],
            "properties": {
                "Timestamp": {"type": "integer", "minimum": 0},
                "CloudWatchMetrics": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["Namespace", "Dimensions", "Metrics"],
                        "additionalProperties": False,
                        "properties": {
                            "Namespace": _NAME,
                            "Dimensions": {
                                "type": "array",
                                "minItems": 1,
                                "items": {"type": "array", "maxItems": 9, "items": _NAME},
                            },
                            "Metrics": {
                                "type": "array",
                                "maxItems": 100,
                                "items": {
                                    "type": "object",
                                    "required": ["Name"],
                                    "additionalProperties": False,
                                    "properties": {
                                        "Name": _NAME,
                                        "Unit": {"type": "string", "pattern": f"^({UNITS})$"},
                                        "StorageResolution": {"enum": [1, 60]},
                                    },
                                },
                            },
                        },
                    },
                },
            },
        }
    },
}


def access_lines(stdout: str) -> list[dict[str, Any]]:
    """The access lines in what a test captured of standard output, each as JSON (the
    other lines of a log, and whatever else was printed, left out)."""
    documents = (json.loads(line) for line in stdout.splitlines() if line.startswith("{"))
    return [document for document in documents if document.get("logger") == ACCESS_LOGGER]


def check(document: dict[str, Any]) -> None:
    """Raise unless `document` is a valid EMF document."""
    jsonschema.validate(document, SCHEMA)
    for directive in document["_aws"]["CloudWatchMetrics"]:
        for dimension_set in directive["Dimensions"]:
            for dimension in dimension_set:
                assert isinstance(document.get(dimension), str), f"dimension {dimension}"
        for metric in directive["Metrics"]:
            value = document.get(metric["Name"])
            values = value if isinstance(value, list) else [value]
            assert len(values) <= 100, metric["Name"]
            for number in values:
                assert isinstance(number, int | float) and not isinstance(number, bool), metric


def metrics(document: dict[str, Any]) -> dict[str, Any]:
    """Each metric of the document: its value and the dimensions it is published with."""
    found: dict[str, Any] = {}
    for directive in document["_aws"]["CloudWatchMetrics"]:
        dimensions = tuple(directive["Dimensions"][0])
        for metric in directive["Metrics"]:
            found[metric["Name"]] = (document[metric["Name"]], dimensions)
    return found
