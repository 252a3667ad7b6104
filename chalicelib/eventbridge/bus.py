"""The stage's EventBridge bus: PutEvents, ten events a call, failures per entry."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotocoreConnectionError

from chalicelib.domain.events import SOURCE, CartEvent
from chalicelib.service.ports import EventBus

log = logging.getLogger(__name__)

PUT_EVENTS_LIMIT = 10
"""Entries per PutEvents call."""


class EventBridgeBus(EventBus):
    def __init__(self, client: Any, bus_name: str) -> None:
        self._client = client
        self._bus = bus_name

    def publish(self, events: Sequence[CartEvent]) -> int | None:
        """Put the events on the bus in order; the index of the first not put (None: all
        were). A throttled or unreachable EventBridge (after botocore's retries) puts none
        of the call's events; any other error is a fault of the deployment and raises."""
        for start in range(0, len(events), PUT_EVENTS_LIMIT):
            chunk = events[start : start + PUT_EVENTS_LIMIT]
            try:
                response = self._client.put_events(Entries=[self._entry(e) for e in chunk])
            except (ClientError, BotocoreConnectionError, HTTPClientError) as error:
                if not _transient(error):
                    raise
                log.warning("EventBridge unavailable after retries: %s", error)
                return start
            for offset, entry in enumerate(response["Entries"]):
                if "ErrorCode" in entry:
                    log.warning("event %s not put: %s", chunk[offset].event_id, entry)
                    return start + offset
        return None

    def _entry(self, event: CartEvent) -> Any:
        return {
            "EventBusName": self._bus,
            "Source": SOURCE,
            "DetailType": event.kind,
            "Detail": json.dumps(event.detail(), separators=(",", ":")),
            "Time": event.occurred_at,
            "Resources": [],
        }


def _transient(error: Exception) -> bool:
    if isinstance(error, ClientError):
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        code = error.response.get("Error", {}).get("Code", "")
        return status >= 500 or code in {"ThrottlingException", "InternalException"}
    return True
