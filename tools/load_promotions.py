"""Load a promotions file into a stage's Promotions table (insert or replace; safe to repeat).

    python -m tools.load_promotions [--stage STAGE] FILE

Like the catalog loader: the file is checked completely before anything is written, so a
bad entry loads nothing. Loading never resets a promotion's count of uses (they are kept in
PromotionUses) and never deletes: to end a promotion, give it an `endsAt`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from chalicelib.dynamodb.promotions import DynamoPromotionRepository
from chalicelib.service.promotions import parse_promotions
from chalicelib.settings import Settings
from chalicelib.wiring import dynamodb_client
from tools.stage import stage_settings


def load_promotions(client: Any, settings: Settings, path: Path) -> int:
    """Load the file's promotions; returns how many."""
    try:
        promotions = parse_promotions(json.loads(path.read_text(encoding="utf-8")))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not JSON: {error}") from None
    repository = DynamoPromotionRepository(
        client, settings.promotions_table, settings.promotion_uses_table
    )
    repository.put_many(promotions)
    return len(promotions)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--stage", default="local")
    arguments = parser.parse_args()
    settings = stage_settings(arguments.stage)
    try:
        count = load_promotions(dynamodb_client(settings), settings, arguments.file)
    except ValueError as error:
        raise SystemExit(f"promotions not loaded: {error}") from None
    print(f"loaded {count} promotions into {settings.promotions_table}")


if __name__ == "__main__":
    main()
