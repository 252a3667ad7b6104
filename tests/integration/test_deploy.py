"""`make deploy`'s first steps, on moto: the tables stack and the stage's table names."""

import importlib.util
import io
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tools.deploy.deploy import (
    apply_gateway_settings,
    compile_chalicelib,
    deploy_tables,
    set_failure_policy,
    write_table_names,
)
from tools.deploy.policies import STREAM_CONSUMER, lambda_name
from tools.deploy.stream_source import MAXIMUM_RETRY_ATTEMPTS
from tools.stage import CONFIG_FILE


@pytest.fixture
def cloudformation() -> Any:
    with mock_aws():
        yield boto3.client("cloudformation")


def test_the_tables_stack_creates_the_stages_tables_and_updates_idempotently(
    cloudformation: Any,
) -> None:
    outputs = deploy_tables(cloudformation, "dev")
    assert outputs["CartsTableName"] == "cart-service-dev-Carts"
    tables = boto3.client("dynamodb").list_tables()["TableNames"]
    assert sorted(tables) == [
        "cart-service-dev-CartItems",
        "cart-service-dev-Carts",
        "cart-service-dev-CodeAttempts",
        "cart-service-dev-HoldCounts",
        "cart-service-dev-Idempotency",
        "cart-service-dev-Products",
        "cart-service-dev-PromotionUses",
        "cart-service-dev-Promotions",
        "cart-service-dev-Rates",
        "cart-service-dev-Stock",
    ]
    assert deploy_tables(cloudformation, "dev") == outputs
    buses = boto3.client("events").list_event_buses()["EventBuses"]
    assert "cart-service-dev" in {bus["Name"] for bus in buses}


def test_the_table_names_land_in_the_stages_config(cloudformation: Any, tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    shutil.copy(CONFIG_FILE, config)
    # moto's CloudFormation makes no Secrets Manager secrets, so no output for the key ring.
    secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cart-service-prod-token-keys-Ab"
    outputs = {**deploy_tables(cloudformation, "prod"), "TokenKeysSecretArn": secret}
    write_table_names("prod", outputs, config)
    environment = json.loads(config.read_text())["stages"]["prod"]["environment_variables"]
    assert environment["CARTS_TABLE"] == outputs["CartsTableName"]
    assert environment["CART_ITEMS_TABLE"] == outputs["CartItemsTableName"]
    assert environment["PRODUCTS_TABLE"] == outputs["ProductsTableName"]
    assert environment["IDEMPOTENCY_TABLE"] == outputs["IdempotencyTableName"]
    assert environment["PROMOTIONS_TABLE"] == outputs["PromotionsTableName"]
    assert environment["PROMOTION_USES_TABLE"] == outputs["PromotionUsesTableName"]
    assert environment["CODE_ATTEMPTS_TABLE"] == outputs["CodeAttemptsTableName"]
    assert environment["STOCK_TABLE"] == outputs["StockTableName"]
    assert environment["HOLD_COUNTS_TABLE"] == outputs["HoldCountsTableName"]
    assert environment["TOKEN_SECRET_ARN"] == secret  # where the keys are, not the keys
    # What `chalice deploy` registers the stream consumer with, and where it publishes.
    assert environment["CARTS_STREAM_ARN"] == outputs["CartsTableStreamArn"]
    assert ":table/cart-service-prod-Carts/stream/" in environment["CARTS_STREAM_ARN"]
    assert environment["EVENT_BUS_NAME"] == outputs["CartEventBusName"] == "cart-service-prod"
    assert environment["API_AUTH"] == "iam"  # the rest of the stage is left as it was


def test_the_gateway_responses_and_throttling_are_put_back_after_chalice_deploy() -> None:
    with mock_aws():
        apigateway = boto3.client("apigateway")
        api = apigateway.create_rest_api(name="cart-service")["id"]
        root = apigateway.get_resources(restApiId=api)["items"][0]["id"]
        apigateway.put_method(
            restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE"
        )
        apigateway.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
        apigateway.create_deployment(restApiId=api, stageName="api")
        apply_gateway_settings(apigateway, "dev", api)
        unauthorized = apigateway.get_gateway_response(restApiId=api, responseType="UNAUTHORIZED")
        assert unauthorized["statusCode"] == "401"
        assert "problem+json" in json.dumps(unauthorized["responseParameters"])
        stage = apigateway.get_stage(restApiId=api, stageName="api")
        assert stage["methodSettings"]["*/*"]["throttlingRateLimit"] == 50
        assert stage["tracingEnabled"] is False  # its segment would record a token's URL


def test_the_stream_consumer_gets_its_failure_policy(cloudformation: Any) -> None:
    """Chalice's decorator cannot say so; `make deploy` sets it after `chalice deploy`."""
    outputs = deploy_tables(cloudformation, "dev")
    iam = boto3.client("iam")
    role = iam.create_role(RoleName="consumer", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("app.py", "def publish_cart_events(event, context): pass\n")
    aws_lambda = boto3.client("lambda")
    name = lambda_name("dev", STREAM_CONSUMER)
    aws_lambda.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=role,
        Handler="app.publish_cart_events",
        Code={"ZipFile": code.getvalue()},
    )
    aws_lambda.create_event_source_mapping(
        FunctionName=name,
        EventSourceArn=outputs["CartsTableStreamArn"],
        StartingPosition="TRIM_HORIZON",
    )
    set_failure_policy(aws_lambda, "dev", outputs["FailedCartEventsQueueArn"])
    (mapping,) = aws_lambda.list_event_source_mappings(FunctionName=name)["EventSourceMappings"]
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["MaximumRetryAttempts"] == MAXIMUM_RETRY_ATTEMPTS
    assert mapping["BisectBatchOnFunctionError"] is True
    assert mapping["DestinationConfig"]["OnFailure"]["Destination"].endswith(
        ":cart-service-dev-failed-cart-events"
    )


def test_make_deploy_ships_bytecode_that_holds_whatever_times_the_zip_gives(
    tmp_path: Path,
) -> None:
    """Each module's bytecode carries its source's hash, to be checked on import, not its
    time: Lambda uses it whatever times the zip gave the files, and never for a source
    edited since."""
    package = tmp_path / "chalicelib"
    (package / "domain").mkdir(parents=True)
    sources = [package / "__init__.py", package / "domain" / "__init__.py"]
    sources += [package / "domain" / "money.py"]
    for source in sources:
        source.write_text("ANSWER = 42\n")
    compile_chalicelib(package)
    for source in sources:
        bytecode = Path(importlib.util.cache_from_source(str(source))).read_bytes()
        checked_hash = 0b11  # PEP 552's flags: hash-based, its source checked on import
        assert int.from_bytes(bytecode[4:8], "little") == checked_hash
        assert bytecode[8:16] == importlib.util.source_hash(source.read_bytes())
