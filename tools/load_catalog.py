"""Load a catalog file into a stage's Products table (insert or replace; safe to repeat).

    python -m tools.load_catalog [--stage STAGE] FILE

Against AWS, the usual credentials and AWS_DEFAULT_REGION apply; against the local server,
`make run` sets AWS_ENDPOINT_URL_DYNAMODB. The file is checked completely before anything
is written: a bad entry loads nothing.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from chalicelib.dynamodb.products import DynamoProductRepository
from chalicelib.service.catalog import parse_catalog
from chalicelib.settings import Settings
from chalicelib.wiring import dynamodb_client
from tools.stage import stage_settings


def load_catalog(client: Any, settings: Settings, path: Path) -> int:
    """Load the file's products; returns how many."""
    try:
        products = parse_catalog(json.loads(path.read_text(encoding="utf-8")))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not JSON: {error}") from None
    DynamoProductRepository(client, settings.products_table).put_many(products)
    return len(products)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--stage", default="local")
    arguments = parser.parse_args()
    settings = stage_settings(arguments.stage)
    try:
        count = load_catalog(dynamodb_client(settings), settings, arguments.file)
    except ValueError as error:
        raise SystemExit(f"catalog not loaded: {error}") from None
    print(f"loaded {count} products into {settings.products_table}")


if __name__ == "__main__":
    main()
