"""The functions no client calls: the Carts stream's consumer and the two sweepers. Each
invocation writes one access line with its metrics, like a request (edge/logs.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from chalicelib import telemetry
from chalicelib.edge import logs

if TYPE_CHECKING:
    from chalicelib.edge.services import Container, Services
    from chalicelib.service.events import CartEvents


def publish_records(
    records: Iterable[dict[str, Any]], events: Container[CartEvents], context: Any
) -> dict[str, Any]:
    """Publish the records' events; Lambda's ReportBatchItemFailures answer: the first
    record not done, which Lambda delivers again with every record after it."""
    from chalicelib.dynamodb.stream import row_change  # only the consumer's function needs it

    with _invocation("publish_cart_events", context) as entry:
        failed = events.get().publish([row_change(record) for record in records])
        entry["status"] = 200
        return {"batchItemFailures": [] if failed is None else [{"itemIdentifier": failed}]}


def finish_stalled_merges(services: Container[Services], context: Any) -> list[str]:
    """Finish the merges in steps that no client finished; the carts merged into."""
    with _invocation("finish_stalled_merges", context) as entry:
        targets = services.get().carts.finish_stalled_merges()
        telemetry.count("MergesFinishedBySweeper", len(targets))
        entry["status"], entry["carts"] = 200, targets
        return targets


def release_lapsed_holds(services: Container[Services], context: Any) -> int:
    """Give back the units of the holds that lapsed (the HoldsLapsed metric counts them)."""
    with _invocation("release_lapsed_holds", context) as entry:
        units = services.get().carts.release_lapsed_holds()
        entry["status"], entry["units"] = 200, units
        return units


def mark_abandoned_carts(events: Container[CartEvents], context: Any) -> list[str]:
    """Mark the carts idle past their deadline abandoned; the carts marked."""
    with _invocation("mark_abandoned_carts", context) as entry:
        marked = events.get().mark_abandoned_carts()
        telemetry.count("CartsAbandoned", len(marked))
        entry["status"], entry["carts"] = 200, marked
        return marked


def _invocation(function: str, context: Any) -> Any:
    request_id = getattr(context, "aws_request_id", None)
    return logs.access_log(request_id, ("operation", "status"), function)
