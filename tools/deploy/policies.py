"""The IAM policy of every function of every deployed stage, generated from one table.

    python -m tools.deploy.policies          # rewrite .chalice/policy-*.json

ACCESS below says which DynamoDB actions each operation calls on which table; the REST
handler serves every route, so it gets their union. A test records every DynamoDB call the
test suite makes and fails when the code calls an action its function's policy lacks, or a
policy grants one the code never calls; another fails when these files are out of date.
Resources are the stage's own table ARNs (and its own log groups), never "*".
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.dynamodb.tables import (
    ABANDON_INDEX,
    CARTS,
    CUSTOMER_INDEX,
    HOLDS_INDEX,
    MERGE_INDEX,
    TABLES,
)
from chalicelib.settings import APP_NAME
from tools.deploy.stream_source import failed_events_queue_name
from tools.stage import CONFIG_FILE, stage_environment

API_HANDLER = "api_handler"
AUTHORIZER = "shopper_token"
"""The authorizer of a shopper-mode stage: Chalice deploys it as a function of its own."""
DEPLOYED_STAGES = ("dev", "prod")

# A table, or a table's index as "Table/index/Name".
CUSTOMER_INDEX_RESOURCE = f"Carts/index/{CUSTOMER_INDEX}"
MERGE_INDEX_RESOURCE = f"Carts/index/{MERGE_INDEX}"
ABANDON_INDEX_RESOURCE = f"Carts/index/{ABANDON_INDEX}"
HOLDS_INDEX_RESOURCE = f"Carts/index/{HOLDS_INDEX}"

# Idempotency-Key: the receipt is put in the change's transaction, with its reply when the
# change knows its cart before writing (decided on a read), and looked up (GetItem) when a
# keyed request fails. A change that reads its cart back keeps the reply after (UpdateItem).
_KEYED = {"Idempotency": {"PutItem", "GetItem"}}
_KEYED_READ_BACK = {"Idempotency": {"PutItem", "GetItem", "UpdateItem"}}
# Every answer with a cart prices it: its lines' products with their stock, every promotion
# (Scan) and the delivery and tax rates (both in one BatchGetItem).
_READ_CART = {
    "Carts": {"GetItem"},
    "CartItems": {"Query"},
    "Products": {"BatchGetItem"},
    "Stock": {"BatchGetItem"},
    "Promotions": {"Scan"},
    "Rates": {"BatchGetItem"},
}
# Moving a merge's lines: ConditionCheckItem checks a merge in steps' recorded plan.
_MERGE = {
    "Carts": {"GetItem", "UpdateItem", "DeleteItem", "ConditionCheckItem"},
    "CartItems": {"Query", "UpdateItem", "DeleteItem"},
}

# Giving back lapsed holds (the sweep's, a hold that finds too few units, a deleted cart's):
# the index of carts holding units, then per cart one transaction.
_LAPSED_HOLDS = {
    HOLDS_INDEX_RESOURCE: {"Query"},
    "Carts": {"UpdateItem"},
    "Stock": {"UpdateItem"},
    "HoldCounts": {"UpdateItem"},
}
# A change that holds units: the product's stock read afresh, the units taken or given back
# and the holder's count moved in the change's transaction, and, when too few are left, the
# product's lapsed holds given back first.
_HOLDING = {
    **_LAPSED_HOLDS,
    "Stock": {"BatchGetItem", "UpdateItem"},
}
ACCESS: dict[str, dict[str, set[str]]] = {
    # An empty cart, priced for its answer with the promotions and rates; a keyed one's
    # receipt holds that answer from its transaction on (no UpdateItem to keep it later).
    "create_cart": {
        "Carts": {"PutItem"},
        "Idempotency": {"PutItem", "GetItem"},
        "Promotions": {"Scan"},
        "Rates": {"BatchGetItem"},
    },
    "get_cart": _READ_CART,
    # CartItems UpdateItem, here and for the codes: a change to the cart itself moves along
    # the expiry of lines that would otherwise expire before the cart.
    "update_cart": {
        **_READ_CART,
        **_KEYED,
        "Carts": {"GetItem", "UpdateItem"},
        "CartItems": {"Query", "UpdateItem"},
    },
    "add_item": {
        **_READ_CART,
        **_KEYED_READ_BACK,
        **_HOLDING,
        "Carts": {"GetItem", "UpdateItem"},
        "CartItems": {"Query", "UpdateItem"},
    },
    # The cart read whole, then one transaction: the row, changed lines (Update or Delete)
    # and the expiry of lines left alone (Update).
    "change_items": {
        **_READ_CART,
        **_KEYED,
        **_HOLDING,
        "Carts": {"GetItem", "UpdateItem"},
        "CartItems": {"Query", "UpdateItem", "DeleteItem"},
    },
    "update_cart_item": {
        **_READ_CART,
        **_KEYED_READ_BACK,
        **_HOLDING,
        "Carts": {"GetItem", "UpdateItem"},
        "CartItems": {"Query", "UpdateItem", "DeleteItem"},
    },
    "remove_item": {
        **_READ_CART,
        **_KEYED_READ_BACK,
        "Stock": {"BatchGetItem", "UpdateItem"},
        "HoldCounts": {"UpdateItem"},
        "Carts": {"GetItem", "UpdateItem"},
        # UpdateItem: moving the remaining lines' expiry along with the cart's.
        "CartItems": {"Query", "DeleteItem", "UpdateItem"},
    },
    # UpdateItem marks the cart row deleted, DeleteItem then removes it; Query: a keyed
    # delete's lines (its transaction returns no row).
    "delete_cart": {
        **_KEYED,
        "Stock": {"UpdateItem"},
        "HoldCounts": {"UpdateItem"},
        "Carts": {"UpdateItem", "DeleteItem"},
        "CartItems": {"Query", "BatchWriteItem"},
    },
    # HoldCounts: holds of one product in both carts, by two holders, counted as one's.
    "merge_carts": {**_READ_CART, **_KEYED_READ_BACK, **_MERGE, "HoldCounts": {"UpdateItem"}},
    # PromotionUses: one more use of each limited promotion, and Stock: the units taken, in
    # the checkout's transaction.
    "checkout": {
        **_READ_CART,
        **_KEYED,
        **_HOLDING,
        "CartItems": {"Query", "UpdateItem"},
        "PromotionUses": {"UpdateItem"},
        "Carts": {"GetItem", "UpdateItem"},
    },
    # PromotionUses: whether a limited code has uses left. CodeAttempts: the code counted on
    # this cart, by this caller and from this address (ADD), with the cart's read; taken
    # back once accepted.
    # Idempotency UpdateItem: a code entered already changes nothing, and writes no receipt;
    # keeping its reply then finds none.
    "apply_discount_code": {
        **_READ_CART,
        **_KEYED_READ_BACK,
        "Carts": {"GetItem", "UpdateItem"},
        "CartItems": {"Query", "UpdateItem"},
        "PromotionUses": {"BatchGetItem"},
        "CodeAttempts": {"UpdateItem"},
    },
    "remove_discount_code": {
        **_READ_CART,
        **_KEYED,
        "Carts": {"GetItem", "UpdateItem"},
        "CartItems": {"Query", "UpdateItem"},
    },
    "list_customer_carts": {CUSTOMER_INDEX_RESOURCE: {"Query"}},
    # The product with its stock read afresh, then its shards changed in one transaction
    # with the adjustment's receipt (always keyed).
    "adjust_stock": {
        **_KEYED_READ_BACK,
        "Products": {"BatchGetItem"},
        "Stock": {"BatchGetItem", "UpdateItem"},
    },
}

SWEEPER = "finish_stalled_merges"
"""The scheduled function that finishes interrupted merges (not an API operation)."""
ABANDONED_CART_SWEEP = "mark_abandoned_carts"
HOLDS_SWEEP = "release_lapsed_holds"
STREAM_CONSUMER = "publish_cart_events"
SCHEDULED: dict[str, dict[str, set[str]]] = {
    SWEEPER: {MERGE_INDEX_RESOURCE: {"Query"}, **_MERGE, "Idempotency": {"PutItem"}},
    # Reads the index of idle carts, marks the abandoned ones (the stream carries the mark).
    ABANDONED_CART_SWEEP: {ABANDON_INDEX_RESOURCE: {"Query"}, "Carts": {"UpdateItem"}},
    # Reads the index of carts holding units; gives each one's lapsed holds back in one
    # transaction: its row, the units to Stock, the holders' counts.
    HOLDS_SWEEP: {**_LAPSED_HOLDS},
}
EVENT_FUNCTIONS: dict[str, dict[str, set[str]]] = {
    # Watches carts that may be abandoned (UpdateItem on their rows).
    STREAM_CONSUMER: {"Carts": {"UpdateItem"}},
}
"""Functions that are not API operations: what each calls itself."""
STREAM_READS = ("DescribeStream", "GetRecords", "GetShardIterator", "ListStreams")
"""What Lambda's event source mapping calls, as the consumer's role, to read the Carts stream
(the consumer itself never does, so no test records it)."""
PUBLISHERS = {STREAM_CONSUMER}
"""Who puts events on the stage's bus (events:PutEvents)."""

# Who reads the stage's signing keys (Secrets Manager): the REST handler (cart tokens, page
# tokens), the authorizer (cart tokens) and list_customer_carts (page tokens). No other.
KEY_READERS = {API_HANDLER, AUTHORIZER, "list_customer_carts"}


def deployed_functions(stage: str) -> tuple[str, ...]:
    """The stage's Lambda functions: the REST handler, one per operation, the merge,
    abandoned-cart and lapsed-hold sweeps, the stream consumer, and in shopper mode the
    authorizer."""
    shopper = stage_environment(stage).get("API_AUTH") == "shopper"
    shopper_only = (AUTHORIZER,) if shopper else ()
    return (API_HANDLER, *ACCESS, *SCHEDULED, *EVENT_FUNCTIONS, *shopper_only)


def token_keys_secret(stage: str) -> str:
    """The secret's name (infra/tables.json); its ARN ends in a random suffix."""
    return f"{APP_NAME}-{stage}-token-keys"


def function_access(function: str) -> dict[str, set[str]]:
    """Table -> DynamoDB actions for a function (the API handler: every operation's)."""
    if function == AUTHORIZER:
        return {}
    if function in SCHEDULED:
        return SCHEDULED[function]
    if function in EVENT_FUNCTIONS:
        return EVENT_FUNCTIONS[function]
    if function != API_HANDLER:
        return ACCESS[function]
    union: dict[str, set[str]] = {}
    for access in ACCESS.values():
        for table, actions in access.items():
            union.setdefault(table, set()).update(actions)
    return union


def statement_id(resource: str) -> str:
    """ "Carts" -> "CartsTable"; "Carts/index/byCustomer" -> "CartsByCustomerIndex"."""
    table, _, index = resource.partition("/index/")
    return f"{table}{index[:1].upper()}{index[1:]}Index" if index else f"{table}Table"


def lambda_name(stage: str, function: str) -> str:
    """The Lambda function's name as Chalice deploys it."""
    return f"{APP_NAME}-{stage}" if function == API_HANDLER else f"{APP_NAME}-{stage}-{function}"


def policy(stage: str, function: str) -> dict[str, Any]:
    environment = stage_environment(stage)
    statements: list[dict[str, Any]] = []
    for resource, actions in sorted(function_access(function).items()):
        table, _, index = resource.partition("/index/")
        name = environment[TABLES[table].variable] + (f"/index/{index}" if index else "")
        statements.append(
            {
                "Sid": statement_id(resource),
                "Effect": "Allow",
                "Action": sorted(f"dynamodb:{action}" for action in actions),
                "Resource": f"arn:aws:dynamodb:*:*:table/{name}",
            }
        )
    if function == STREAM_CONSUMER:
        statements.append(
            {
                "Sid": "CartsStream",
                "Effect": "Allow",
                "Action": [f"dynamodb:{action}" for action in STREAM_READS],
                "Resource": f"arn:aws:dynamodb:*:*:table/{environment[CARTS.variable]}/stream/*",
            }
        )
        statements.append(
            {
                # Lambda sends a batch it gave up on to the on-failure queue as the function
                "Sid": "FailedEventsQueue",
                "Effect": "Allow",
                "Action": ["sqs:SendMessage"],
                "Resource": f"arn:aws:sqs:*:*:{failed_events_queue_name(stage)}",
            }
        )
    if function in PUBLISHERS:
        statements.append(
            {
                "Sid": "EventBus",
                "Effect": "Allow",
                "Action": ["events:PutEvents"],
                "Resource": f"arn:aws:events:*:*:event-bus/{environment['EVENT_BUS_NAME']}",
            }
        )
    if function in KEY_READERS:
        statements.append(
            {
                "Sid": "TokenKeys",
                "Effect": "Allow",
                "Action": ["secretsmanager:GetSecretValue"],
                "Resource": f"arn:aws:secretsmanager:*:*:secret:{token_keys_secret(stage)}-*",
            }
        )
    statements.append(
        {
            "Sid": "OwnLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": f"arn:aws:logs:*:*:log-group:/aws/lambda/{lambda_name(stage, function)}:*",
        }
    )
    if _stage_config(stage).get("xray"):
        statements.append(
            {
                "Sid": "XRayTraces",  # X-Ray has no resource-level permissions
                "Effect": "Allow",
                "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
                "Resource": "*",
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def policy_file_name(stage: str, function: str) -> str:
    return f"policy-{stage}.json" if function == API_HANDLER else f"policy-{stage}-{function}.json"


def all_policies() -> dict[str, dict[str, Any]]:
    """File name under .chalice/ -> policy document, for every deployed stage and function."""
    return {
        policy_file_name(stage, function): policy(stage, function)
        for stage in DEPLOYED_STAGES
        for function in deployed_functions(stage)
    }


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2) + "\n"


def _stage_config(stage: str) -> dict[str, Any]:
    config: dict[str, Any] = json.loads(CONFIG_FILE.read_text())
    return {**config, **config["stages"][stage]}


def main() -> None:
    for name, document in all_policies().items():
        (CONFIG_FILE.parent / name).write_text(render(document))
        print(f"wrote .chalice/{name}")


if __name__ == "__main__":
    main()
