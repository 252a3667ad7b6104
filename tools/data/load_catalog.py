"""Load a catalog file into a stage's Products table (insert or replace; safe to repeat).

    python -m tools.data.load_catalog [--stage STAGE] [--stocktake] FILE

A product's `stock` counts only when the service does not count its stock yet: loading the
file again never puts back units sold since. With --stocktake, every `stock` in the file is
set as it is (the shop counted its shelves), whatever was sold meanwhile.

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


def load_catalog(client: Any, settings: Settings, path: Path, stocktake: bool = False) -> int:
    """Load the file's products (and with `stocktake`, set their stock as the file has it);
    returns how many."""
    products = parse_catalog(read_json(path))
    catalog = DynamoProductRepository(client, settings.products_table, settings.stock_table)
    catalog.put_many(products)
    if stocktake:
        catalog.set_stock({p.product_id: p.stock_levels for p in products if p.stock_levels})
    return len(products)


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not JSON: {error}") from None


def run_loader(
    description: str,
    load: Callable[..., int],
    noun: str,
    table: str,
    flags: dict[str, str] | None = None,
) -> None:
    """A loader's command line: FILE, --stage and the loader's own `flags` (each passed to
    `load` by name when given); the file loaded whole, or nothing."""
    parser = argparse.ArgumentParser(description=description.split("\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--stage", default="local")
    for flag, help_text in (flags or {}).items():
        parser.add_argument(f"--{flag}", action="store_true", help=help_text)
    arguments = parser.parse_args()
    settings = stage_settings(arguments.stage)
    given = {flag: True for flag in flags or {} if getattr(arguments, flag)}
    try:
        count = load(dynamodb_client(settings), settings, arguments.file, **given)
    except ValueError as error:
        raise SystemExit(f"{noun} not loaded: {error}") from None
    print(f"loaded {count} {noun} into {settings.table_names[table]}")


if __name__ == "__main__":
    stocktake = "set every product's stock as the file has it, whatever was sold meanwhile"
    run_loader(__doc__, load_catalog, "products", PRODUCTS.name, {"stocktake": stocktake})
