"""Load a delivery or tax rates file into a stage's Rates table (replacing that table whole;
safe to repeat).

    python -m tools.data.load_rates [--stage STAGE] {delivery,tax} FILE

Like the catalog loader: the file is checked completely before it is written, and a reader
sees the file before or the file after, never a mix.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from chalicelib.dynamodb.rates import DynamoRateRepository
from chalicelib.service.datafiles.rates import DELIVERY, TAX, parse_delivery_rates, parse_tax_rates
from chalicelib.settings import Settings
from chalicelib.wiring import dynamodb_client
from tools.data.load_catalog import read_json
from tools.stage import stage_settings

PARSERS = {DELIVERY: parse_delivery_rates, TAX: parse_tax_rates}


def load_rates(client: Any, settings: Settings, name: str, path: Path) -> None:
    document = read_json(path)
    PARSERS[name](document)  # the whole file checked: a bad entry loads nothing
    DynamoRateRepository(client, settings.rates_table).put(name, document)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rates", choices=sorted(PARSERS))
    parser.add_argument("file", type=Path)
    parser.add_argument("--stage", default="local")
    arguments = parser.parse_args()
    settings = stage_settings(arguments.stage)
    try:
        load_rates(dynamodb_client(settings), settings, arguments.rates, arguments.file)
    except ValueError as error:
        raise SystemExit(f"{arguments.rates} rates not loaded: {error}") from None
    print(f"loaded the {arguments.rates} rates into {settings.rates_table}")
