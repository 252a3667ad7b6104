"""Where a cart goes and what getting it there costs: the delivery address, the delivery
rates (zones and their methods) and the options they give a cart. Pure Python.

A zone covers a country, or part of one (some regions, or postal codes starting with some
prefixes); an address takes the most specific zone that covers it (a postal-code prefix,
the longest first, before a region, before the whole country; on a tie the first listed),
and that zone's methods are its options. A method is offered to a cart only in a currency
it has an amount for, and costs nothing once what the goods cost (after discounts) reaches
its `freeAbove`. The cheapest option (the first listed on a tie) is the default.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import NamedTuple

from chalicelib.domain.money import Money

_COUNTRY_CODES = """
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN
BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL
GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM
JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME
MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP
NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD
SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
"""
COUNTRIES = frozenset(_COUNTRY_CODES.split())
"""ISO 3166-1 alpha-2: the 249 officially assigned country codes."""
COUNTRY_RULE = "must be an ISO 3166-1 alpha-2 country code in capitals, such as US or DE"
REGION = re.compile(r"[A-Z0-9]{1,3}")
REGION_RULE = "must be an ISO 3166-2 subdivision code without the country, such as CA or BY"
POSTAL_CODE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9 -]{0,14}[A-Za-z0-9])?")
POSTAL_CODE_RULE = "must be 1 to 16 letters, digits, spaces or hyphens"
MAX_DAYS = 365


class DeliveryAddress(NamedTuple):
    """As much of the address as delivery and tax need: never a street or a name."""

    country: str
    region: str | None = None
    postal_code: str | None = None


class DeliveryMethod(NamedTuple):
    method_id: str
    title: str
    amounts: dict[str, Decimal]
    """What it costs, by currency: the carts it is offered to."""
    free_above: dict[str, Decimal]
    """By currency: the goods' amount (after discounts) from which it costs nothing."""
    min_days: int
    max_days: int


class DeliveryZone(NamedTuple):
    zone_id: str
    country: str
    regions: frozenset[str] = frozenset()
    """Empty: every region of the country."""
    postal_code_prefixes: tuple[str, ...] = ()
    """Empty: every postal code (compared in capitals, without spaces)."""
    methods: tuple[DeliveryMethod, ...] = ()

    def specificity(self, address: DeliveryAddress) -> int | None:
        """How closely it covers the address (higher: closer), or None when it does not."""
        if address.country != self.country:
            return None
        if self.regions and address.region not in self.regions:
            return None
        if not self.postal_code_prefixes:
            return 1 if self.regions else 0
        postal = postal_key(address.postal_code or "")
        matched = [len(p) for p in self.postal_code_prefixes if postal.startswith(p)]
        return 2 + max(matched) if matched else None


class DeliveryOption(NamedTuple):
    option_id: str
    title: str
    amount: Money
    min_days: int
    max_days: int


class DeliveryRates(NamedTuple):
    zones: tuple[DeliveryZone, ...] = ()

    def zone_for(self, address: DeliveryAddress) -> DeliveryZone | None:
        best: tuple[int, DeliveryZone] | None = None
        for zone in self.zones:
            score = zone.specificity(address)
            if score is not None and (best is None or score > best[0]):
                best = (score, zone)
        return best[1] if best is not None else None

    def method_ids(self, address: DeliveryAddress, currency: str) -> list[str]:
        """The methods offered at the address to carts in `currency`."""
        zone = self.zone_for(address)
        methods = zone.methods if zone is not None else ()
        return [method.method_id for method in methods if currency in method.amounts]

    def options(self, address: DeliveryAddress, goods: Money) -> list[DeliveryOption]:
        """What delivering goods worth `goods` (after discounts) to the address may cost,
        in the listed order: empty when nobody delivers there in that currency."""
        zone = self.zone_for(address)
        if zone is None:
            return []
        currency = goods.currency
        return [
            DeliveryOption(
                method.method_id,
                method.title,
                Money(_cost(method, goods), currency),
                method.min_days,
                method.max_days,
            )
            for method in zone.methods
            if currency in method.amounts
        ]


def chosen(options: Sequence[DeliveryOption], selected: str | None) -> DeliveryOption | None:
    """The option the cart is delivered by: the one selected if offered, else the cheapest
    (the first listed of equals); None when there is none."""
    picked = next((option for option in options if option.option_id == selected), None)
    if picked is not None or not options:
        return picked
    return min(options, key=lambda option: option.amount.amount)


def _cost(method: DeliveryMethod, goods: Money) -> Decimal:
    threshold = method.free_above.get(goods.currency)
    free = threshold is not None and goods.amount >= threshold
    return Decimal(0) if free else method.amounts[goods.currency]


def postal_key(postal_code: str) -> str:
    """A postal code (or a zone's prefix of one) as they are compared: in capitals, without
    spaces."""
    return postal_code.upper().replace(" ", "")
