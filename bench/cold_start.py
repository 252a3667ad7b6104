"""One cold start, in this fresh interpreter: import an app and answer one GET /carts/{id}
(or, with `mcp`, one MCP tools/call get_cart of that cart, CART_ID then its UCP id).

    python -m bench.cold_start APP_DIR CUSTOMER CART_ID [mcp]
    # prints {"seconds":, "status":, "agent_modules": [the agents' modules it imported]}

Called by bench.startup in a new process each time, with the stage's environment and the local
DynamoDB's endpoint set. The clock starts before the app's import: interpreter start-up
itself is the same for every app and is left out.
"""

import json
import sys
import time
import uuid


class LambdaContext:
    function_name = "cold-start"
    memory_limit_in_mb = 512
    aws_request_id = str(uuid.uuid4())

    def get_remaining_time_in_millis(self) -> int:
        return 25_000


def get_cart_event(customer: str, cart_id: str) -> dict[str, object]:
    """What API Gateway hands the function for GET /carts/{cartId}, with the identity a
    shopper-mode stage's authorizer found in the token (an IAM or open app ignores it)."""
    path = f"/carts/{cart_id}"
    return {
        "resource": "/carts/{cartId}",
        "path": path,
        "httpMethod": "GET",
        "headers": {"accept": "application/json"},
        "multiValueHeaders": {"accept": ["application/json"]},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": {"cartId": cart_id},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/carts/{cartId}",
            "httpMethod": "GET",
            "path": f"/api{path}",
            "requestId": str(uuid.uuid4()),
            "stage": "api",
            "authorizer": {
                "kind": "shopper",
                "subject": customer,
                "until": str(int(time.time()) + 3600),
                "principalId": f"shopper:{customer}",
            },
        },
        "body": None,
        "isBase64Encoded": False,
    }


def mcp_get_cart_event(ucp_id: str) -> dict[str, object]:
    """POST /ucp/mcp with a tools/call of get_cart (the route has no authorizer)."""
    arguments = {"meta": {"ucp-agent": {"profile": "https://bench.example/p"}}, "id": ucp_id}
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": "get_cart", "arguments": arguments},
    }
    headers = {"content-type": "application/json", "accept": "application/json"}
    return {
        "resource": "/ucp/mcp",
        "path": "/ucp/mcp",
        "httpMethod": "POST",
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/ucp/mcp",
            "httpMethod": "POST",
            "path": "/api/ucp/mcp",
            "requestId": str(uuid.uuid4()),
            "stage": "api",
        },
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }


def main() -> None:
    app_dir, customer, cart_id = sys.argv[1], sys.argv[2], sys.argv[3]
    mcp = sys.argv[4:] == ["mcp"]
    started = time.perf_counter()
    sys.path.insert(0, app_dir)
    module = __import__("app")
    event = mcp_get_cart_event(cart_id) if mcp else get_cart_event(customer, cart_id)
    response = module.app(event, LambdaContext())
    seconds = time.perf_counter() - started
    if mcp and "structuredContent" not in response["body"]:
        raise RuntimeError(f"the tool call failed: {response['body']}")
    agents = sorted(name for name in sys.modules if name.startswith("chalicelib.edge.ucp."))
    status = response["statusCode"]
    print(json.dumps({"seconds": seconds, "status": status, "agent_modules": agents}))


if __name__ == "__main__":
    main()
