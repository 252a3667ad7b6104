"""The delivery and tax rates files: each checked whole before it loads
(tools/data/load_rates.py), and again when the Rates table's copy is read."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from chalicelib.domain.delivery import (
    COUNTRIES,
    COUNTRY_RULE,
    MAX_DAYS,
    POSTAL_CODE,
    REGION,
    REGION_RULE,
    DeliveryMethod,
    DeliveryRates,
    DeliveryZone,
    postal_key,
)
from chalicelib.domain.identifiers import PRODUCT_ID, PRODUCT_ID_RULE
from chalicelib.domain.money import is_supported_currency
from chalicelib.domain.tax import TAX_CATEGORY, TAX_CATEGORY_RULE, TaxRates, TaxRule
from chalicelib.service.datafiles.values import amount, decimal

MAX_TITLE_LENGTH = 100
DELIVERY = "delivery"
TAX = "tax"
"""The rate tables, by the name each has in the Rates table and on the command line."""


def parse_delivery_rates(document: Any) -> DeliveryRates:
    """Validate a delivery rates file's JSON: {"zones": [...]}, each zone a country or part
    of one with its methods. Raises ValueError naming the first bad entry."""
    _keys(document, {"zones"}, set(), "a delivery rates file")
    zones = document["zones"]
    if not isinstance(zones, list):
        raise ValueError("zones must be an array")
    parsed: list[DeliveryZone] = []
    for index, entry in enumerate(zones):
        zone = _zone(entry, f"zones[{index}]")
        for earlier in parsed:
            if zone.zone_id == earlier.zone_id:
                raise ValueError(f"zones[{index}]: zoneId {zone.zone_id} appears twice")
            if zone[1:4] == earlier[1:4]:
                raise ValueError(f"zones[{index}]: covers what zone {earlier.zone_id} covers")
        parsed.append(zone)
    return DeliveryRates(tuple(parsed))


def _zone(entry: Any, where: str) -> DeliveryZone:
    _keys(entry, {"zoneId", "country", "methods"}, {"regions", "postalCodePrefixes"}, where)
    zone_id, country, methods = entry["zoneId"], entry["country"], entry["methods"]
    _identifier(zone_id, f"{where}.zoneId")
    if country not in COUNTRIES:
        raise ValueError(f"{where}.country {COUNTRY_RULE}")
    regions = _strings(entry.get("regions", []), f"{where}.regions", REGION, REGION_RULE)
    prefixes = _strings(
        entry.get("postalCodePrefixes", []),
        f"{where}.postalCodePrefixes",
        POSTAL_CODE,
        "must be postal-code prefixes",
    )
    if not (isinstance(methods, list) and methods):
        raise ValueError(f"{where}.methods must be a non-empty array")
    parsed = [_method(method, f"{where}.methods[{i}]") for i, method in enumerate(methods)]
    ids = [method.method_id for method in parsed]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{where}.methods: a methodId appears twice")
    return DeliveryZone(
        zone_id,
        country,
        frozenset(regions),
        tuple(postal_key(prefix) for prefix in prefixes),
        tuple(parsed),
    )


def _method(entry: Any, where: str) -> DeliveryMethod:
    _keys(entry, {"methodId", "title", "amounts", "minDays", "maxDays"}, {"freeAbove"}, where)
    _identifier(entry["methodId"], f"{where}.methodId")
    _title(entry["title"], f"{where}.title")
    amounts = _amounts(entry["amounts"], f"{where}.amounts")
    if not amounts:
        raise ValueError(f"{where}.amounts must give an amount in at least one currency")
    free_above = _amounts(entry.get("freeAbove", {}), f"{where}.freeAbove")
    if not set(free_above) <= set(amounts):
        raise ValueError(f"{where}.freeAbove names a currency its amounts do not")
    min_days, max_days = entry["minDays"], entry["maxDays"]
    for name, days in (("minDays", min_days), ("maxDays", max_days)):
        if not (type(days) is int and 0 <= days <= MAX_DAYS):
            raise ValueError(f"{where}.{name} must be an integer from 0 to {MAX_DAYS}")
    if min_days > max_days:
        raise ValueError(f"{where}: minDays must be at most maxDays")
    return DeliveryMethod(
        entry["methodId"], entry["title"], amounts, free_above, min_days, max_days
    )


def parse_tax_rates(document: Any) -> TaxRates:
    """Validate a tax rates file's JSON: {"pricesIncludeTax": [currency], "rules": [...]},
    each rule a country's or region's tax. Raises ValueError naming the first bad entry."""
    _keys(document, {"pricesIncludeTax", "rules"}, set(), "a tax rates file")
    included, rules = document["pricesIncludeTax"], document["rules"]
    if not (
        isinstance(included, list)
        and all(isinstance(c, str) and is_supported_currency(c) for c in included)
    ):
        raise ValueError("pricesIncludeTax must be an array of supported ISO 4217 codes")
    if not isinstance(rules, list):
        raise ValueError("rules must be an array")
    parsed: list[TaxRule] = []
    for index, entry in enumerate(rules):
        rule = _rule(entry, f"rules[{index}]")
        if any(rule[:3] == earlier[:3] for earlier in parsed):
            raise ValueError(f"rules[{index}]: {rule.name} for that place appears twice")
        parsed.append(rule)
    return TaxRates(tuple(parsed), frozenset(included))


def _rule(entry: Any, where: str) -> TaxRule:
    optional = {"region", "categoryRates", "taxesDelivery"}
    _keys(entry, {"country", "name", "rate"}, optional, where)
    country, region = entry["country"], entry.get("region")
    if country not in COUNTRIES:
        raise ValueError(f"{where}.country {COUNTRY_RULE}")
    if region is not None and not (isinstance(region, str) and REGION.fullmatch(region)):
        raise ValueError(f"{where}.region {REGION_RULE}")
    _title(entry["name"], f"{where}.name")
    category_rates = entry.get("categoryRates", {})
    if not isinstance(category_rates, dict):
        raise ValueError(f"{where}.categoryRates must be an object of rates by tax category")
    for category in category_rates:
        if not TAX_CATEGORY.fullmatch(category):
            raise ValueError(f"{where}.categoryRates: a tax category {TAX_CATEGORY_RULE}")
    taxes_delivery = entry.get("taxesDelivery", False)
    if not isinstance(taxes_delivery, bool):
        raise ValueError(f"{where}.taxesDelivery must be true or false")
    return TaxRule(
        country,
        region,
        entry["name"],
        _rate(entry["rate"], f"{where}.rate"),
        {c: _rate(r, f"{where}.categoryRates.{c}") for c, r in category_rates.items()},
        taxes_delivery,
    )


def _rate(text: Any, where: str) -> Decimal:
    rate = decimal(text)
    if rate is None or not 0 <= rate <= 100 or rate != rate.quantize(Decimal("0.001")):
        raise ValueError(f'{where} must be a percentage string like "19" or "7.25" (0 to 100)')
    return rate


def _keys(entry: Any, required: set[str], optional: set[str], where: str) -> None:
    if not isinstance(entry, dict) or not required <= set(entry) <= required | optional:
        allowed = f", and may have {', '.join(sorted(optional))}" if optional else ""
        raise ValueError(f"{where} needs {', '.join(sorted(required))}{allowed}")


def _identifier(value: Any, where: str) -> None:
    if not (isinstance(value, str) and PRODUCT_ID.fullmatch(value)):
        raise ValueError(f"{where} {PRODUCT_ID_RULE}")


def _title(value: Any, where: str) -> None:
    if not (isinstance(value, str) and 0 < len(value.strip()) <= MAX_TITLE_LENGTH):
        raise ValueError(f"{where} must be a non-blank string of at most {MAX_TITLE_LENGTH}")


def _strings(values: Any, where: str, pattern: Any, rule: str) -> list[str]:
    if not (isinstance(values, list) and all(isinstance(v, str) for v in values)) or not all(
        pattern.fullmatch(v) for v in values
    ):
        raise ValueError(f"{where} {rule}")
    if len(set(values)) != len(values):
        raise ValueError(f"{where}: a value appears twice")
    return values


def _amounts(amounts: Any, where: str) -> dict[str, Decimal]:
    if not isinstance(amounts, dict):
        raise ValueError(f'{where} must be an object of amounts by currency ({{"USD": "5.00"}})')
    for currency in amounts:
        if not is_supported_currency(currency):
            raise ValueError(f"{where}: {currency!r} is not a supported ISO 4217 code")
    return {c: amount(text, c, f"{where}.{c}") for c, text in amounts.items()}
