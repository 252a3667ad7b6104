"""Stock and maxPerCart, the price each line was added at, the view's warnings and
checkout's consent to a price increase."""

from decimal import Decimal
from typing import Any

import pytest

import app as app_module
from chalicelib import wiring
from chalicelib.domain.money import Money
from chalicelib.domain.products import Product
from chalicelib.dynamodb.products import DynamoProductRepository
from chalicelib.settings import Settings
from tests.integration.clients import Api
from tools.data.load_catalog import load_catalog
from tools.local.stack import SAMPLE_CATALOG


@pytest.fixture
def catalog(dynamodb: Any, settings: Settings) -> DynamoProductRepository:
    return DynamoProductRepository(dynamodb, settings.products_table, settings.stock_table)


def reprice(
    catalog: DynamoProductRepository, product_id: str, price: str, stock: int | None = None
) -> None:
    """The product at a new price, and with `stock` units counted (a stocktake), if given."""
    (product,) = catalog.get_many([product_id]).values()
    catalog.put_many([product._replace(unit_price=Money(Decimal(price), "USD"))])
    if stock is not None:
        catalog.set_stock({product_id: (stock,)})


def add(api: Api, cart: str, product: str, quantity: int) -> Any:
    return api.call("POST", f"/carts/{cart}/items", {"productId": product, "quantity": quantity})


def test_max_per_cart_is_a_quantity_limit_for_adds_sets_and_batches(
    api: Api, catalog: DynamoProductRepository
) -> None:
    catalog.put_many(
        [Product("LIMITED", "Limited edition", Money(Decimal("30.00"), "USD"), max_per_cart=2)]
    )
    cart = api.new_cart()
    refused = add(api, cart, "LIMITED", 3)  # a new line over the limit
    assert (refused.status_code, refused.json["code"]) == (400, "QUANTITY_LIMIT")
    assert add(api, cart, "LIMITED", 2).status_code == 200
    refused = add(api, cart, "LIMITED", 1)
    assert (refused.status_code, refused.json["code"]) == (400, "QUANTITY_LIMIT")
    refused = api.call("PUT", f"/carts/{cart}/items/LIMITED", {"quantity": 3})
    assert (refused.status_code, refused.json["code"]) == (400, "QUANTITY_LIMIT")
    operations = [{"op": "set", "productId": "LIMITED", "quantity": 3}]
    refused = api.call("PATCH", f"/carts/{cart}/items", {"operations": operations})
    assert (refused.status_code, refused.json["code"]) == (400, "QUANTITY_LIMIT")
    assert refused.json["errors"][0]["field"] == "operations[0].quantity"
    assert api.call("GET", f"/carts/{cart}").json["items"][0]["quantity"] == 2


def test_a_cart_is_warned_of_price_changes_unavailable_products_and_short_stock(
    api: Api, catalog: DynamoProductRepository, dynamodb: Any, settings: Settings
) -> None:
    cart = api.new_cart()
    for product in ("ESP-1KG", "FILTER-100", "MUG-CER"):
        add(api, cart, product, 2)
    assert api.call("GET", f"/carts/{cart}").json["warnings"] == []
    reprice(catalog, "ESP-1KG", "21.49")
    reprice(catalog, "MUG-CER", "12.00", stock=1)
    dynamodb.delete_item(TableName=settings.products_table, Key={"productId": {"S": "FILTER-100"}})
    app_module.services.use(wiring.build(settings, dynamodb))  # a container with no prices cached
    view = api.call("GET", f"/carts/{cart}").json
    assert view["warnings"] == [
        {
            "code": "PRICE_CHANGED",
            "productId": "ESP-1KG",
            "previousUnitPrice": "19.99",
            "unitPrice": "21.49",
        },
        {"code": "UNAVAILABLE", "productId": "FILTER-100"},
        {"code": "INSUFFICIENT_STOCK", "productId": "MUG-CER", "available": 1},
    ]
    # Changing the line is the shopper seeing its price: the warning goes.
    api.call("PUT", f"/carts/{cart}/items/ESP-1KG", {"quantity": 3})
    codes = [w["code"] for w in api.call("GET", f"/carts/{cart}").json["warnings"]]
    assert codes == ["UNAVAILABLE", "INSUFFICIENT_STOCK"]


def test_checkout_asks_for_consent_to_a_price_increase_and_refuses_short_stock(
    api: Api, catalog: DynamoProductRepository
) -> None:
    cart = api.new_cart()
    add(api, cart, "ESP-1KG", 2)
    add(api, cart, "MUG-CER", 1)
    reprice(catalog, "ESP-1KG", "21.49")
    reprice(catalog, "MUG-CER", "11.00")  # a decrease needs no consent
    refused = api.call("POST", f"/carts/{cart}/checkout")
    assert (refused.status_code, refused.json["code"]) == (409, "PRICE_CHANGED")
    assert [w["productId"] for w in refused.json["warnings"]] == ["ESP-1KG"]
    assert api.call("GET", f"/carts/{cart}").json["status"] == "ACTIVE"
    reprice(catalog, "ESP-1KG", "21.49", stock=1)
    short = api.call("POST", f"/carts/{cart}/checkout", {"acceptPriceChanges": True})
    assert (short.status_code, short.json["code"]) == (409, "INSUFFICIENT_STOCK")
    assert short.json["warnings"] == [
        {"code": "INSUFFICIENT_STOCK", "productId": "ESP-1KG", "available": 1}
    ]
    reprice(catalog, "ESP-1KG", "21.49", stock=5)
    accepted = api.call("POST", f"/carts/{cart}/checkout", {"acceptPriceChanges": True})
    assert (accepted.status_code, accepted.json["status"]) == (200, "CHECKED_OUT")
    assert accepted.json["totalAmount"] == "53.98"  # 2 x 21.49 + 11.00
    assert accepted.json["warnings"] == []
    # The checkout took its units from the shop's stock, and nothing of an unstocked product.
    assert catalog.get_many(["ESP-1KG"])["ESP-1KG"].stock == 3


def test_checkout_refuses_a_malformed_consent(api: Api) -> None:
    cart = api.new_cart()
    add(api, cart, "ESP-1KG", 1)
    refused = api.call("POST", f"/carts/{cart}/checkout", {"acceptPriceChanges": "yes"})
    assert (refused.status_code, refused.json["errors"][0]["field"]) == (400, "acceptPriceChanges")


def test_the_catalog_file_takes_stock_and_max_per_cart() -> None:
    from chalicelib.service.datafiles.catalog import parse_catalog

    entry = {"productId": "X-1", "name": "X", "unitPrice": "1.00", "currency": "USD"}
    (product,) = parse_catalog([{**entry, "stock": 0, "maxPerCart": 3}])
    assert (product.stock, product.max_per_cart) == (0, 3)
    for bad in ({"stock": -1}, {"maxPerCart": 0}, {"maxPerCart": 1000}, {"stock": "5"}):
        with pytest.raises(ValueError, match=r"stock|maxPerCart"):
            parse_catalog([{**entry, **bad}])


def test_a_merge_holds_max_per_cart_and_moves_nothing_over_it(api: Api) -> None:
    target, source = api.new_cart(), api.new_cart()
    add(api, target, "GEISHA-250G", 1)  # two per cart at most
    add(api, source, "GEISHA-250G", 2)
    add(api, source, "MUG-CER", 1)
    refused = api.call("POST", f"/carts/{target}/merge", {"sourceCartId": source})
    assert (refused.status_code, refused.json["code"]) == (400, "QUANTITY_LIMIT")
    assert "at most 2" in refused.json["detail"]
    lines = {
        cart: [
            (i["productId"], i["quantity"]) for i in api.call("GET", f"/carts/{cart}").json["items"]
        ]
        for cart in (target, source)
    }
    assert lines == {target: [("GEISHA-250G", 1)], source: [("GEISHA-250G", 2), ("MUG-CER", 1)]}


def test_the_catalog_loaded_again_keeps_the_units_sold_and_a_stocktake_resets_them(
    catalog: DynamoProductRepository, dynamodb: Any, settings: Settings
) -> None:
    """GRINDER-HAND has "stock": 3 in the sample catalog."""
    catalog.set_stock({"GRINDER-HAND": (1,)})  # as after two sold
    load_catalog(dynamodb, settings, SAMPLE_CATALOG)
    assert catalog.get_many(["GRINDER-HAND"])["GRINDER-HAND"].stock == 1
    load_catalog(dynamodb, settings, SAMPLE_CATALOG, stocktake=True)
    assert catalog.get_many(["GRINDER-HAND"])["GRINDER-HAND"].stock == 3
