"""Idempotency-Key: a retried request answers as the first one did and changes nothing.

Built on Powertools for AWS Lambda's idempotency utility, with its DynamoDB persistence
layer (the Idempotency table, records kept 24 hours). The key is global: a key names one
request, and the same key with another request (another operation, cart or body) is refused
with IDEMPOTENCY_KEY_REUSED. While the first request runs, a second one with the same key
gets CONFLICT; once it succeeded, every retry gets its reply (status, body, Location and
ETag). A request that failed stores nothing: a failed request changed nothing, so its retry
simply runs again.

Powertools (and its import time) is loaded on the first request that carries a key, so
requests without one do not pay for it.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from chalicelib.domain.errors import IdempotencyKeyReused, RequestInProgress, StorageUnavailable
from chalicelib.dynamodb.calls import THROTTLED_RETRY_AFTER_SECONDS, is_transient

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

log = logging.getLogger(__name__)

KEEP_SECONDS = 24 * 3600

StoredReply = dict[str, Any]


class IdempotencyStore:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    @functools.cached_property
    def _once(self) -> tuple[Callable[..., StoredReply], Any]:
        from aws_lambda_powertools.utilities.idempotency import (
            DynamoDBPersistenceLayer,
            IdempotencyConfig,
            idempotent_function,
        )

        persistence = DynamoDBPersistenceLayer(table_name=self._table, boto3_client=self._client)
        config = IdempotencyConfig(
            event_key_jmespath="key",
            payload_validation_jmespath="request",
            raise_on_no_idempotency_key=True,
            expires_after_seconds=KEEP_SECONDS,
        )

        def run(data: dict[str, Any], respond: Callable[[], StoredReply]) -> StoredReply:
            return respond()

        once = idempotent_function(
            run, data_keyword_argument="data", persistence_store=persistence, config=config
        )
        return cast(Callable[..., StoredReply], once), config

    def respond_once(
        self,
        key: str,
        request: dict[str, Any],
        respond: Callable[[], StoredReply],
        lambda_context: Any,
    ) -> StoredReply:
        """`respond()`'s result for the first request with `key`; that same result afterwards."""
        from aws_lambda_powertools.utilities.idempotency.exceptions import (
            IdempotencyAlreadyInProgressError,
            IdempotencyPersistenceLayerError,
            IdempotencyValidationError,
        )

        run, config = self._once
        if lambda_context is not None:
            # Bounds how long a crashed request's key stays "in progress".
            config.register_lambda_context(lambda_context)
        produced: list[StoredReply] = []

        def respond_and_keep() -> StoredReply:
            produced.append(respond())
            return produced[0]

        try:
            return run(data={"key": key, "request": request}, respond=respond_and_keep)
        except IdempotencyValidationError:
            raise IdempotencyKeyReused() from None
        except IdempotencyAlreadyInProgressError:
            raise RequestInProgress() from None
        except IdempotencyPersistenceLayerError as error:
            if produced:
                # The change was made; only storing its reply failed. Answer it: a client
                # told "failed" would retry a change that has happened.
                log.warning("reply for Idempotency-Key not stored: %s", error)
                return produced[0]
            if error.__cause__ is not None and is_transient(error.__cause__):
                raise StorageUnavailable(THROTTLED_RETRY_AFTER_SECONDS) from error
            raise
