"""What API Gateway itself answers, made to look like the service's own answers.

API Gateway answers some requests before any function runs: a refused or missing token
(401, 403), an unknown route (its 403 "Missing Authentication Token", made a 404 here), a
throttled call (429). These gateway responses give each the service's problem+json body,
`X-Request-Id` (API Gateway's request id), `WWW-Authenticate` on a 401, and the stage's
CORS origin, so a browser can read them. `make package` puts them in the API's definition;
`make deploy` puts them back after `chalice deploy`, which replaces the definition. The
stage's throttling (rate and burst, `throttling` in .chalice/config.json) is applied the
same two ways.
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.edge.auth import WWW_AUTHENTICATE
from chalicelib.edge.problems import PROBLEM_CONTENT_TYPE, problem_for_status
from tools.stage import CONFIG_FILE, stage_environment

# Gateway response type -> the status the client gets, and the problem's detail.
RESPONSES: dict[str, tuple[int, str]] = {
    "UNAUTHORIZED": (401, "a valid bearer token is needed: send Authorization: Bearer <token>"),
    "ACCESS_DENIED": (403, "the token does not grant this request"),
    "MISSING_AUTHENTICATION_TOKEN": (404, ""),
    "THROTTLED": (429, "too many requests: wait Retry-After seconds and try again"),
    "DEFAULT_4XX": (400, "the request was refused before it reached the service"),
    "DEFAULT_5XX": (503, "the gateway could not reach the service; try again shortly"),
}


def detail_for(status: int) -> str:
    """The detail the gateway's own answer with this status gives."""
    return next((detail for code, detail in RESPONSES.values() if code == status), "")


def gateway_responses(stage: str) -> dict[str, Any]:
    """`x-amazon-apigateway-gateway-responses`, as the API's definition takes them."""
    origin = stage_environment(stage).get("CORS_ALLOW_ORIGIN")
    responses = {}
    for response_type, (status, detail) in RESPONSES.items():
        body = problem_for_status(status, detail)
        if status in (400, 503):
            body = {**body, "code": "BAD_REQUEST" if status == 400 else "SERVICE_UNAVAILABLE"}
        headers = {
            "Content-Type": f"'{PROBLEM_CONTENT_TYPE}'",
            "X-Request-Id": "context.requestId",
        }
        if status == 401:
            headers["WWW-Authenticate"] = f"'{WWW_AUTHENTICATE}'"
        if status == 429:
            headers["Retry-After"] = "'1'"
        if origin:
            headers["Access-Control-Allow-Origin"] = f"'{origin}'"
            headers["Access-Control-Expose-Headers"] = "'X-Request-Id,WWW-Authenticate,Retry-After'"
        responses[response_type] = {
            "statusCode": str(status),
            "responseParameters": {
                f"gatewayresponse.header.{name}": value for name, value in headers.items()
            },
            "responseTemplates": {"application/json": json.dumps(body)},
        }
    return responses


def throttling(stage: str) -> dict[str, float]:
    """The stage's `throttling`: {"rateLimit": requests per second, "burstLimit": n}."""
    config = json.loads(CONFIG_FILE.read_text())
    limits: dict[str, float] = config["stages"][stage]["throttling"]
    return limits
