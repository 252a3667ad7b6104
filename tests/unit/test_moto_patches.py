"""The local DynamoDB's transactions (tools/local/moto_patches.py) stay all or nothing."""

from typing import Any

import boto3
import pytest
from moto import mock_aws

from tools.local import moto_patches

moto_patches.apply_transaction_backups()


def put(table: str, key: str, line: int) -> dict[str, Any]:
    item = {"k": {"S": key}, "line": {"N": str(line)}, "quantity": {"N": "1"}}
    return {"Put": {"TableName": table, "Item": item}}


def test_a_transaction_of_many_actions_on_one_table_applies_all_or_nothing() -> None:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        for table in ("lines", "carts"):
            client.create_table(
                TableName=table,
                KeySchema=[
                    {"AttributeName": "k", "KeyType": "HASH"},
                    {"AttributeName": "line", "KeyType": "RANGE"},
                ],
                AttributeDefinitions=[
                    {"AttributeName": "k", "AttributeType": "S"},
                    {"AttributeName": "line", "AttributeType": "N"},
                ],
                BillingMode="PAY_PER_REQUEST",
            )
        client.transact_write_items(TransactItems=[put("lines", "a", n) for n in range(40)])
        before = client.query(
            TableName="lines",
            KeyConditionExpression="k = :k",
            ExpressionAttributeValues={":k": {"S": "a"}},
        )["Items"]
        refused = [
            *(
                {
                    "Update": {
                        "TableName": "lines",
                        "Key": {"k": {"S": "a"}, "line": {"N": str(n)}},
                        "UpdateExpression": "SET quantity = quantity + :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }
                }
                for n in range(40)
            ),
            put("lines", "b", 0),
            {
                "ConditionCheck": {
                    "TableName": "carts",
                    "Key": {"k": {"S": "a"}, "line": {"N": "0"}},
                    "ConditionExpression": "attribute_exists(k)",
                }
            },
        ]
        with pytest.raises(client.exceptions.TransactionCanceledException):
            client.transact_write_items(TransactItems=refused)
        after = client.query(
            TableName="lines",
            KeyConditionExpression="k = :k",
            ExpressionAttributeValues={":k": {"S": "a"}},
        )["Items"]
        assert after == before
        assert client.scan(TableName="lines")["Count"] == 40
        client.transact_write_items(TransactItems=refused[:41])
        counted = client.scan(TableName="lines")["Items"]
        assert sorted(int(item["quantity"]["N"]) for item in counted) == [1] + [2] * 40
