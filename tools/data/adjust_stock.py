"""Change a product's stock by a number of units, once: a restock, a return, shrinkage.

    python -m tools.data.adjust_stock STAGE PRODUCT DELTA KEY
    make -s stock PRODUCT=GRINDER-HAND DELTA=5 KEY=delivery-0042 STAGE=dev

It invokes the stage's IAM-only `adjust_stock` function with the caller's AWS credentials;
STAGE=local runs the same function on a running `make run` (where its DynamoDB is:
tools/local/price.py). KEY names the adjustment in the shop's own system: sent again with
the same KEY, it answers as the first time and counts nothing again (docs/stock.md).
Prints the function's answer; exits 1 when it is a refusal.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
from typing import Any

import boto3

from chalicelib import wiring
from tools.deploy.policies import lambda_name
from tools.local.price import DYNAMODB_FILE, local_settings
from tools.local.stack import local_aws_environment

USAGE = "usage: make -s stock PRODUCT=<product id> DELTA=<units, + or -> KEY=<its id> STAGE=..."


def adjustment(product_id: str, delta: str, key: str) -> dict[str, Any]:
    try:
        units = int(delta)
    except ValueError:
        raise SystemExit(f"DELTA must be a whole number of units, not {delta!r}") from None
    return {"productId": product_id, "delta": units, "idempotencyKey": key}


def adjust(stage: str, event: dict[str, Any]) -> Any:
    """The adjust_stock function's answer to `event`, on the stage (or make run's)."""
    if stage == "local":
        if not DYNAMODB_FILE.exists():
            raise SystemExit("start `make run` first: its stock is the one changed")
        endpoint, settings = local_settings()
        os.environ.update(local_aws_environment(endpoint))
        import app  # after the environment: importing it configures logging

        app.services.use(wiring.build(settings, wiring.dynamodb_client(settings)))
        # The answer alone on stdout: not the access line (with its metrics) a function writes.
        with contextlib.redirect_stdout(io.StringIO()):
            return app.adjust_stock_function(event, None)
    answer = boto3.client("lambda").invoke(
        FunctionName=lambda_name(stage, "adjust_stock"), Payload=json.dumps(event).encode()
    )
    return json.loads(answer["Payload"].read())


def main(arguments: list[str]) -> None:
    if len(arguments) != 4 or not all(arguments):
        raise SystemExit(USAGE)
    stage, product_id, delta, key = arguments
    answer = adjust(stage, adjustment(product_id, delta, key))
    print(json.dumps(answer))
    if isinstance(answer, dict) and "status" in answer:
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1:])
