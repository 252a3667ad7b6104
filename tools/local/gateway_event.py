"""What Lambda hands the app's REST handler: an API Gateway (REST API, v1) proxy event and
a context. For calling the app in process as Lambda does (the IAM-mode tests, the bench),
without chalice.test's local gateway, whose route matching Lambda never runs."""

from __future__ import annotations

import json
import uuid
from typing import Any


class LambdaContext:
    function_name = "cart-service-dev"
    memory_limit_in_mb = 512
    aws_request_id = str(uuid.uuid4())

    def get_remaining_time_in_millis(self) -> int:
        return 25_000


def gateway_event(
    method: str,
    resource: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
    identity: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The proxy event of a request to `path`, which API Gateway matched to the route
    `resource` (`/carts/{cartId}/items`): its path parameters filled in."""
    parameters = dict(zip(resource.strip("/").split("/"), path.strip("/").split("/"), strict=True))
    path_parameters = {
        name.strip("{}"): value for name, value in parameters.items() if name.startswith("{")
    }
    all_headers = {"content-type": "application/json", **(headers or {})}
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {name: [value] for name, value in all_headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": path_parameters or None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/api{path}",
            "stage": "api",
            "requestId": str(uuid.uuid4()),
            "identity": identity or {"sourceIp": "127.0.0.1"},
        },
        "body": None if body is None else json.dumps(body),
        "isBase64Encoded": False,
    }
