"""A stage's CloudWatch dashboard (tools/deploy/monitoring.py puts it in the templates)."""

from __future__ import annotations

from typing import Any

from chalicelib.settings import APP_NAME, METRICS_NAMESPACE
from tools.deploy.alarms import PERIOD, api_stage
from tools.deploy.policies import STREAM_CONSUMER, lambda_name


def dashboard(stage: str) -> dict[str, Any]:
    """The stage's dashboard: traffic and errors per operation, latency, the shopper funnel,
    events and the stream, DynamoDB capacity and throttles. `${AWS::Region}` is filled in
    by CloudFormation (Fn::Sub)."""

    def search(metric: str, dimensions: str, stat: str = "Sum") -> dict[str, Any]:
        query = (
            f'SEARCH(\'{{{METRICS_NAMESPACE},{dimensions}}} MetricName="{metric}" '
            f"stage=\"{stage}\"', '{stat}', {PERIOD})"
        )
        return {"expression": query, "label": metric, "id": metric.lower()}

    def widget(title: str, metrics: list[Any], y: int, x: int = 0) -> dict[str, Any]:
        return {
            "type": "metric",
            "x": x,
            "y": y,
            "width": 12,
            "height": 6,
            "properties": {
                "title": title,
                "region": "${AWS::Region}",
                "view": "timeSeries",
                "period": PERIOD,
                "metrics": metrics,
            },
        }

    def service(metric: str, stat: str = "Sum") -> list[Any]:
        return [METRICS_NAMESPACE, metric, "stage", stage, {"stat": stat}]

    api = ["ApiName", APP_NAME, "Stage", api_stage(stage)]
    return {
        "widgets": [
            widget("Requests per operation", [[search("Requests", "stage,operation")]], 0),
            widget(
                "Refusals per operation and code",
                [[search("Refusals", "stage,operation,code")]],
                0,
                12,
            ),
            widget(
                "Latency p50 and p99 (API Gateway)",
                [
                    ["AWS/ApiGateway", "Latency", *api, {"stat": "p50"}],
                    ["AWS/ApiGateway", "Latency", *api, {"stat": "p99"}],
                ],
                6,
            ),
            widget(
                "Latency p99 per operation (in the function)",
                [[search("Latency", "stage,operation", "p99")]],
                6,
                12,
            ),
            widget(
                "Shopper funnel",
                [
                    service("CartsCreated"),
                    service("ItemsAdded"),
                    service("Checkouts"),
                    service("CartsAbandoned"),
                ],
                12,
            ),
            widget(
                "Events and the stream",
                [
                    service("EventsPublished"),
                    service("EventPublishFailures"),
                    [
                        "AWS/Lambda",
                        "IteratorAge",
                        "FunctionName",
                        lambda_name(stage, STREAM_CONSUMER),
                        {"stat": "Maximum", "yAxis": "right"},
                    ],
                ],
                12,
                12,
            ),
            widget(
                "DynamoDB consumed capacity",
                [
                    [
                        {
                            "expression": _dynamodb_search(
                                stage, "ConsumedReadCapacityUnits", "ConsumedWriteCapacityUnits"
                            ),
                            "id": "capacity",
                            "label": "capacity",
                        }
                    ]
                ],
                18,
            ),
            widget(
                "Throttles, conflicts and 5XX",
                [
                    [
                        {
                            "expression": _dynamodb_search(
                                stage, "ReadThrottleEvents", "WriteThrottleEvents"
                            ),
                            "id": "throttles",
                            "label": "throttles",
                        }
                    ],
                    [search("DynamoDBThrottles", "stage,operation")],
                    [search("ConditionalConflicts", "stage,operation")],
                    [search("StockContention", "stage,operation")],
                    [search("ServerErrors", "stage,operation")],
                ],
                18,
                12,
            ),
            widget(
                "Stock and holds",
                [
                    [search("StockRefusals", "stage,operation")],
                    [search("HoldsLapsed", "stage,operation")],
                    [search("HoldsCapped", "stage,operation")],
                ],
                24,
            ),
        ]
    }


def _dynamodb_search(stage: str, *metrics: str) -> str:
    """A dashboard search for DynamoDB's per-table `metrics` of the stage's tables."""
    names = " OR ".join(f'MetricName="{metric}"' for metric in metrics)
    return f"SEARCH('{{AWS/DynamoDB,TableName}} ({names}) {APP_NAME}-{stage}', 'Sum', {PERIOD})"
