"""The local DynamoDB's faster answers are moto's own answers, byte for byte."""

from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core import serialize
from moto.core.utils import get_service_model

from tools.local import moto_speed

moto_speed.apply()
PATCHED = serialize.BaseJSONSerializer._serialize_type_structure
MOTOS_OWN = serialize.BaseJSONSerializer.serialize_structure_unpatched  # type: ignore[attr-defined]

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


UPDATE = "SET #v = #v + :step, #n = :note"
CONDITION = "attribute_not_exists(#gone) AND #n <> :refused"


def update(client: Any, step: str, note: str, refused: str) -> None:
    """The same update and condition texts, with this request's values."""
    client.update_item(
        TableName="t",
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
        client.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        client.put_item(TableName="t", Item={"k": {"S": "a"}, "v": {"N": "1"}, "n": {"S": "-"}})
        update(client, "2", "first", refused="refused")
        update(client, "5", "second", refused="refused")
        item = client.get_item(TableName="t", Key={"k": {"S": "a"}})["Item"]
        assert (item["v"], item["n"]) == ({"N": "8"}, {"S": "second"})
        for _ in range(2):  # the refusal is not kept
            with pytest.raises(client.exceptions.ConditionalCheckFailedException):
                update(client, "1", "third", refused="second")
            with pytest.raises(client.exceptions.ClientError, match="ValidationException"):
                client.update_item(TableName="t", Key={"k": {"S": "a"}}, UpdateExpression="SET = 1")
