"""The local DynamoDB's faster answers are moto's own answers, byte for byte."""

import copy
import json
import re
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core import serialize
from moto.core.utils import get_service_model
from moto.dynamodb.parsing import ast_nodes, expressions
from moto.moto_server import werkzeug_app
from werkzeug.test import Client

from tools.local import moto_speed

moto_speed.apply()
PATCHED = serialize.BaseJSONSerializer._serialize_type_structure
MOTOS_OWN = serialize.BaseJSONSerializer.serialize_structure_unpatched

CART = {
    "cartId": {"S": "c-1"},
    "version": {"N": "3"},
    "total": {"N": "19.99"},
    "note": {"S": ""},
    "open": {"BOOL": True},
    "closedAt": {"NULL": True},
    "codes": {"SS": ["SAVE10", "WELCOME"]},
    "shards": {"NS": ["0", "1"]},
    "attributes": {"M": {"gift": {"S": "yes"}, "layers": {"L": [{"N": "1"}, {"M": {}}]}}},
    "lines": {"L": []},
}
WITH_A_BINARY = {**CART, "reply": {"B": "eJzLSM3JyVcozy/KSQEAGgQEXQ=="}}


def answer(operation: str, result: dict[str, Any], structure: Any, monkeypatch: Any) -> str:
    monkeypatch.setattr(serialize.BaseJSONSerializer, "_serialize_type_structure", structure)
    model = get_service_model("dynamodb").operation_model(operation)
    serializer = serialize.JSONSerializer(model, value_picker=serialize.XFormedAttributePicker())
    return str(serializer.serialize(result)["body"])


@pytest.mark.parametrize(
    ("operation", "result"),
    [
        ("GetItem", {"Item": CART}),
        ("GetItem", {"Item": WITH_A_BINARY}),
        ("Query", {"Items": [CART, WITH_A_BINARY], "Count": 2, "ScannedCount": 2}),
        ("BatchGetItem", {"Responses": {"Carts": [CART]}, "UnprocessedKeys": {}}),
        ("UpdateItem", {"Attributes": {"odd": {"S": "x", "N": "1"}, "none": {"M": None}}}),
        ("GetItem", {}),
    ],
)
def test_every_answer_is_motos_own_byte_for_byte(
    operation: str, result: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = answer(operation, result, PATCHED, monkeypatch)
    assert mine == answer(operation, result, MOTOS_OWN, monkeypatch)
    assert mine != "{}" or not result


def test_a_value_moto_converts_or_drops_takes_motos_own_way() -> None:
    assert moto_speed.wire_format({"S": "x"}) == {"S": "x"}
    converted: dict[str, Any]
    for converted in ({"B": "eA=="}, {"S": "x", "N": "1"}, {"M": {"a": {"BS": []}}}, {"N": 1}):
        assert moto_speed.wire_format(converted) is None


CREATE_TABLE = {
    "TableName": "lean",
    "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
    "BillingMode": "PAY_PER_REQUEST",
}
UPDATE = "SET #v = #v + :step, #n = :note"
CONDITION = "attribute_not_exists(#gone) AND #n <> :refused"


def update(client: Any, step: str, note: str, refused: str) -> None:
    """The same update and condition texts, with this request's values."""
    client.update_item(
        TableName="lean",
        Key={"k": {"S": "a"}},
        UpdateExpression=UPDATE,
        ConditionExpression=CONDITION,
        ExpressionAttributeNames={"#v": "v", "#n": "n", "#gone": "deleted"},
        ExpressionAttributeValues={
            ":step": {"N": step},
            ":note": {"S": note},
            ":refused": {"S": refused},
        },
    )


def test_expressions_kept_by_their_text_apply_each_requests_own_names_and_values() -> None:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(**CREATE_TABLE)
        client.put_item(TableName="lean", Item={"k": {"S": "a"}, "v": {"N": "1"}, "n": {"S": "-"}})
        update(client, "2", "first", refused="refused")
        update(client, "5", "second", refused="refused")
        item = client.get_item(TableName="lean", Key={"k": {"S": "a"}})["Item"]
        assert (item["v"], item["n"]) == ({"N": "8"}, {"S": "second"})
        for _ in range(2):  # the refusal is not kept
            with pytest.raises(client.exceptions.ConditionalCheckFailedException):
                update(client, "1", "third", refused="second")
            with pytest.raises(client.exceptions.ClientError, match="ValidationException"):
                client.update_item(
                    TableName="lean", Key={"k": {"S": "a"}}, UpdateExpression="SET = 1"
                )


DYNAMODB_HEADERS = {
    "Content-Type": "application/x-amz-json-1.0",
    "Authorization": "AWS4-HMAC-SHA256 Credential=local/20261207/us-east-1/dynamodb/"
    "aws4_request, SignedHeaders=host, Signature=0",
}
"""A raw DynamoDB call's headers but its X-Amz-Target: the credential's scope names the
service to moto's app (no signature is checked)."""


def test_the_servers_lean_app_answers_as_motos_own_with_a_request_id_of_its_shape() -> None:
    requests = [
        ("CreateTable", CREATE_TABLE),
        ("PutItem", {"TableName": "lean", "Item": {"k": {"S": "a"}, "v": {"N": "1"}}}),
        ("GetItem", {"TableName": "lean", "Key": {"k": {"S": "a"}}}),
        ("GetItem", {"TableName": "missing", "Key": {"k": {"S": "a"}}}),
    ]
    answers = []
    for app in (moto_speed.backend_app, werkzeug_app.create_backend_app):
        with mock_aws():
            client = Client(werkzeug_app.DomainDispatcherApplication(app))
            for operation, body in requests:
                target = {"X-Amz-Target": f"DynamoDB_20120810.{operation}"}
                answer = client.post(
                    "/", data=json.dumps(body), headers={**DYNAMODB_HEADERS, **target}
                )
                answers.append((answer.status_code, json.loads(answer.data)))
                assert re.fullmatch("[A-Za-z0-9]{52}", answer.headers["x-amzn-requestid"])
    lean, own = answers[: len(requests)], answers[len(requests) :]
    assert [status for status, _ in lean] == [200, 200, 200, 400]
    assert lean[2:] == own[2:]


def test_a_structure_that_passed_once_is_still_refused_with_names_that_set_the_key() -> None:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(**CREATE_TABLE)
        client.put_item(TableName="lean", Item={"k": {"S": "a"}, "v": {"N": "1"}})

        def set_one(name: str) -> None:
            client.update_item(
                TableName="lean",
                Key={"k": {"S": "a"}},
                UpdateExpression="SET #one = :one",
                ExpressionAttributeNames={"#one": name},
                ExpressionAttributeValues={":one": {"S": "1"}},
            )

        set_one("v")
        set_one("v")
        for _ in range(2):
            with pytest.raises(client.exceptions.ClientError, match="part of the key"):
                set_one("k")
            with pytest.raises(client.exceptions.ClientError, match="SET"):
                client.update_item(  # two SET clauses: refused every time too
                    TableName="lean",
                    Key={"k": {"S": "a"}},
                    UpdateExpression="SET v = :one SET w = :one",
                    ExpressionAttributeValues={":one": {"S": "1"}},
                )
        item = client.get_item(TableName="lean", Key={"k": {"S": "a"}})["Item"]
        assert item == {"k": {"S": "a"}, "v": {"S": "1"}}


NODE: Any = ast_nodes.Node
PARSER: Any = expressions.UpdateExpressionParser


def shape(node: Any, nodes: dict[int, int]) -> Any:
    """A tree's fields, its nodes numbered in the order met and each parent named by its
    number: equal for two trees alike, however their nodes were made."""
    if not isinstance(node, NODE):
        return node
    nodes.setdefault(id(node), len(nodes))
    fields = {name: value for name, value in vars(node).items() if name != "parent"}
    return (
        type(node).__name__,
        nodes.get(id(node.parent)),
        {
            name: [shape(child, nodes) for child in value] if isinstance(value, list) else value
            for name, value in fields.items()
        },
    )


def test_an_expression_tree_is_copied_as_pythons_deep_copy_copies_it() -> None:
    tree = PARSER.make(
        "SET #a.b[2] = if_not_exists(#a, :zero) + :one, c = list_append(c, :l) "
        "REMOVE d[1] ADD e :s DELETE f :s"
    )
    mine = copy.deepcopy(tree)
    del NODE.__deepcopy__
    try:
        pythons = copy.deepcopy(tree)
    finally:
        NODE.__deepcopy__ = moto_speed._node_copy
    assert shape(mine, {}) == shape(pythons, {}) == shape(tree, {})
    originals = {id(node) for node in walk(tree)}
    assert not originals & {id(node) for node in walk(mine)}


def walk(node: Any) -> Any:
    yield node
    for child in node.children or []:
        if isinstance(child, NODE):
            yield from walk(child)
