"""What moto spends on every request that its answers do not need, skipped in `make run`,
in the tests and in the benchmarks (profiled under the chaos matrix, nearly two fifths of
the server's time went to the first three).

- moto serializes each answer by walking the API's model, and each attribute value of
  each item by asking, for all ten of the value's possible members, four ways of naming
  it. An attribute value that is already in DynamoDB's wire format (a string, a number,
  a set of them, a boolean, a null, or a map or list of those) is copied as it is: the
  same JSON, byte for byte. A binary value, or anything else, takes moto's own way.
- moto's server lists its own package folder on the disk (a hundred-odd directories) for
  every request, to see whether the host names a service. The list is taken once.
- moto lists a handler's methods by reflection for every request. They are listed once
  per handler class.
- moto checks an update expression with ten passes over its tree, and each pass built its
  table of what it does to which node anew for every node. Each pass builds it once.
- moto parses an update expression twice for each request (to check its names, then to
  apply it), and splits each condition expression into tokens, character by character.
  Both are kept by their text: the service sends the same few expressions again and again.
  A parsed update expression is never changed (moto applies a copy of it); the tokens are
  handed out in a deque of their own each time.
- moto checks an update expression's structure (one SET, ADD or REMOVE clause each, no
  overlapping paths, no key attribute set) with three more passes over it on every
  request, though the answer depends only on the expression's text, its names and the
  table's key. A structure that passed once is not checked again (one that failed is
  checked every time, and fails again).
- moto copies an update expression's tree for every request by Python's generic deep
  copy; a tree's node is copied field by field (the same copy, a third of the time).
- moto draws each answer's request id one character at a time (52 calls to `random`); it is
  now 52 characters from the system's random source at once.
- The server's app for each service (`backend_app`) runs out of Flask's debug mode, in which
  Flask builds a class for every request with a body, and without CORS headers: no browser
  calls the local DynamoDB (the storefront calls the API).
"""

from __future__ import annotations

import base64
import copy
import functools
import os
from collections import deque
from collections.abc import MutableMapping
from typing import Any

from moto import backends
from moto.core import responses, serialize, utils
from moto.dynamodb import comparisons
from moto.dynamodb.parsing import ast_nodes, expressions, validators
from moto.moto_server import werkzeug_app

_PLAIN_KINDS = frozenset({"S", "N"})
_SET_KINDS = frozenset({"SS", "NS"})
_TRUTH_KINDS = frozenset({"BOOL", "NULL"})


def apply() -> None:
    """Patch moto's classes and functions (once per process)."""
    if hasattr(serialize.BaseJSONSerializer, "serialize_structure_unpatched"):
        return
    original = serialize.BaseJSONSerializer._serialize_type_structure
    serialize.BaseJSONSerializer.serialize_structure_unpatched = original
    serialize.BaseJSONSerializer._serialize_type_structure = _serialize_structure
    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules
    responses.method_names_from_class = functools.cache(utils.method_names_from_class)
    ast_nodes.DepthFirstTraverser.nodes_to_be_processed = _node_types
    ast_nodes.DepthFirstTraverser.process = _process
    _UPDATE_PARSER.make = staticmethod(_parsed_update)
    comparisons.ConditionExpressionParser._lex_condition_expression = _condition_tokens
    _UPDATE_VALIDATOR.__init__ = _update_validator
    _UPDATE_VALIDATOR.validate = _validated_update
    ast_nodes.Node.__deepcopy__ = _node_copy
    responses.gen_amzn_requestid_long = request_id
    werkzeug_app.DISABLE_GLOBAL_CORS = True


def backend_app(service: Any) -> Any:
    """moto's app for a service, out of Flask's debug mode (see the module's docstring)."""
    app = werkzeug_app.create_backend_app(service)
    app.debug = False
    return app


def request_id(headerdict: dict[str, Any] | None = None) -> str:
    """An answer's request id, as moto's: 52 letters and digits (here base32's)."""
    drawn = base64.b32encode(os.urandom(35)).decode()[:52]
    if headerdict is not None:
        headerdict["x-amzn-requestid"] = drawn
    return drawn


_UPDATE_PARSER: Any = expressions.UpdateExpressionParser
_parse_update_unpatched = _UPDATE_PARSER.make


@functools.lru_cache(maxsize=512)
def _parsed_update(expression: str) -> Any:
    return _parse_update_unpatched(expression)


_lex_unpatched = comparisons.ConditionExpressionParser._lex_condition_expression


@functools.lru_cache(maxsize=512)
def _tokens_of(expression: str) -> tuple[Any, ...]:
    lexer = comparisons.ConditionExpressionParser(expression, {}, {})
    return tuple(_lex_unpatched(lexer))


def _condition_tokens(parser: Any) -> deque[Any]:
    """The condition expression's tokens (immutable tuples), in a deque of the caller's own."""
    return deque(_tokens_of(parser.condition_expression))


_UPDATE_VALIDATOR: Any = validators.UpdateExpressionValidator
_init_update_validator_unpatched = _UPDATE_VALIDATOR.__init__
_validate_update_unpatched = _UPDATE_VALIDATOR.validate
_STRUCTURE_CHECKS = (
    validators.ActionCountValidator,
    validators.OverlappingPathsValidator,
    validators.UpdateHashRangeKeyValidator,
)
_structure_passed: dict[tuple[int, tuple[Any, ...], tuple[str, ...]], Any] = {}
"""The update expressions (parsed trees, kept by their text) whose structure passed, by
their identity, names and table key; emptied when it reaches 1,024 entries."""


def _update_validator(
    validator: Any,
    expression: Any,
    expression_attribute_names: dict[str, str] | None,
    expression_attribute_values: Any,
    item: Any,
    table: Any,
) -> None:
    _init_update_validator_unpatched(
        validator, expression, expression_attribute_names, expression_attribute_values, item, table
    )
    names = tuple(sorted((expression_attribute_names or {}).items()))
    structure = (id(expression), names, tuple(table.table_key_attrs))
    if _structure_passed.get(structure) is expression:
        validator.processors = [
            check for check in validator.processors if not isinstance(check, _STRUCTURE_CHECKS)
        ]
    else:
        validator.unchecked = (structure, expression)


def _validated_update(validator: Any) -> Any:
    validated = _validate_update_unpatched(validator)
    unchecked = validator.__dict__.pop("unchecked", None)
    if unchecked is not None:
        if len(_structure_passed) >= 1024:
            _structure_passed.clear()
        structure, expression = unchecked
        _structure_passed[structure] = expression  # kept: its identity is in the key
    return validated


_ATOMS = frozenset({str, int, float, bool, type(None)})


def _node_copy(node: Any, memo: dict[int, Any]) -> Any:
    """A deep copy of an expression tree's node, as Python's own would make it."""
    copied = object.__new__(type(node))
    memo[id(node)] = copied
    fields = copied.__dict__
    for name, value in node.__dict__.items():
        if type(value) in _ATOMS:
            fields[name] = value
        elif type(value) is list:
            fields[name] = memo[id(value)] = [
                child if type(child) in _ATOMS else copy.deepcopy(child, memo) for child in value
            ]
        else:
            fields[name] = copy.deepcopy(value, memo)
    return copied


def _processing(traverser: Any) -> dict[type, Any]:
    """The pass's table of what it does to which node type, built once per pass."""
    table: dict[type, Any] | None = traverser.__dict__.get("_processing")
    if table is None:
        table = traverser.__dict__["_processing"] = traverser._processing_map()
        traverser.__dict__["_node_types"] = tuple(table)
    return table


def _node_types(traverser: Any) -> tuple[type, ...]:
    _processing(traverser)
    node_types: tuple[type, ...] = traverser.__dict__["_node_types"]
    return node_types


def _process(traverser: Any, node: Any) -> Any:
    for node_type, processor in _processing(traverser).items():
        if isinstance(node, node_type):
            return processor(node)
    return None


def _serialize_structure(
    serializer: serialize.BaseJSONSerializer,
    serialized: MutableMapping[str, Any],
    value: Any,
    shape: Any,
    key: str,
) -> None:
    if key and shape.name == "AttributeValue":
        wire = wire_format(value)
        if wire is not None:
            serialized[key] = wire
            return
    serializer.serialize_structure_unpatched(serialized, value, shape, key)


def wire_format(value: Any) -> dict[str, Any] | None:
    """The attribute value as DynamoDB's JSON carries it, when moto holds it so already;
    None for one that moto's serializer has to convert (a binary value) or would drop."""
    if type(value) is not dict or len(value) != 1:
        return None
    ((kind, inner),) = value.items()
    if kind in _PLAIN_KINDS:
        return value if type(inner) is str else None
    if kind in _TRUTH_KINDS:
        return value if type(inner) is bool else None
    if kind in _SET_KINDS:
        return value if type(inner) is list and all(type(v) is str for v in inner) else None
    if kind == "M" and type(inner) is dict:
        members = {name: wire_format(member) for name, member in inner.items()}
        return None if None in members.values() else {"M": members}
    if kind == "L" and type(inner) is list:
        elements = [wire_format(element) for element in inner]
        return None if None in elements else {"L": elements}
    return None
