"""Request documents: a JSON object of valid Unicode text, or a clear 400 saying what is not;
and the documents answered, as JSON (`encode`).

JSON decoders accept what no field of ours takes and what must not travel further: a
duplicate key (the last one silently wins), a lone UTF-16 surrogate (`"\\ud800"`, which no
UTF-8 encoder can write to DynamoDB, a receipt or a log line), an integer of thousands of
digits (whose conversion hits the interpreter's own limit, with a message about its
internals). Each is refused here, with the field named, before anything reads the fields.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, NoReturn

import orjson

from chalicelib.domain.errors import FieldError, InvalidInput, InvalidJson


def parse_json_object(raw: bytes | None) -> dict[str, Any]:
    """Decode a request body that must be a JSON object of valid Unicode text (duplicate
    keys are refused)."""
    if not raw:
        raise InvalidJson("the body is empty")
    try:
        document = _DECODER.decode(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InvalidJson("the body is not UTF-8") from None
    except RecursionError:
        raise InvalidJson("the body is nested too deeply") from None
    except json.JSONDecodeError as error:
        raise InvalidJson(str(error)) from None
    if not isinstance(document, dict):
        raise InvalidJson(f"expected an object, got {_json_type(document)}")
    check_text(document)
    return document


def encode(document: dict[str, Any]) -> str:
    """An answer's JSON: compact UTF-8 text. orjson takes a third of the standard library's
    time, and a request pays it after its last DynamoDB call."""
    return orjson.dumps(document).decode()


_LONGEST_INTEGER = 18
"""Digits of the longest integer any field takes (a version); a longer one is no integer of
ours, and decoding it would cost time (or hit the interpreter's own limit)."""


def _integer(digits: str) -> int | float:
    """A JSON integer: too long for any field, it stays a number but not an integer, which
    every field that takes one refuses with its own rule."""
    return int(digits) if len(digits.lstrip("-")) <= _LONGEST_INTEGER else math.inf


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
UNICODE_RULE = "must be valid Unicode text (a lone surrogate such as \\ud800 is not)"


def check_text(document: object) -> None:
    """Refuse a document with any string, or key, that is not valid Unicode text: JSON
    lets `"\\ud800"` through, and no such string may reach DynamoDB, a receipt or a log.
    Every field that holds one is named (a key by its parent's path and U+FFFD)."""
    invalid, pending = [], [("", document)]
    while pending:  # a loop, not a recursion: the deepest document json accepts is fine
        path, value = pending.pop()
        if isinstance(value, str) and _LONE_SURROGATE.search(value):
            invalid.append(path)
        elif isinstance(value, list):
            pending += [(f"{path}[{index}]", item) for index, item in enumerate(value)]
        elif isinstance(value, dict):
            for key, item in value.items():
                name = f"{path}.{key}" if path else str(key)
                if _LONE_SURROGATE.search(name):
                    invalid.append(_LONE_SURROGATE.sub("\ufffd", name))
                else:
                    pending.append((name, item))
    if invalid:
        raise InvalidInput([FieldError(field, UNICODE_RULE) for field in sorted(invalid)])


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise InvalidInput([FieldError(key, "must appear only once")])
        document[key] = value
    return document


def _refuse_constant(name: str) -> NoReturn:
    raise InvalidJson(f"{name} is not valid JSON")


_DECODER = json.JSONDecoder(
    object_pairs_hook=_object_without_duplicates,
    parse_constant=_refuse_constant,
    parse_int=_integer,
)
"""Made once: json.loads with these hooks would make a decoder for every body."""


def _json_type(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return "a number"
