"""The alarms and the dashboard both deployments carry (tools/deploy/monitoring.py): every
function and table watched, every alarm on a metric something emits, every alarm with its
runbook entry."""

from __future__ import annotations

import json
import re
from typing import Any

from chalicelib.edge.metrics import METRICS
from chalicelib.settings import METRICS_NAMESPACE
from tools.deploy.alarms import all_alarms, table_name
from tools.deploy.monitoring import ops_template
from tools.deploy.policies import deployed_functions, lambda_name
from tools.deploy.stream_source import failed_events_queue_name
from tools.stage import PROJECT_DIR

# What AWS publishes, by namespace, with the dimensions the alarms use (CloudWatch's
# documentation of each service's metrics).
AWS_METRICS = {
    "AWS/ApiGateway": ({"5XXError", "4XXError", "Latency"}, {"ApiName", "Stage"}),
    "AWS/Lambda": ({"Errors", "Throttles", "Duration", "IteratorAge"}, {"FunctionName"}),
    "AWS/DynamoDB": (
        {"ReadThrottleEvents", "WriteThrottleEvents", "SystemErrors"},
        {"TableName", "Operation"},
    ),
    "AWS/SQS": ({"ApproximateNumberOfMessagesVisible"}, {"QueueName"}),
    "AWS/Events": ({"FailedInvocations"}, set()),
}


def metrics_of(alarm: dict[str, Any]) -> list[dict[str, Any]]:
    properties = alarm["Properties"]
    if "Metrics" in properties:
        return [q["MetricStat"]["Metric"] for q in properties["Metrics"] if "MetricStat" in q]
    return [{k: properties[k] for k in ("Namespace", "MetricName", "Dimensions")}]


def alarms_in(template: dict[str, Any]) -> dict[str, Any]:
    resources = template["Resources"]
    return {k: r for k, r in resources.items() if r["Type"] == "AWS::CloudWatch::Alarm"}


def watched(alarms: dict[str, Any], metric: str, dimension: str) -> set[str]:
    """The values of `dimension` that alarms on `metric` watch."""
    return {
        d["Value"]
        for alarm in alarms.values()
        for m in metrics_of(alarm)
        if m["MetricName"] == metric
        for d in m["Dimensions"]
        if d["Name"] == dimension
    }


def test_every_function_and_table_has_its_alarms_in_the_sam_template(packaged: Any) -> None:
    stage, _, template = packaged
    alarms = alarms_in(template)
    functions = {
        r["Properties"]["FunctionName"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Serverless::Function"
    }
    assert functions == {lambda_name(stage, f) for f in deployed_functions(stage)}
    for metric in ("Errors", "Throttles", "Duration"):
        assert watched(alarms, metric, "FunctionName") == functions, metric
    tables = {
        r["Properties"]["TableName"]["Fn::Sub"].replace("${Stage}", stage)
        for r in template["Resources"].values()
        if r["Type"] == "AWS::DynamoDB::Table"
    }
    for metric in ("ReadThrottleEvents", "WriteThrottleEvents", "SystemErrors"):
        assert watched(alarms, metric, "TableName") == tables, metric
    consumer = lambda_name(stage, "publish_cart_events")
    assert watched(alarms, "IteratorAge", "FunctionName") == {consumer}
    queue = failed_events_queue_name(stage)
    assert watched(alarms, "ApproximateNumberOfMessagesVisible", "QueueName") == {queue}
    assert {"ApiServerErrorRate", "ApiClientErrorRate", "ApiLatencyP99"} <= set(alarms)
    # the same alarms as the two stacks of `make deploy`
    assert set(alarms) == set(all_alarms(stage))
    assert template["Resources"]["AlarmTopic"]["Type"] == "AWS::SNS::Topic"
    assert "Dashboard" in template["Resources"]


def test_every_alarm_names_a_metric_something_emits(packaged: Any) -> None:
    stage, _, template = packaged
    functions = {lambda_name(stage, f) for f in deployed_functions(stage)}
    for name, alarm in alarms_in(template).items():
        for metric in metrics_of(alarm):
            dimensions = {d["Name"]: d["Value"] for d in metric["Dimensions"]}
            if metric["Namespace"] == METRICS_NAMESPACE:
                emitted = METRICS[metric["MetricName"]]  # the service writes it (EMF)
                assert set(dimensions) == set(emitted.dimensions), name
                assert dimensions["stage"] == stage
                continue
            names, dimension_names = AWS_METRICS[metric["Namespace"]]
            assert metric["MetricName"] in names, name
            assert set(dimensions) <= dimension_names, name
            if "FunctionName" in dimensions:
                assert dimensions["FunctionName"] in functions, name
            if "TableName" in dimensions:
                assert dimensions["TableName"].startswith(table_name(stage, "")), name


def test_every_alarm_notifies_the_topic_and_has_a_runbook_entry(packaged: Any) -> None:
    _, _, template = packaged
    runbook = (PROJECT_DIR / "docs" / "operations.md").read_text()
    anchors = {_anchor(heading) for heading in re.findall(r"^#+ (.+)$", runbook, re.MULTILINE)}
    for name, alarm in alarms_in(template).items():
        properties = alarm["Properties"]
        assert properties["AlarmActions"] == [{"Ref": "AlarmTopic"}], name
        entry = properties["AlarmDescription"].rsplit("#", 1)[1]
        assert entry in anchors, f"{name}: no runbook entry '{entry}' in docs/operations.md"


def test_the_ops_stack_notifies_the_topic_it_is_given() -> None:
    template = ops_template("prod")
    for alarm in alarms_in(template).values():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopicArn"}]


def _anchor(heading: str) -> str:
    """GitHub's anchor of a Markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_the_dashboard_shows_the_funnel_and_the_stream() -> None:
    template = ops_template("dev")
    body = template["Resources"]["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    titles = [widget["properties"]["title"] for widget in json.loads(body)["widgets"]]
    assert "Shopper funnel" in titles and "Events and the stream" in titles
    assert "Stock and holds" in titles
    for metric in ("CartsCreated", "ItemsAdded", "Checkouts", "CartsAbandoned"):
        assert metric in body and metric in METRICS
    for metric in ("StockRefusals", "HoldsLapsed", "HoldsCapped"):
        assert metric in body and metric in METRICS
