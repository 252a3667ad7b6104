"""`make deploy STAGE=dev`: the tables stack, then `chalice deploy`.

1. Creates or updates the CloudFormation stack `cart-service-STAGE-tables` from
   infra/tables.json (the one definition of the tables) and waits for it.
2. Writes the stack's table names, Carts stream and event bus into the stage's environment
   in .chalice/config.json and regenerates the stage's policies, so the functions get
   exactly those. (Chalice reads the stream's ARN when it imports app.py: it must be the
   stage's before `chalice deploy` runs.)
3. Compiles chalicelib's bytecode, then runs `chalice deploy --stage STAGE` (which zips
   chalicelib as it is on disk, bytecode included: `compile_chalicelib`).
4. Puts back what `chalice deploy` replaces with the API's definition: the gateway
   responses (problem+json for 401, 403, unknown routes, 429) and the stage's throttling,
   and turns off X-Ray on the API stage (the functions keep it);
   and gives the stream consumer's event source its failure policy (batch failures
   reported, retries, bisection, the failed-events queue: tools/deploy/stream_source.py),
   which Chalice has no setting for.
5. Creates or updates the stack `cart-service-STAGE-ops`: every other alarm, the
   dashboard (tools/deploy/monitoring.py) and the WAF web ACL on the API
   (tools/deploy/waf.py).

A stage that carries a literal key or runs with API_AUTH=none is refused before anything.

Uses the usual AWS credentials and region (AWS_PROFILE, AWS_DEFAULT_REGION).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import py_compile
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

from chalicelib.dynamodb.tables import TABLES
from chalicelib.settings import APP_NAME
from tools.deploy import policies
from tools.deploy.monitoring import (
    EMAIL_PARAMETER,
    REST_API_PARAMETER,
    TOPIC_PARAMETER,
    ops_template,
    tables_stack_template,
)
from tools.deploy.stream_source import event_source_settings
from tools.local.gateway import gateway_responses, throttling
from tools.local.tables import TABLES_TEMPLATE
from tools.stage import CONFIG_FILE, PROJECT_DIR, refuse_undeployable


def tables_stack_name(stage: str) -> str:
    return f"{APP_NAME}-{stage}-tables"


def ops_stack_name(stage: str) -> str:
    return f"{APP_NAME}-{stage}-ops"


def deploy_tables(cloudformation: Any, stage: str, alarm_email: str = "") -> dict[str, str]:
    """Create or update the stage's tables stack (the tables, the alarms' topic, the
    tables' alarms), wait for it; its outputs."""
    template = tables_stack_template(stage, json.loads(TABLES_TEMPLATE.read_text()))
    parameters = {"Stage": stage, EMAIL_PARAMETER: alarm_email}
    return _deploy_stack(cloudformation, stage, tables_stack_name(stage), template, parameters)


def deploy_ops(cloudformation: Any, stage: str, topic_arn: str, rest_api_id: str) -> dict[str, str]:
    """Create or update the stage's ops stack (the other alarms, the dashboard, the WAF web
    ACL on the API)."""
    parameters = {TOPIC_PARAMETER: topic_arn, REST_API_PARAMETER: rest_api_id}
    return _deploy_stack(
        cloudformation, stage, ops_stack_name(stage), ops_template(stage), parameters
    )


def _deploy_stack(
    cloudformation: Any,
    stage: str,
    name: str,
    template: dict[str, Any],
    parameters: dict[str, str],
) -> dict[str, str]:
    arguments = {
        "StackName": name,
        "TemplateBody": json.dumps(template, separators=(",", ":")),
        "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        "Tags": [{"Key": "app", "Value": APP_NAME}, {"Key": "stage", "Value": stage}],
    }
    if _stack_exists(cloudformation, name):
        try:
            cloudformation.update_stack(**arguments)
        except ClientError as error:
            if "No updates are to be performed" not in str(error):
                raise
        else:
            cloudformation.get_waiter("stack_update_complete").wait(StackName=name)
    else:
        cloudformation.create_stack(**arguments)
        cloudformation.get_waiter("stack_create_complete").wait(StackName=name)
    stack = cloudformation.describe_stacks(StackName=name)["Stacks"][0]
    return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}


def write_table_names(stage: str, outputs: dict[str, str], config_file: Path = CONFIG_FILE) -> None:
    """Put the stack's table names, its key ring's secret, the Carts stream and the event bus
    into the stage's environment variables (the secret's ARN, not its value: only the
    functions allowed to read it can)."""
    config = json.loads(config_file.read_text())
    environment = config["stages"][stage].setdefault("environment_variables", {})
    for table in TABLES.values():
        environment[table.variable] = outputs[f"{table.resource_id}Name"]
    environment["TOKEN_SECRET_ARN"] = outputs["TokenKeysSecretArn"]
    environment["CARTS_STREAM_ARN"] = outputs["CartsTableStreamArn"]
    environment["EVENT_BUS_NAME"] = outputs["CartEventBusName"]
    config_file.write_text(json.dumps(config, indent=2) + "\n")


def _stack_exists(cloudformation: Any, name: str) -> bool:
    try:
        stacks = cloudformation.describe_stacks(StackName=name)["Stacks"]
    except ClientError as error:
        if "does not exist" in str(error):
            return False
        raise
    return bool(stacks) and stacks[0]["StackStatus"] != "DELETE_COMPLETE"


def apply_gateway_settings(apigateway: Any, stage: str, rest_api_id: str) -> None:
    """The gateway responses and throttling of tools/local/gateway.py, on the deployed API."""
    api_stage = json.loads(CONFIG_FILE.read_text())["stages"][stage]["api_gateway_stage"]
    for response_type, response in gateway_responses(stage).items():
        apigateway.put_gateway_response(
            restApiId=rest_api_id,
            responseType=response_type,
            statusCode=response["statusCode"],
            responseParameters=response["responseParameters"],
            responseTemplates=response["responseTemplates"],
        )
    limits = throttling(stage)
    apigateway.create_deployment(restApiId=rest_api_id, stageName=api_stage)
    apigateway.update_stage(
        restApiId=rest_api_id,
        stageName=api_stage,
        patchOperations=[
            {
                "op": "replace",
                "path": "/*/*/throttling/rateLimit",
                "value": str(limits["rateLimit"]),
            },
            {
                "op": "replace",
                "path": "/*/*/throttling/burstLimit",
                "value": str(limits["burstLimit"]),
            },
            # X-Ray traces the functions, not the stage: its segment records the URL, which
            # holds a guest's cart token on UCP's routes (docs/operations.md).
            {"op": "replace", "path": "/tracingEnabled", "value": "false"},
        ],
    )


def set_failure_policy(lambda_client: Any, stage: str, queue_arn: str) -> None:
    """The failure policy of tools/deploy/stream_source.py on the stream consumer's event
    source mapping(s): reported batch failures, retries, bisection, the on-failure queue."""
    function = policies.lambda_name(stage, policies.STREAM_CONSUMER)
    mappings = lambda_client.list_event_source_mappings(FunctionName=function)
    for mapping in mappings["EventSourceMappings"]:
        lambda_client.update_event_source_mapping(
            UUID=mapping["UUID"], **event_source_settings(queue_arn)
        )


def compile_chalicelib(package: Path = PROJECT_DIR / "chalicelib") -> None:
    """Bytecode of every module of `package`, for `chalice deploy` to ship with it.

    Lambda's code directory is read-only: without it, every cold start compiles the app's
    modules (make bench measures both). Checked-hash bytecode holds its source's hash, not
    its time, so it is used whatever times the zip gives the files, and a source edited since
    is compiled again, in Lambda as on this machine. Chalice deploys to the Python that runs
    it, so the bytecode is that Python's too."""
    compileall.compile_dir(
        package,
        quiet=1,
        force=True,
        invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH,
    )


def deployed_rest_api(stage: str) -> str:
    """The REST API's id, from what `chalice deploy` recorded."""
    record = json.loads((PROJECT_DIR / ".chalice" / "deployed" / f"{stage}.json").read_text())
    rest_api = next(r for r in record["resources"] if r.get("resource_type") == "rest_api")
    return str(rest_api["rest_api_id"])


def main() -> None:
    parser = argparse.ArgumentParser(description="Deploy the tables stack, then the app.")
    parser.add_argument("stage", choices=policies.DEPLOYED_STAGES)
    arguments = parser.parse_args()
    refuse_undeployable(arguments.stage)
    cloudformation = boto3.client("cloudformation")
    outputs = deploy_tables(cloudformation, arguments.stage, os.environ.get("ALARM_EMAIL", ""))
    write_table_names(arguments.stage, outputs)
    policies.main()
    compile_chalicelib()
    chalice = Path(sys.executable).parent / "chalice"
    subprocess.run(
        [str(chalice), "deploy", "--stage", arguments.stage], cwd=PROJECT_DIR, check=True
    )
    rest_api_id = deployed_rest_api(arguments.stage)
    apply_gateway_settings(boto3.client("apigateway"), arguments.stage, rest_api_id)
    set_failure_policy(boto3.client("lambda"), arguments.stage, outputs["FailedCartEventsQueueArn"])
    deploy_ops(cloudformation, arguments.stage, outputs["AlarmTopicArn"], rest_api_id)


if __name__ == "__main__":
    main()
