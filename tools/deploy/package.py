"""One CloudFormation (SAM) template per stage: the tables, the API and every function.

    python -m tools.deploy.package STAGE OUTDIR     # OUTDIR/sam.json and OUTDIR/deployment.zip

Runs `chalice package --merge-template` with a merge template built from infra/tables.json
(the one definition of the tables) that also wires each function to its tables: the table
names into its environment (`Ref`), and its role's policy onto exactly those table ARNs
(`Fn::GetAtt`) and its own log group; then adds compiled bytecode to the package. Works
offline; deploy the result with `sam deploy` or `aws cloudformation deploy` (see
docs/operations.md).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import py_compile
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from chalicelib.dynamodb.tables import CARTS, TABLES
from tools.deploy.monitoring import sam_resources, tables_stack_template
from tools.deploy.policies import (
    API_HANDLER,
    KEY_READERS,
    STREAM_CONSUMER,
    deployed_functions,
    function_access,
    lambda_name,
    policy,
    statement_id,
)
from tools.deploy.stream_source import FAILED_EVENTS_QUEUE_RESOURCE, event_source_settings
from tools.local.gateway import gateway_responses, throttling
from tools.local.tables import TABLES_TEMPLATE
from tools.stage import PROJECT_DIR, refuse_undeployable

TOKEN_KEYS_RESOURCE = "TokenKeysSecret"
EVENT_BUS_RESOURCE = "CartEventBus"


def function_resource(function: str) -> str:
    """The logical id Chalice gives a function in its SAM template."""
    if function == API_HANDLER:
        return "APIHandler"
    return "".join(part.capitalize() for part in function.split("_"))


def role_resource(function: str) -> str:
    return f"{_chalice_prefix(function)}Role"


def log_group_resource(function: str) -> str:
    return f"{_chalice_prefix(function)}LogGroup"


def _chalice_prefix(function: str) -> str:
    return "ApiHandler" if function == API_HANDLER else function_resource(function)


def merge_template(stage: str) -> dict[str, Any]:
    tables = tables_stack_template(stage, json.loads(TABLES_TEMPLATE.read_text()))
    tables["Parameters"]["Stage"]["Default"] = stage
    resources: dict[str, Any] = {**tables["Resources"], **sam_resources(stage)}
    for function in deployed_functions(stage):
        variables: dict[str, Any] = {
            table.variable: {"Ref": table.resource_id} for table in TABLES.values()
        }
        if function in KEY_READERS:
            variables["TOKEN_SECRET_ARN"] = {"Ref": TOKEN_KEYS_RESOURCE}
        variables["EVENT_BUS_NAME"] = {"Fn::GetAtt": [EVENT_BUS_RESOURCE, "Name"]}
        resources[function_resource(function)] = {
            "Properties": {
                # Chalice's own names, so the policies' log groups are the functions' ones.
                "FunctionName": lambda_name(stage, function),
                "Environment": {"Variables": variables},
                **(_stream_source(function) if function == STREAM_CONSUMER else {}),
            }
        }
        # Named outright: Chalice's own name for the API handler's log group refers to a
        # resource that does not exist (${ApiHandler}, not APIHandler).
        resources[log_group_resource(function)] = {
            "Properties": {"LogGroupName": f"/aws/lambda/{lambda_name(stage, function)}"}
        }
        resources[role_resource(function)] = {
            "Properties": {
                "Policies": [
                    {
                        "PolicyName": f"{role_resource(function)}Policy",
                        "PolicyDocument": _exact(stage, function),
                    }
                ]
            }
        }
    limits = throttling(stage)
    resources["RestAPI"] = {
        "Properties": {
            "DefinitionBody": {"x-amazon-apigateway-gateway-responses": gateway_responses(stage)},
            # X-Ray traces the functions, not the API stage: its segment records the URL,
            # which holds a guest's cart token on UCP's routes (docs/operations.md).
            "TracingEnabled": False,
            "MethodSettings": [
                {
                    "ResourcePath": "/*",
                    "HttpMethod": "*",
                    "ThrottlingRateLimit": limits["rateLimit"],
                    "ThrottlingBurstLimit": limits["burstLimit"],
                }
            ],
        }
    }
    return {
        "Parameters": tables["Parameters"],
        "Conditions": tables["Conditions"],
        "Resources": resources,
        "Outputs": tables["Outputs"],
    }


def _stream_source(function: str) -> dict[str, Any]:
    """The consumer's event source: this template's own Carts stream (app.py registers it
    with a placeholder ARN), with the failure policy of tools/deploy/stream_source.py
    (Chalice's decorator has none of those settings)."""
    queue_arn = {"Fn::GetAtt": [FAILED_EVENTS_QUEUE_RESOURCE, "Arn"]}
    return {
        "Events": {
            f"{function_resource(function)}DynamodbEventSource": {
                "Properties": {
                    "Stream": {"Fn::GetAtt": [CARTS.resource_id, "StreamArn"]},
                    **event_source_settings(queue_arn),
                }
            }
        }
    }


def _exact(stage: str, function: str) -> dict[str, Any]:
    """The stage's policy with `*` region and account replaced by this stack's own."""
    document = policy(stage, function)
    resources = {statement_id(resource): resource for resource in function_access(function)}
    for statement in document["Statement"]:
        if statement["Sid"] in resources:
            table, _, index = resources[statement["Sid"]].partition("/index/")
            arn = {"Fn::GetAtt": [TABLES[table].resource_id, "Arn"]}
            statement["Resource"] = (
                {"Fn::Sub": [f"${{TableArn}}/index/{index}", {"TableArn": arn}]} if index else arn
            )
        elif statement["Sid"] == "TokenKeys":
            statement["Resource"] = {"Ref": TOKEN_KEYS_RESOURCE}
        elif statement["Sid"] == "CartsStream":
            statement["Resource"] = {"Fn::GetAtt": [CARTS.resource_id, "StreamArn"]}
        elif statement["Sid"] == "FailedEventsQueue":
            statement["Resource"] = {"Fn::GetAtt": [FAILED_EVENTS_QUEUE_RESOURCE, "Arn"]}
        elif statement["Sid"] == "EventBus":
            statement["Resource"] = {"Fn::GetAtt": [EVENT_BUS_RESOURCE, "Arn"]}
        elif statement["Sid"] == "OwnLogs":
            statement["Resource"] = {
                "Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}"
                f":log-group:/aws/lambda/{lambda_name(stage, function)}:*"
            }
    return document


def add_bytecode(archive: Path) -> None:
    """Add compiled bytecode for every Python file of the deployment package.

    Lambda's code directory is read-only, so without it every cold start compiles the app,
    Chalice's runtime and the dependencies from source. The bytecode is "unchecked-hash": valid
    whatever the files' times in the zip, and compiled from exactly the sources beside it
    (by this interpreter, whose version Chalice also chose as the function's runtime).
    """
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        with zipfile.ZipFile(archive) as original:
            entries = [e for e in original.infolist() if "__pycache__/" not in e.filename]
            original.extractall(root, members=entries)
        rebuilt = root / "rebuilt.zip"
        with zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_DEFLATED) as out:
            for entry in entries:
                out.write(root / entry.filename, entry.filename)
                if entry.filename.endswith(".py"):
                    source = root / entry.filename
                    compiled = Path(importlib.util.cache_from_source(str(source)))
                    py_compile.compile(
                        str(source),
                        cfile=str(compiled),
                        dfile=entry.filename,
                        doraise=True,
                        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
                    )
                    out.write(compiled, str(compiled.relative_to(root)))
        shutil.move(rebuilt, archive)


def package(stage: str, outdir: Path) -> Path:
    """Write the stage's SAM template and deployment package to `outdir`; the template path."""
    refuse_undeployable(stage)
    with tempfile.TemporaryDirectory() as scratch:
        merge_file = Path(scratch) / "merge.json"
        merge_file.write_text(json.dumps(merge_template(stage), indent=2))
        chalice = Path(sys.executable).parent / "chalice"
        subprocess.run(
            [
                str(chalice),
                "package",
                "--stage",
                stage,
                "--template-format",
                "json",
                "--merge-template",
                str(merge_file),
                str(outdir),
            ],
            cwd=PROJECT_DIR,
            check=True,
            env={"AWS_DEFAULT_REGION": "us-east-1", **os.environ},
        )
    add_bytecode(outdir / "deployment.zip")
    return outdir / "sam.json"


def main() -> None:
    parser = argparse.ArgumentParser(description="Package a stage as one SAM template.")
    parser.add_argument("stage")
    parser.add_argument("outdir", type=Path)
    arguments = parser.parse_args()
    print(f"wrote {package(arguments.stage, arguments.outdir)}")


if __name__ == "__main__":
    main()
