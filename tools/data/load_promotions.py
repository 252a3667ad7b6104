"""Load a promotions file into a stage's Promotions table (insert or replace; safe to repeat).

    python -m tools.data.load_promotions [--stage STAGE] FILE

Like the catalog loader: the file is checked completely before anything is written, so a
bad entry loads nothing. Loading never resets a promotion's count of uses (they are kept in
PromotionUses) and never deletes: to end a promotion, give it an `endsAt`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chalicelib.dynamodb.promotions import DynamoPromotionRepository
from chalicelib.dynamodb.tables import PROMOTIONS
from chalicelib.service.datafiles.promotions import parse_promotions
from chalicelib.settings import Settings
from tools.data.load_catalog import read_json, run_loader


def load_promotions(client: Any, settings: Settings, path: Path) -> int:
    """Load the file's promotions; returns how many."""
    promotions = parse_promotions(read_json(path))
    repository = DynamoPromotionRepository(
        client, settings.promotions_table, settings.promotion_uses_table
    )
    repository.put_many(promotions)
    return len(promotions)


if __name__ == "__main__":
    run_loader(__doc__, load_promotions, "promotions", PROMOTIONS.name)
