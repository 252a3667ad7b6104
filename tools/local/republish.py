"""`make republish STAGE=local`: the failed-events queue, the stream and the consumer of a
running `make run` (where its DynamoDB is: tools/local/price.py)."""

from __future__ import annotations

import json
import os
from typing import Any

from chalicelib.wiring import build_events, dynamodb_client
from tools.deploy.stream_source import failed_events_queue_name
from tools.local.event_stream import Handler
from tools.local.price import DYNAMODB_FILE
from tools.local.stack import LOCAL_STAGE, local_aws_environment, local_client
from tools.stage import stage_settings


def local_stage() -> tuple[Any, Any, str, Handler]:
    endpoint = json.loads(DYNAMODB_FILE.read_text())["endpoint"]
    os.environ.update(local_aws_environment(endpoint))
    import app as service  # after the environment: importing it configures logging

    settings = stage_settings(LOCAL_STAGE)
    events = build_events(settings, dynamodb_client(settings), local_client("events", endpoint))
    service.cart_events.use(events)
    sqs = local_client("sqs", endpoint)
    queue_url = sqs.get_queue_url(QueueName=failed_events_queue_name(LOCAL_STAGE))["QueueUrl"]
    return (
        sqs,
        local_client("dynamodbstreams", endpoint),
        queue_url,
        lambda event: service.publish_cart_events(event, None),
    )
