"""Load a catalog file into a stage's Products table (insert or replace; safe to repeat).

    python -m tools.data.load_catalog [--stage STAGE] FILE

Against AWS, the usual credentials and AWS_DEFAULT_REGION apply; against the local server,
`make run` sets AWS_ENDPOINT_URL_DYNAMODB. The file is checked completely before anything
is written: a bad entry loads nothing.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from chalicelib.dynamodb.products import DynamoProductRepository
from chalicelib.dynamodb.tables import PRODUCTS
from chalicelib.service.datafiles.catalog import parse_catalog
from chalicelib.settings import Settings
from chalicelib.wiring import dynamodb_client
from tools.stage import stage_settings


def load_catalog(client: Any, settings: Settings, path: Path) -> int:
    """Load the file's products; returns how many."""
    products = parse_catalog(read_json(path))
    DynamoProductRepository(client, settings.products_table).put_many(products)
    return len(products)


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not JSON: {error}") from None


def run_loader(
    description: str, load: Callable[[Any, Settings, Path], int], noun: str, table: str
) -> None:
    """A loader's command line: FILE and --stage; the file loaded whole, or nothing."""
    parser = argparse.ArgumentParser(description=description.split("\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--stage", default="local")
    arguments = parser.parse_args()
    settings = stage_settings(arguments.stage)
    try:
        count = load(dynamodb_client(settings), settings, arguments.file)
    except ValueError as error:
        raise SystemExit(f"{noun} not loaded: {error}") from None
    print(f"loaded {count} {noun} into {settings.table_names[table]}")


if __name__ == "__main__":
    run_loader(__doc__, load_catalog, "products", PRODUCTS.name)
