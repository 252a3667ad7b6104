"""Calling the deployed cart API from a storefront backend, signed with its IAM role (SigV4).

Uses only boto3/botocore (for the credentials and the signature) and the standard library:

    CART_API=https://abc123.execute-api.eu-west-1.amazonaws.com/api python examples/sigv4_client.py

The caller's role needs `execute-api:Invoke` on the API (see docs/operations.md, "Who may
call the API").
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Any

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest


def call(api: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    """One signed request; the status and the decoded JSON body (None when empty)."""
    session = boto3.Session()
    data = None if body is None else json.dumps(body).encode()
    request = AWSRequest(
        method=method, url=api + path, data=data, headers={"Content-Type": "application/json"}
    )
    SigV4Auth(session.get_credentials(), "execute-api", session.region_name).add_auth(request)
    prepared = urllib.request.Request(
        request.url, data=data, headers=dict(request.headers), method=method
    )
    try:
        with urllib.request.urlopen(prepared, timeout=10) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:  # 4xx and 5xx carry a problem+json body
        status, raw = error.code, error.read()
    return status, json.loads(raw) if raw else None


if __name__ == "__main__":
    api = os.environ["CART_API"]
    status, cart = call(api, "POST", "/carts", {"customerId": "customer-42"})
    print(status, cart)
    status, cart = call(
        api, "POST", f"/carts/{cart['cartId']}/items", {"productId": "ESP-1KG", "quantity": 1}
    )
    print(status, cart)
