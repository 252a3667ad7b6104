"""Creates the service's tables from infra/tables.json, the one definition of them.

Used for the local server (and the tests); AWS gets the same definition through
CloudFormation. Only what DynamoDB's CreateTable takes is copied from each resource.
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.dynamodb.tables import TABLES
from chalicelib.settings import Settings
from tools.stage import PROJECT_DIR

TABLES_TEMPLATE = PROJECT_DIR / "infra" / "tables.json"
_CREATE_TABLE_PROPERTIES = (
    "AttributeDefinitions",
    "KeySchema",
    "BillingMode",
    "GlobalSecondaryIndexes",
)


def table_names(settings: Settings) -> dict[str, str]:
    """Logical id in the template -> the table's name for these settings."""
    return {TABLES[name].resource_id: table for name, table in settings.table_names.items()}


def table_resources() -> dict[str, dict[str, Any]]:
    resources = json.loads(TABLES_TEMPLATE.read_text())["Resources"]
    return {
        logical_id: resource["Properties"]
        for logical_id, resource in resources.items()
        if resource["Type"] == "AWS::DynamoDB::Table"
    }


def create_tables(client: Any, settings: Settings) -> None:
    """Create every table that does not exist yet and wait until all are active."""
    existing = set(client.list_tables()["TableNames"])
    names = table_names(settings)
    for logical_id, properties in table_resources().items():
        name = names[logical_id]
        if name in existing:
            continue
        arguments = {key: properties[key] for key in _CREATE_TABLE_PROPERTIES if key in properties}
        if "StreamSpecification" in properties:  # CloudFormation's form lacks StreamEnabled
            arguments["StreamSpecification"] = {
                "StreamEnabled": True,
                **properties["StreamSpecification"],
            }
        client.create_table(TableName=name, **arguments)
        client.get_waiter("table_exists").wait(TableName=name)
        if "TimeToLiveSpecification" in properties:
            client.update_time_to_live(
                TableName=name, TimeToLiveSpecification=properties["TimeToLiveSpecification"]
            )


def create_event_bus(client: Any, name: str) -> None:
    """The stage's bus of cart events (CartEventBus in infra/tables.json), if missing."""
    if not any(bus["Name"] == name for bus in client.list_event_buses()["EventBuses"]):
        client.create_event_bus(Name=name)
