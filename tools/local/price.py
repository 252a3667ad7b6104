"""`make -s price PRODUCT=ESP-1KG PRICE=21.49`: change one product's price in the running
`make run`'s catalog, as the catalog's owner would by loading a new file, to see what a
shopper sees when a price changes under a cart (a PRICE_CHANGED warning, checkout's consent).

`make run` leaves where its DynamoDB is in `.local/dynamodb.json` (LOCAL_DYNAMODB_FILE moves
it, for tests) and serves the API without a price cache, so the change shows at the next
request. Like `make token`, it writes no bytecode, so the running API does not reload.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from chalicelib.dynamodb.products import DynamoProductRepository
from chalicelib.service.datafiles.catalog import parse_catalog
from chalicelib.settings import Settings
from tools.local.stack import LOCAL_STAGE, local_client
from tools.stage import PROJECT_DIR, stage_settings

DYNAMODB_FILE = Path(
    os.environ.get("LOCAL_DYNAMODB_FILE") or PROJECT_DIR / ".local" / "dynamodb.json"
)


def save_local_dynamodb(settings: Settings, endpoint: str, path: Path = DYNAMODB_FILE) -> None:
    """What `make -s price` and `make -s stock` need to reach the running service's tables:
    where its DynamoDB is, and the tables' names."""
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps({"endpoint": endpoint, "tables": settings.table_names}))


def local_settings(path: Path = DYNAMODB_FILE) -> tuple[str, Settings]:
    """The running service's DynamoDB endpoint, and the local stage's settings with its
    tables, as make run saved them."""
    local = json.loads(path.read_text())
    return local["endpoint"], stage_settings(LOCAL_STAGE)._replace(table_names=local["tables"])


def set_price(product_id: str, price: str, path: Path = DYNAMODB_FILE) -> str:
    """The product's new price, stored; what was done, in one line."""
    endpoint, settings = local_settings(path)
    client = local_client("dynamodb", endpoint)
    tables = (settings.products_table, settings.stock_table)
    products = DynamoProductRepository(client, *tables)
    product = products.get_many([product_id]).get(product_id)
    if product is None:
        raise ValueError(f"{product_id} is not in the catalog")
    entry = {
        "productId": product.product_id,
        "name": product.name,
        "unitPrice": price,
        "currency": product.currency,
    }
    # stock_levels None: the product's stock is left as it is (a price is not a stocktake).
    changed = parse_catalog([entry])[0]._replace(max_per_cart=product.max_per_cart)
    products.put_many([changed])
    return f"{product_id}: {product.unit_price.amount} -> {price} {product.currency}"


def main(arguments: list[str]) -> None:
    if len(arguments) != 2 or not all(arguments):
        sys.exit("usage: make -s price PRODUCT=<product id> PRICE=<price, like 21.49>")
    if not DYNAMODB_FILE.exists():
        sys.exit("start `make run` first: the price is changed in its catalog")
    try:
        print(set_price(arguments[0], arguments[1]))
    except ValueError as error:
        sys.exit(f"price not changed: {error}")


if __name__ == "__main__":
    main(sys.argv[1:])
