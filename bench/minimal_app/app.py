"""The cold-start yardstick: a minimal Chalice app that creates a boto3 DynamoDB client and
does one GetItem."""

import os

import boto3
from chalice import Chalice

app = Chalice(app_name="minimal")


@app.route("/carts/{cartId}")
def get_cart(cartId: str) -> dict[str, object]:
    client = boto3.client("dynamodb")
    response = client.get_item(TableName=os.environ["CARTS_TABLE"], Key={"cartId": {"S": cartId}})
    return {"found": "Item" in response}
