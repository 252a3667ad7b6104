"""The stream consumer's edge: Lambda's batch of Carts stream records in, its answer out."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chalicelib.service.events import CartEvents


def publish_records(records: Iterable[dict[str, Any]], events: CartEvents) -> dict[str, Any]:
    """Publish the records' events; Lambda's ReportBatchItemFailures answer: the first
    record not done, which Lambda delivers again with every record after it."""
    from chalicelib.dynamodb.stream import row_change  # only the consumer's function needs it

    failed = events.publish([row_change(record) for record in records])
    return {"batchItemFailures": [] if failed is None else [{"itemIdentifier": failed}]}
