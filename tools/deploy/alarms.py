"""A stage's alarms, as CloudFormation resources (tools/deploy/monitoring.py puts them in
the templates). Every alarm names a metric that something emits: the service's own
(chalicelib/edge/metrics.py, namespace CartService) or one AWS publishes for the API, a
function, a table, the stream consumer, the bus or the failed-events queue; each names its
runbook entry in docs/operations.md (`RUNBOOK`).

The thresholds are per stage, here and only here (`THRESHOLDS`): a dev stage tolerates what
a developer's experiments cause; prod alarms on the first sign of trouble.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from chalicelib.dynamodb.tables import TABLES
from chalicelib.edge.metrics import METRICS
from chalicelib.settings import APP_NAME, METRICS_NAMESPACE
from tools.deploy.policies import (
    STREAM_CONSUMER,
    deployed_functions,
    function_access,
    lambda_name,
)
from tools.deploy.stream_source import failed_events_queue_name
from tools.stage import CONFIG_FILE

TOPIC_RESOURCE = "AlarmTopic"
PERIOD = 300
"""Every alarm looks at five-minute periods."""
RUNBOOK = "docs/operations.md"


class Thresholds(NamedTuple):
    api_5xx_rate: float
    """Share of the API's answers that are 5XX in a period: a bug, or DynamoDB failing."""
    api_4xx_rate: float
    """Share that are 4XX: a client release gone wrong, or someone probing."""
    api_p99_ms: float
    """The API's 99th percentile latency (API Gateway's, so it includes cold starts)."""
    function_errors: int
    """A function's errors (uncaught exceptions, timeouts) per period, above which it alarms."""
    duration_share: float
    """A function's longest run as a share of its timeout: near it, it will soon time out."""
    iterator_age_ms: int
    """How far the stream consumer is behind: events reach subscribers that late."""
    accepted_answers: int
    """202 answers (committed, not read back) per period: DynamoDB's reads are failing."""
    periods: int
    """Consecutive periods over the threshold before the alarm fires."""


THRESHOLDS = {
    "dev": Thresholds(0.05, 0.5, 3000, 5, 0.9, 15 * 60_000, 10, 2),
    "prod": Thresholds(0.01, 0.2, 1000, 0, 0.8, 5 * 60_000, 0, 1),
}


def all_alarms(stage: str) -> dict[str, Any]:
    return {**table_alarms(stage), **service_alarms(stage)}


def service_alarms(stage: str) -> dict[str, Any]:
    """The alarms of the API, the functions, the stream, the bus, the failed-events queue
    and the service's own metrics, by logical id."""
    limits = THRESHOLDS[stage]
    api = [{"Name": "ApiName", "Value": APP_NAME}, {"Name": "Stage", "Value": api_stage(stage)}]
    found: dict[str, Any] = {
        "ApiServerErrorRate": _alarm(
            stage,
            "api-5xx-rate",
            "5XX answers of the API, as a share of its requests",
            "AWS/ApiGateway",
            "5XXError",
            api,
            "Average",
            limits.api_5xx_rate,
            limits.periods,
        ),
        "ApiClientErrorRate": _alarm(
            stage,
            "api-4xx-rate",
            "4XX answers of the API, as a share of its requests",
            "AWS/ApiGateway",
            "4XXError",
            api,
            "Average",
            limits.api_4xx_rate,
            limits.periods,
        ),
        "ApiLatencyP99": _alarm(
            stage,
            "api-p99-latency",
            "the API's 99th percentile latency, in milliseconds",
            "AWS/ApiGateway",
            "Latency",
            api,
            "p99",
            limits.api_p99_ms,
            limits.periods,
        ),
        "StreamIteratorAge": _alarm(
            stage,
            "stream-iterator-age",
            "how far behind the Carts stream the consumer is",
            "AWS/Lambda",
            "IteratorAge",
            _function(stage, STREAM_CONSUMER),
            "Maximum",
            limits.iterator_age_ms,
            limits.periods,
        ),
        "FailedEventsQueueDepth": _alarm(
            stage,
            "failed-events-queue",
            "stream records given up on, waiting in the queue",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            [
                {
                    "Name": "QueueName",
                    "Value": failed_events_queue_name(stage),
                }
            ],
            "Maximum",
            0,
            1,
        ),
        "EventBridgeFailedInvocations": _alarm(
            stage,
            "eventbridge-failed-invocations",
            "deliveries of EventBridge rules (the subscribers' targets) that failed",
            "AWS/Events",
            "FailedInvocations",
            [],
            "Sum",
            0,
            1,
        ),
        "EventPublishFailures": _alarm(
            stage,
            "event-publish-failures",
            "stream batches stopped by an event not put",
            METRICS_NAMESPACE,
            "EventPublishFailures",
            _stage(stage),
            "Sum",
            0,
            limits.periods,
        ),
        "CommittedNotReadBack": _alarm(
            stage,
            "committed-not-read-back",
            "changes answered 202: committed, not read back",
            METRICS_NAMESPACE,
            "Accepted",
            None,
            "Sum",
            limits.accepted_answers,
            limits.periods,
            math=_all_operations(stage, "Accepted"),
        ),
    }
    timeout_ms = _timeout_seconds(stage) * 1000
    for function in deployed_functions(stage):
        key, dims = _camel(function), _function(stage, function)
        found[f"{key}Errors"] = _alarm(
            stage,
            f"{function}:errors",
            f"{function} failed (an exception or a timeout)",
            "AWS/Lambda",
            "Errors",
            dims,
            "Sum",
            limits.function_errors,
            1,
        )
        found[f"{key}Throttles"] = _alarm(
            stage,
            f"{function}:throttles",
            f"{function} was throttled (concurrency)",
            "AWS/Lambda",
            "Throttles",
            dims,
            "Sum",
            0,
            1,
        )
        found[f"{key}Duration"] = _alarm(
            stage,
            f"{function}:duration",
            f"{function} ran close to its timeout",
            "AWS/Lambda",
            "Duration",
            dims,
            "Maximum",
            limits.duration_share * timeout_ms,
            limits.periods,
        )
    return found


def table_alarms(stage: str) -> dict[str, Any]:
    """Each table's throttled requests and DynamoDB's own errors, by logical id."""
    found: dict[str, Any] = {}
    for table in TABLES.values():
        dims = [{"Name": "TableName", "Value": table_name(stage, table.name)}]
        found[f"{table.name}TableThrottles"] = _alarm(
            stage,
            f"{table.name}:throttles",
            f"requests to {table.name} throttled",
            "AWS/DynamoDB",
            "",
            None,
            "Sum",
            0,
            1,
            math=[("ReadThrottleEvents", dims), ("WriteThrottleEvents", dims)],
        )
        found[f"{table.name}TableSystemErrors"] = _alarm(
            stage,
            f"{table.name}:system-errors",
            f"DynamoDB failed requests to {table.name}",
            "AWS/DynamoDB",
            "",
            None,
            "Sum",
            0,
            1,
            math=[
                ("SystemErrors", [*dims, {"Name": "Operation", "Value": action}])
                for action in _actions_on(stage, table.name)
            ],
        )
    return found


def _alarm(
    stage: str,
    name: str,
    meaning: str,
    namespace: str,
    metric: str,
    dimensions: list[dict[str, Any]] | None,
    statistic: str,
    threshold: float,
    periods: int,
    math: list[tuple[str, list[dict[str, Any]]]] | None = None,
) -> dict[str, Any]:
    """An alarm when the metric (or the sum of the `math` metrics) is over `threshold` for
    `periods` periods in a row; no data (no traffic) is not a breach."""
    properties: dict[str, Any] = {
        "AlarmName": f"{APP_NAME}-{stage}-{name}",
        "AlarmDescription": f"{meaning}. Runbook: {RUNBOOK}#{runbook_entry(name)}",
        "ComparisonOperator": "GreaterThanThreshold",
        "Threshold": threshold,
        "EvaluationPeriods": periods,
        "AlarmActions": [{"Ref": TOPIC_RESOURCE}],
    }
    if math is not None:
        queries: list[dict[str, Any]] = [
            {
                "Id": f"m{n}",
                "ReturnData": False,
                "MetricStat": {
                    "Metric": {"Namespace": namespace, "MetricName": name_, "Dimensions": dims},
                    "Period": PERIOD,
                    "Stat": statistic,
                },
            }
            for n, (name_, dims) in enumerate(math)
        ]
        total = "+".join(query["Id"] for query in queries)
        queries.append({"Id": "total", "Expression": total, "Label": meaning})
        properties["Metrics"] = queries
    else:
        properties.update(
            Namespace=namespace, MetricName=metric, Dimensions=dimensions or [], Period=PERIOD
        )
        key = "ExtendedStatistic" if statistic.startswith("p") else "Statistic"
        properties[key] = statistic
    return {"Type": "AWS::CloudWatch::Alarm", "Properties": properties}


def runbook_entry(alarm: str) -> str:
    """The runbook's entry for an alarm: its own, or for a function's or a table's alarm,
    the one of its kind (`Orders:throttles` -> `table-throttles`)."""
    subject, _, kind = alarm.rpartition(":")
    if not subject:
        return alarm
    return f"{'table' if subject in TABLES else 'function'}-{kind}"


def table_name(stage: str, table: str) -> str:
    """A table's name in a deployed stage (infra/tables.json names them so)."""
    return f"{APP_NAME}-{stage}-{table}"


def _function(stage: str, function: str) -> list[dict[str, Any]]:
    return [{"Name": "FunctionName", "Value": lambda_name(stage, function)}]


def _stage(stage: str) -> list[dict[str, Any]]:
    return [{"Name": "stage", "Value": stage}]


def _all_operations(stage: str, metric: str) -> list[tuple[str, list[dict[str, Any]]]]:
    """A per-operation metric of the service, for each operation that answers 202."""
    from chalicelib.edge.operations import ALL

    assert METRICS[metric].dimensions == ("stage", "operation")
    keyed = [operation.name for operation in ALL if operation.keyed]
    return [(metric, [*_stage(stage), {"Name": "operation", "Value": op}]) for op in keyed]


def _actions_on(stage: str, table: str) -> list[str]:
    """The DynamoDB operations the stage's functions call on `table` (the access table)."""
    actions: set[str] = set()
    for function in deployed_functions(stage):
        for resource, calls in function_access(function).items():
            if resource.partition("/index/")[0] == table:
                actions |= calls
    return sorted(actions)


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _stage_config(stage: str) -> dict[str, Any]:
    config = json.loads(CONFIG_FILE.read_text())
    return {**config, **config["stages"][stage]}


def api_stage(stage: str) -> str:
    return str(_stage_config(stage).get("api_gateway_stage", "api"))


def _timeout_seconds(stage: str) -> int:
    return int(_stage_config(stage)["lambda_timeout"])
