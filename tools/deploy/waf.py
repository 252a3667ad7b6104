"""The first line against guessing discount codes: an AWS WAF web ACL on the stage's API,
with a rate-based rule on the route that checks codes (POST /carts/{cartId}/discount-codes).

WAF counts each client address's requests to that route over five minutes and blocks the
address, with a 429 problem and Retry-After, while it is over the limit. It is coarse (it
counts codes accepted too, and only over a rolling window) and it runs before any function:
a flood of guesses never reaches the service. The service's own limits then hold exactly
(domain/attempts.py: per cart, per caller and per address, counted before the code is
checked). Both templates carry it: the SAM template of `make package`, and the ops stack of
`make deploy`, given the API that `chalice deploy` made.
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.edge.problems import problem
from chalicelib.settings import APP_NAME

CODE_REQUESTS_PER_ADDRESS = 100
"""Codes one address may send in five minutes (WAF's smallest limit is 10): a shared address
(a mobile network's, an office's) with a crowd of honest shoppers stays under it; a script
does not. The service's limit (50 refused an hour per address) is the exact one."""
WINDOW_SECONDS = 300
WEB_ACL_RESOURCE = "WebAcl"
RESPONSE_BODY = "too-many-requests"


def web_acl(stage: str, api_stage_arn: dict[str, Any]) -> dict[str, Any]:
    """The web ACL and its association with the API stage `api_stage_arn` names."""
    return {
        WEB_ACL_RESOURCE: {
            "Type": "AWS::WAFv2::WebACL",
            "Properties": {
                "Name": f"{APP_NAME}-{stage}",
                "Scope": "REGIONAL",
                "DefaultAction": {"Allow": {}},
                "VisibilityConfig": _visibility(f"{APP_NAME}-{stage}"),
                "CustomResponseBodies": {
                    RESPONSE_BODY: {
                        "ContentType": "APPLICATION_JSON",
                        "Content": json.dumps(
                            problem(429, "TOO_MANY_REQUESTS", "too many discount codes entered")
                        ),
                    }
                },
                "Rules": [_code_guessing_rule()],
            },
        },
        "WebAclAssociation": {
            "Type": "AWS::WAFv2::WebACLAssociation",
            "Properties": {
                "ResourceArn": api_stage_arn,
                "WebACLArn": {"Fn::GetAtt": [WEB_ACL_RESOURCE, "Arn"]},
            },
        },
    }


def _code_guessing_rule() -> dict[str, Any]:
    code_route = [
        _matches({"Method": {}}, "EXACTLY", "POST"),
        _matches({"UriPath": {}}, "ENDS_WITH", "/discount-codes"),
    ]
    return {
        "Name": "discount-code-guessing",
        "Priority": 0,
        "Action": {
            "Block": {
                "CustomResponse": {
                    "ResponseCode": 429,
                    "CustomResponseBodyKey": RESPONSE_BODY,
                    "ResponseHeaders": [{"Name": "Retry-After", "Value": str(WINDOW_SECONDS)}],
                }
            }
        },
        "Statement": {
            "RateBasedStatement": {
                "Limit": CODE_REQUESTS_PER_ADDRESS,
                "EvaluationWindowSec": WINDOW_SECONDS,
                "AggregateKeyType": "IP",
                "ScopeDownStatement": {"AndStatement": {"Statements": code_route}},
            }
        },
        "VisibilityConfig": _visibility("discount-code-guessing"),
    }


def _matches(field: dict[str, Any], position: str, text: str) -> dict[str, Any]:
    return {
        "ByteMatchStatement": {
            "FieldToMatch": field,
            "PositionalConstraint": position,
            "SearchString": text,
            "TextTransformations": [{"Priority": 0, "Type": "URL_DECODE"}],
        }
    }


def _visibility(metric: str) -> dict[str, Any]:
    return {
        "SampledRequestsEnabled": False,  # a sample would hold a guest's cart token
        "CloudWatchMetricsEnabled": True,
        "MetricName": metric,
    }
