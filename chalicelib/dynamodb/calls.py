"""Making DynamoDB calls: what a failure means, what is retried, what runs at once.

Transient failures: botocore's `standard` retry mode retries throttling and 5xx; a
transaction cancelled by a TransactionConflict (another transaction on the same cart) is
retried here, a bounded number of times with jitter, as are a batch's unprocessed items
(which botocore's retries do not cover). What still fails becomes StorageUnavailable (503)
or ConcurrentUpdate (409). A failed condition becomes the domain's own error: the change is
replayed on the row as it was, so no rule is copied here.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar, cast

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotocoreConnectionError

from chalicelib import telemetry
from chalicelib.domain.cart import Cart
from chalicelib.domain.errors import (
    CartNotFound,
    CartServiceError,
    ConcurrentUpdate,
    RequestAlreadyApplied,
    StorageUnavailable,
)
from chalicelib.dynamodb.rows import Row, cart_from, lines_from_map

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

log = logging.getLogger(__name__)

T = TypeVar("T")

THROTTLED_RETRY_AFTER_SECONDS = 1
_THROTTLING_CODES = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    # Cancellation reason codes inside TransactionCanceledException.
    "ThrottlingError",
    "ProvisionedThroughputExceeded",
}
_CHECK_FAILED = "ConditionalCheckFailed"
BATCH_WRITE_LIMIT = 25
BATCH_GET_LIMIT = 100
_BATCH_ATTEMPTS = 5

Refusal = Callable[[Cart], None]
"""A change replayed on the cart as it was, to name the rule that refused it."""


def count_round_trips(client: DynamoDBClient) -> None:
    """Count every attempt of every call the client makes in the current invocation's
    tally: round trips, botocore's retries, and the answers that were throttling (once per
    client, however often it is asked)."""

    def counted(attempts: int, response: Any = None, **_: Any) -> None:
        telemetry.count("DynamoDBCalls")
        telemetry.count("DynamoDBRetries", attempts > 1)
        error = response[1].get("Error", {}) if response is not None else {}
        telemetry.count("DynamoDBThrottles", error.get("Code") in _THROTTLING_CODES)

    client.meta.events.register("needs-retry.dynamodb", counted, unique_id=__name__)


def chunks(values: list[T], size: int) -> list[list[T]]:
    return [values[start : start + size] for start in range(0, len(values), size)]


def backoff(attempt: int, base: float = 0.025, cap: float = 0.5) -> None:
    """Full-jitter exponential backoff."""
    time.sleep(random.uniform(0, min(cap, base * 2**attempt)))


def is_transient(error: BaseException) -> bool:
    """Throttling, a 5xx or a network failure: worth a retry later, not a bug."""
    if isinstance(error, (BotocoreConnectionError, HTTPClientError)):
        return True
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return code in _THROTTLING_CODES or status >= 500
    return False


@contextmanager
def storage_errors() -> Iterator[None]:
    """Turn throttling, 5xx and network failures that outlived botocore's retries into 503s."""
    try:
        yield
    except (BotocoreConnectionError, HTTPClientError, ClientError) as error:
        if not is_transient(error):
            raise
        log.warning("DynamoDB throttled or unreachable after retries: %s", error)
        raise StorageUnavailable(THROTTLED_RETRY_AFTER_SECONDS) from error


def conflict(cart_id: str) -> ConcurrentUpdate:
    """The cart moved between the read a change was decided on and its write (counted in
    the request's metrics: many of them mean hot carts or a client racing itself)."""
    telemetry.count("ConditionalConflicts")
    return ConcurrentUpdate(cart_id)


def refusal_error(cart_id: str, old_row: Row | None, refusal: Refusal) -> CartServiceError:
    """The domain error that the change, replayed on the row as it was, raises."""
    if old_row is None:
        return CartNotFound(cart_id)
    try:
        refusal(cart_from(old_row, lines_from_map(old_row)))
    except CartServiceError as error:
        return error
    # The row as it was allows the change: the condition saw a state that has since moved on.
    return conflict(cart_id)


ItemRefusal = Callable[[Row | None], None]
"""Names the domain error of a failed condition on another item than the cart row (a
promotion's use counter), given that item as it was."""


def transact(
    client: DynamoDBClient,
    cart_id: str,
    actions: list[Row],
    refusal: Refusal | None,
    attempts: int,
    receipt: Row | None = None,
    item_refusals: dict[int, ItemRefusal] | None = None,
) -> None:
    """Run one cart change as a transaction; on a failed condition, say which rule refused it.

    `refusal` replays the change on the cart row as it was (returned with the
    cancellation), so the domain model, not a copy of its rules here, names the error.
    Without one, the change was decided on carts as read, and a failed condition means
    they changed since: ConcurrentUpdate, for the caller to read them again. A keyed
    request's `receipt` (receipts.receipt_put) goes last; when its key was used already,
    RequestAlreadyApplied. `item_refusals` name the errors of other items' conditions, by
    their index among `actions`, when the cart row's own held (a change without a cart row,
    such as a stock adjustment, names every action's, the first's too).

    botocore keeps the transaction's ClientRequestToken across its own retries, and DynamoDB
    applies a token's transaction once: a retry after a lost answer reports the first
    outcome rather than applying the change again.
    """
    actions = [*actions, receipt] if receipt is not None else actions
    for attempt in range(attempts):
        if attempt:
            backoff(attempt)
        try:
            with storage_errors():
                client.transact_write_items(TransactItems=cast(Any, actions))
            return
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            reasons = error.response.get("CancellationReasons", [])
            codes = {reason.get("Code") for reason in reasons}
            if receipt is not None and reasons and reasons[-1].get("Code") == _CHECK_FAILED:
                raise RequestAlreadyApplied() from None
            if _CHECK_FAILED in codes:
                item_refusals = item_refusals or {}
                if 0 in item_refusals or reasons[0].get("Code") != _CHECK_FAILED:
                    for index, item_refusal in item_refusals.items():
                        if reasons[index].get("Code") == _CHECK_FAILED:
                            try:
                                item_refusal(reasons[index].get("Item"))
                            except CartServiceError as refused:
                                raise refused from None
                if refusal is None:
                    raise conflict(cart_id) from None
                raise refusal_error(cart_id, reasons[0].get("Item"), refusal) from None
            if codes & _THROTTLING_CODES:
                raise StorageUnavailable(THROTTLED_RETRY_AFTER_SECONDS) from error
            if "TransactionConflict" not in codes:
                raise
            log.info("transaction on cart %s conflicted (attempt %d)", cart_id, attempt + 1)
            telemetry.count("ConditionalConflicts")
    raise ConcurrentUpdate(cart_id)


def batch_write(client: DynamoDBClient, table: str, requests: list[Row]) -> None:
    """BatchWriteItem, retrying unprocessed items (which botocore's retries do not cover)."""
    pending: Any = {table: requests}
    for attempt in range(_BATCH_ATTEMPTS):
        if attempt:
            backoff(attempt)
        with storage_errors():
            response = client.batch_write_item(RequestItems=pending)
        pending = response.get("UnprocessedItems")
        if not pending:
            return
    raise StorageUnavailable(THROTTLED_RETRY_AFTER_SECONDS)


def batch_get(client: DynamoDBClient, table: str, keys: list[Row]) -> list[Row]:
    """BatchGetItem of up to 100 keys, retrying unprocessed keys."""
    return batch_get_tables(client, {table: keys})[table]


def batch_get_tables(client: DynamoDBClient, keys: dict[str, list[Row]]) -> dict[str, list[Row]]:
    """One BatchGetItem of up to 100 keys over several tables (one round trip, one request),
    retrying unprocessed keys: each table's rows."""
    request: Any = {table: {"Keys": table_keys} for table, table_keys in keys.items() if table_keys}
    rows: dict[str, list[Row]] = {table: [] for table in keys}
    for attempt in range(_BATCH_ATTEMPTS):
        if attempt:
            backoff(attempt)
        with storage_errors():
            response = client.batch_get_item(RequestItems=request)
        for table, found in response["Responses"].items():
            rows[table].extend(found)
        request = response.get("UnprocessedKeys")
        if not request:
            return rows
    raise StorageUnavailable(THROTTLED_RETRY_AFTER_SECONDS)


def query_pages(client: DynamoDBClient, query: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every page of the Query."""
    return pages(client.query, query)


def pages(call: Callable[..., Any], request: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every page of a paginated call (a Query or a Scan), each from where the last ended."""
    with storage_errors():
        while True:
            page: dict[str, Any] = dict(call(**request))
            yield page
            if "LastEvaluatedKey" not in page:
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
