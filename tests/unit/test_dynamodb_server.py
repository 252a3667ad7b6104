"""The local DynamoDB server answers a DynamoDB call from moto's DynamoDB handler directly,
past moto's app: the same answers as through the app, refusals included."""

import http.client
import json
from typing import Any
from urllib.parse import urlsplit

import boto3
from moto.moto_server.werkzeug_app import MotoRequestHandler

from tests.unit.test_moto_speed import CREATE_TABLE, DYNAMODB_HEADERS
from tools.local import dynamodb_server

TABLE = CREATE_TABLE["TableName"]
KEY = {"k": {"S": "a"}}
CALLS: list[tuple[str, Any]] = [
    ("PutItem", {"TableName": TABLE, "Item": {**KEY, "v": {"N": "1"}}}),
    (
        "PutItem",
        {
            "TableName": TABLE,
            "Item": KEY,
            "ConditionExpression": "attribute_not_exists(k)",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        },
    ),
    (
        "UpdateItem",
        {
            "TableName": TABLE,
            "Key": KEY,
            "UpdateExpression": "SET v = v + :one",
            "ExpressionAttributeValues": {":one": {"N": "1"}},
            "ReturnValues": "ALL_NEW",
        },
    ),
    ("GetItem", {"TableName": TABLE, "Key": KEY, "ConsistentRead": True}),
    (
        "TransactWriteItems",
        {
            "TransactItems": [
                {
                    "ConditionCheck": {
                        "TableName": TABLE,
                        "Key": KEY,
                        "ConditionExpression": "v = :zero",
                        "ExpressionAttributeValues": {":zero": {"N": "0"}},
                    }
                }
            ]
        },
    ),
    (
        "Query",
        {
            "TableName": TABLE,
            "KeyConditionExpression": "k = :k",
            "ExpressionAttributeValues": {":k": {"S": "a"}},
        },
    ),
    ("GetItem", {"TableName": "no-such-table", "Key": KEY}),
    ("DeleteItem", {"TableName": TABLE, "Key": KEY, "ReturnValues": "ALL_OLD"}),
]
VARYING = {"date", "server", "x-amzn-requestid", "x-amz-crc32"}
"""Headers that differ from one answer to the next (the checksum follows the body)."""


def answers(endpoint: str) -> list[tuple[int, dict[str, str], Any]]:
    client = boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    client.create_table(**CREATE_TABLE)
    host = urlsplit(endpoint)
    seen = []
    for operation, body in CALLS:
        connection = http.client.HTTPConnection(host.hostname or "", host.port)
        headers = {**DYNAMODB_HEADERS, "X-Amz-Target": f"DynamoDB_20120810.{operation}"}
        connection.request("POST", "/", json.dumps(body), headers)
        response = connection.getresponse()
        kept = {k.lower(): v for k, v in response.getheaders() if k.lower() not in VARYING}
        seen.append((response.status, kept, json.loads(response.read())))
        connection.close()
    client.delete_table(TableName=TABLE)
    return seen


def test_a_dynamodb_call_answers_as_through_motos_app() -> None:
    """As `make bench`'s server (THROUGH_MOTOS_APP) answers it, refusals included."""
    with dynamodb_server.dynamodb_server() as endpoint:
        direct = answers(endpoint)
    with dynamodb_server.dynamodb_server(handler=MotoRequestHandler) as endpoint:
        through_the_app = answers(endpoint)
    assert direct == through_the_app
    statuses = [status for status, _, _ in direct]
    assert statuses == [200, 400, 200, 200, 400, 200, 400, 200]
