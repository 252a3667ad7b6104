"""A stage's alarms, the SNS topic they notify, its dashboard and its WAF web ACL
(tools/deploy/waf.py), in the templates.

Both deployments carry them: `make deploy` puts the topic and the tables' alarms in the
tables stack and the rest in an ops stack (one stack's body would pass CloudFormation's
51,200-byte limit), and `make package` puts all of it in the SAM template. The alarms and
their thresholds are in tools/deploy/alarms.py, the dashboard in tools/deploy/dashboard.py.
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.settings import APP_NAME
from tools.deploy.alarms import TOPIC_RESOURCE, api_stage, service_alarms, table_alarms
from tools.deploy.dashboard import dashboard
from tools.deploy.waf import web_acl

TOPIC_PARAMETER = "AlarmTopicArn"
REST_API_PARAMETER = "RestApiId"
EMAIL_PARAMETER = "AlarmEmail"


def tables_stack_template(stage: str, tables: dict[str, Any]) -> dict[str, Any]:
    """The stage's tables stack (`make deploy`): `tables` (infra/tables.json), the topic
    every alarm notifies (with its optional e-mail subscription) and the tables' alarms."""
    template: dict[str, Any] = json.loads(json.dumps(tables))
    template["Parameters"][EMAIL_PARAMETER] = {
        "Type": "String",
        "Default": "",
        "Description": "An e-mail address the alarms notify (empty: none)",
    }
    template["Conditions"]["HasAlarmEmail"] = {
        "Fn::Not": [{"Fn::Equals": [{"Ref": EMAIL_PARAMETER}, ""]}]
    }
    template["Resources"].update(topic(stage))
    template["Resources"].update(table_alarms(stage))
    template["Outputs"]["AlarmTopicArn"] = {
        "Description": "The SNS topic every alarm of the stage notifies",
        "Value": {"Ref": TOPIC_RESOURCE},
    }
    return template


def ops_template(stage: str) -> dict[str, Any]:
    """The stage's ops stack (`make deploy`, after `chalice deploy`): the alarms of the API,
    the functions, the stream and the service's own metrics, and the dashboard, notifying
    the tables stack's topic (a parameter); and the WAF web ACL on the API `chalice deploy`
    made (a parameter). In the SAM template, all of it is one stack (`sam_resources`)."""
    api_stage_arn = {
        "Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/"
        f"${{{REST_API_PARAMETER}}}/stages/{api_stage(stage)}"
    }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"{APP_NAME} {stage}: alarms, the dashboard and the web ACL",
        "Parameters": {
            TOPIC_PARAMETER: {"Type": "String"},
            REST_API_PARAMETER: {"Type": "String"},
        },
        "Resources": {
            **_notifying(service_alarms(stage), {"Ref": TOPIC_PARAMETER}),
            "Dashboard": _dashboard_resource(stage),
            **web_acl(stage, api_stage_arn),
        },
    }


def sam_resources(stage: str) -> dict[str, Any]:
    """What the SAM template adds to the tables' resources: the topic, every alarm, the
    dashboard (its parameter and condition come with the tables stack's) and the web ACL
    on the template's own API."""
    api_stage_arn = {
        "Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/"
        "${RestAPI}/stages/${RestAPI.Stage}"
    }
    return {
        **topic(stage),
        **table_alarms(stage),
        **service_alarms(stage),
        "Dashboard": _dashboard_resource(stage),
        **web_acl(stage, api_stage_arn),
    }


def topic(stage: str) -> dict[str, Any]:
    return {
        TOPIC_RESOURCE: {
            "Type": "AWS::SNS::Topic",
            "Properties": {"TopicName": f"{APP_NAME}-{stage}-alarms"},
        },
        "AlarmEmailSubscription": {
            "Type": "AWS::SNS::Subscription",
            "Condition": "HasAlarmEmail",
            "Properties": {
                "TopicArn": {"Ref": TOPIC_RESOURCE},
                "Protocol": "email",
                "Endpoint": {"Ref": EMAIL_PARAMETER},
            },
        },
    }


def _dashboard_resource(stage: str) -> dict[str, Any]:
    return {
        "Type": "AWS::CloudWatch::Dashboard",
        "Properties": {
            "DashboardName": f"{APP_NAME}-{stage}",
            "DashboardBody": {"Fn::Sub": json.dumps(dashboard(stage), separators=(",", ":"))},
        },
    }


def _notifying(alarms: dict[str, Any], topic_arn: dict[str, Any]) -> dict[str, Any]:
    for alarm in alarms.values():
        alarm["Properties"]["AlarmActions"] = [topic_arn]
    return alarms
