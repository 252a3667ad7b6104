"""`make deploy`'s first steps, on moto: the tables stack and the stage's table names."""

import json
import shutil
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tools.deploy import deploy_tables, write_table_names
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
        "cart-service-dev-Idempotency",
        "cart-service-dev-Products",
    ]
    assert deploy_tables(cloudformation, "dev") == outputs


def test_the_table_names_land_in_the_stages_config(cloudformation: Any, tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    shutil.copy(CONFIG_FILE, config)
    outputs = deploy_tables(cloudformation, "prod")
    write_table_names("prod", outputs, config)
    environment = json.loads(config.read_text())["stages"]["prod"]["environment_variables"]
    assert environment["CARTS_TABLE"] == outputs["CartsTableName"]
    assert environment["CART_ITEMS_TABLE"] == outputs["CartItemsTableName"]
    assert environment["PRODUCTS_TABLE"] == outputs["ProductsTableName"]
    assert environment["IDEMPOTENCY_TABLE"] == outputs["IdempotencyTableName"]
    assert environment["API_AUTH"] == "iam"  # the rest of the stage is left as it was
