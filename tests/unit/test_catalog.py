from decimal import Decimal
from typing import Any

import pytest

from chalicelib.domain.money import Money
from chalicelib.domain.products import Product
from chalicelib.service.catalog import Catalog
from chalicelib.service.datafiles.catalog import parse_catalog
from tests.fakes import InMemoryProductRepository


def product(pid: str, price: str = "1.00") -> Product:
    return Product(pid, pid, Money(Decimal(price), "USD"))


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_prices_are_served_from_the_cache_until_they_expire() -> None:
    repository = InMemoryProductRepository([product("A", "1.00")])
    clock = FakeClock()
    catalog = Catalog(repository, ttl_seconds=60, clock=clock)
    assert catalog.get_many(["A"])["A"].unit_price.amount == Decimal("1.00")
    repository.products["A"] = product("A", "2.00")
    clock.now += 59
    assert catalog.get_many(["A"])["A"].unit_price.amount == Decimal("1.00")
    assert repository.reads == 1
    clock.now += 2
    assert catalog.get_many(["A"])["A"].unit_price.amount == Decimal("2.00")
    assert repository.reads == 2


def test_absent_products_are_cached_too() -> None:
    repository = InMemoryProductRepository()
    catalog = Catalog(repository, ttl_seconds=60, clock=FakeClock())
    assert catalog.get("NOPE") is None
    assert catalog.get("NOPE") is None
    assert repository.reads == 1


def test_only_missing_products_are_fetched() -> None:
    repository = InMemoryProductRepository([product("A"), product("B")])
    catalog = Catalog(repository, ttl_seconds=60, clock=FakeClock())
    catalog.get("A")
    assert set(catalog.get_many(["A", "B"])) == {"A", "B"}
    assert repository.reads == 2


def test_the_cache_stays_within_its_size() -> None:
    repository = InMemoryProductRepository([product(f"P{i}") for i in range(50)])
    catalog = Catalog(repository, ttl_seconds=60, max_entries=10, clock=FakeClock())
    for index in range(50):
        catalog.get(f"P{index}")
    catalog.get("P49")
    assert repository.reads == 50  # the newest entries are still cached
    catalog.get("P0")
    assert repository.reads == 51  # the oldest made room for newer ones


def entry(**overrides: Any) -> dict[str, Any]:
    return {
        "productId": "SKU-1",
        "name": "Beans",
        "unitPrice": "19.99",
        "currency": "USD",
    } | overrides


def test_a_valid_catalog_parses_to_products() -> None:
    products = parse_catalog([entry(), entry(productId="SKU-2", unitPrice="1200", currency="JPY")])
    assert products[1].unit_price == Money(Decimal("1200"), "JPY")


@pytest.mark.parametrize(
    "bad",
    [
        entry(unitPrice=19.99),
        entry(unitPrice="19.9"),
        entry(unitPrice="-1.00"),
        entry(unitPrice="NaN"),
        entry(unitPrice="abc"),
        entry(currency="XYZ"),
        entry(productId="bad id"),
        entry(name=""),
        entry(extra=1),
        {"productId": "SKU-1", "name": "x", "unitPrice": "1.00"},
    ],
)
def test_a_bad_entry_rejects_the_whole_file(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="entry 1"):
        parse_catalog([entry(productId="OK"), bad])


def test_a_duplicate_product_is_rejected() -> None:
    with pytest.raises(ValueError, match="appears twice"):
        parse_catalog([entry(), entry()])


def test_the_sample_catalog_is_valid_and_as_documented() -> None:
    import json
    from pathlib import Path

    path = Path(__file__).parents[2] / "data" / "catalog.sample.json"
    products = parse_catalog(json.loads(path.read_text()))
    assert len(products) >= 20
    assert any(p.currency == "EUR" for p in products)
    assert any(p.unit_price.amount % 1 for p in products)
