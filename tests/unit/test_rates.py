"""The delivery and tax rates files: the samples the docs rely on, and a broken file refused
whole, naming the entry, before anything loads."""

import copy
import json
from decimal import Decimal
from typing import Any

import pytest

from chalicelib.domain.delivery import DeliveryAddress
from chalicelib.domain.money import Money
from chalicelib.service.datafiles.catalog import parse_catalog
from chalicelib.service.datafiles.rates import parse_delivery_rates, parse_tax_rates
from tools.local.stack import SAMPLE_CATALOG, SAMPLE_DELIVERY, SAMPLE_TAX

DELIVERY = json.loads(SAMPLE_DELIVERY.read_text())
TAX = json.loads(SAMPLE_TAX.read_text())


def options(address: DeliveryAddress, goods: str, currency: str) -> list[tuple[str, str]]:
    rates = parse_delivery_rates(DELIVERY)
    offered = rates.options(address, Money(Decimal(goods), currency))
    return [(option.option_id, option.amount.format()) for option in offered]


def test_the_sample_delivers_to_the_us_and_germany_and_nowhere_else() -> None:
    assert options(DeliveryAddress("US", "NY"), "20.00", "USD") == [
        ("standard", "5.99"),
        ("express", "14.99"),
    ]
    assert options(DeliveryAddress("DE", None, "80331"), "20.00", "EUR") == [
        ("standard", "4.90"),
        ("express", "9.90"),
    ]
    for country in ("FR", "GB", "CA", "JP"):
        assert options(DeliveryAddress(country), "20.00", "EUR") == []
        assert options(DeliveryAddress(country), "20.00", "USD") == []


def test_a_zone_by_postal_code_beats_one_by_region_beats_the_country() -> None:
    assert [o for o, _ in options(DeliveryAddress("DE", "BE", "10 115"), "1.00", "EUR")] == [
        "standard",
        "express",
        "pickup",
    ]
    assert options(DeliveryAddress("US", "HI", "96813"), "1.00", "USD") == [("standard", "12.99")]
    assert options(DeliveryAddress("DE", None, "01067"), "1.00", "EUR")[0] == ("standard", "4.90")


def test_delivery_is_free_from_its_threshold_in_that_currency_only() -> None:
    assert options(DeliveryAddress("DE"), "49.99", "EUR")[0] == ("standard", "4.90")
    assert options(DeliveryAddress("DE"), "50.00", "EUR")[0] == ("standard", "0.00")
    assert options(DeliveryAddress("DE"), "500.00", "USD") == [("standard", "9.90")]


def test_the_sample_taxes_california_and_germany_and_coffee_beans_are_food() -> None:
    rates = parse_tax_rates(TAX)
    assert rates.included_in == {"EUR"}
    german = [r for r in rates.rules if r.covers(DeliveryAddress("DE"))]
    assert [(r.name, r.rate_for(None), r.rate_for("food")) for r in german] == [
        ("VAT", Decimal(19), Decimal(7))
    ]
    assert [r.name for r in rates.rules if r.covers(DeliveryAddress("US", "CA"))] == [
        "California sales tax"
    ]
    assert [r for r in rates.rules if r.covers(DeliveryAddress("US", "NY"))] == []
    beans = {
        p.product_id: p.tax_category for p in parse_catalog(json.loads(SAMPLE_CATALOG.read_text()))
    }
    assert beans["ESP-1KG-EU"] == beans["ESP-1KG"] == "food"
    assert beans["MUG-CER-EU"] is None


def broken(document: Any, path: list[Any], value: Any) -> Any:
    changed = copy.deepcopy(document)
    target = changed
    for step in path[:-1]:
        target = target[step]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return changed


DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (["zones", 0, "country"], "USA", "zones[0].country must be an ISO 3166-1"),
        (["zones", 1, "regions"], ["Alaska"], "zones[1].regions must be an ISO 3166-2"),
        (["zones", 0, "zoneId"], "us-remote", "zoneId us-remote appears twice"),
        (["zones", 3, "postalCodePrefixes"], None, "zones[3].postalCodePrefixes must be"),
        (["zones", 0, "methods"], [], "zones[0].methods must be a non-empty array"),
        (["zones", 0, "methods", 0, "amounts"], {"USD": "5.9"}, "amounts.USD must be a string"),
        (["zones", 0, "methods", 0, "amounts"], {}, "at least one currency"),
        (["zones", 0, "methods", 0, "freeAbove"], {"EUR": "1.00"}, "freeAbove names a currency"),
        (["zones", 0, "methods", 0, "minDays"], 9, "minDays must be at most maxDays"),
        (["zones", 0, "methods", 0, "maxDays"], -1, "maxDays must be an integer from 0"),
        (["zones", 0, "methods", 1, "methodId"], "standard", "a methodId appears twice"),
        (["zones", 0, "methods", 0, "title"], " ", "title must be a non-blank string"),
        (["zones", 0, "methods", 0, "speed"], "fast", "needs amounts, maxDays, methodId"),
        (["zones", 1, "regions"], [], "covers what zone us covers"),
    ],
)
def test_a_broken_delivery_file_is_refused_naming_the_entry(
    path: list[Any], value: Any, message: str
) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_delivery_rates(broken(DELIVERY, path, value))


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (["pricesIncludeTax"], ["EURO"], "pricesIncludeTax must be an array"),
        (["rules", 0, "rate"], "119", "rules[0].rate must be a percentage"),
        (["rules", 0, "rate"], 19, "rules[0].rate must be a percentage"),
        (["rules", 0, "rate"], "7.1234", "rules[0].rate must be a percentage"),
        (["rules", 0, "categoryRates"], {"Food": "7"}, "a tax category must be 1 to 40"),
        (["rules", 1, "region"], "california", "rules[1].region must be an ISO 3166-2"),
        (["rules", 1], TAX["rules"][0], "rules[1]: VAT for that place appears twice"),
        (["rules", 0, "taxesDelivery"], "yes", "taxesDelivery must be true or false"),
        (["rules", 0, "name"], DELETE, "rules[0] needs country, name, rate"),
    ],
)
def test_a_broken_tax_file_is_refused_naming_the_entry(
    path: list[Any], value: Any, message: str
) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_tax_rates(broken(TAX, path, value))


def test_a_catalog_entry_s_tax_category_is_checked() -> None:
    entry = {"productId": "P", "name": "P", "unitPrice": "1.00", "currency": "USD"}
    assert parse_catalog([{**entry, "taxCategory": "food"}])[0].tax_category == "food"
    with pytest.raises(ValueError, match="entry 0: taxCategory must be 1 to 40"):
        parse_catalog([{**entry, "taxCategory": "Food & drink"}])
