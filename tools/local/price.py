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
from tools.local.stack import local_client
from tools.stage import PROJECT_DIR

DYNAMODB_FILE = Path(
    os.environ.get("LOCAL_DYNAMODB_FILE") or PROJECT_DIR / ".local" / "dynamodb.json"
)


def save_local_dynamodb(
    endpoint: str, products_table: str, stock_table: str, path: Path = DYNAMODB_FILE
) -> None:
    """What `make -s price` needs to reach the running service's catalog."""
    path.parent.mkdir(exist_ok=True)
    tables = {"productsTable": products_table, "stockTable": stock_table}
    path.write_text(json.dumps({"endpoint": endpoint, **tables}))


def set_price(product_id: str, price: str, path: Path = DYNAMODB_FILE) -> str:
    """The product's new price, stored; what was done, in one line."""
    local = json.loads(path.read_text())
    client = local_client("dynamodb", local["endpoint"])
    products = DynamoProductRepository(client, local["productsTable"], local["stockTable"])
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
