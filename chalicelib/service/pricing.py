"""Carts priced for an answer: the catalog's prices, the promotions and the delivery and tax
rates, each behind its own cache; what is not cached is read while the prices are (or while
a new cart is written), so that a request waits for the slowest of the reads, not their sum.

Tax goes through a calculator: the rate table's by default, or the shop's own tax service
(TaxService in wiring) when one is plugged in. The shop's service gets `tax_timeout` seconds;
when it is slower, fails, or answers something that is no answer to the request, the cart
shows the rate table's estimate with a TAX_ESTIMATED warning: a read never fails for it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import datetime
from typing import NamedTuple, TypeVar

from chalicelib.domain.cart import CHECKED_OUT, Cart
from chalicelib.domain.pricing import PricedCart, Rates, price_cart, price_checked_out
from chalicelib.domain.products import Product
from chalicelib.domain.promotions import Promotion
from chalicelib.domain.tax import TaxCalculator, TaxRequest, TaxResult
from chalicelib.parallel import in_background
from chalicelib.service.catalog import Catalog
from chalicelib.service.promotions import Promotions
from chalicelib.service.rates import RateTables

log = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_TAX_TIMEOUT = 0.3
"""Seconds a shop's tax service has to answer before the rate table's estimate is shown."""


class ShopTerms(NamedTuple):
    """What prices a cart besides the catalog: the promotions and the rates."""

    promotions: list[Promotion]
    rates: Rates


class Pricing:
    def __init__(
        self,
        catalog: Catalog,
        promotions: Promotions,
        rates: RateTables,
        tax_service: TaxCalculator | None = None,
        tax_timeout: float = DEFAULT_TAX_TIMEOUT,
    ) -> None:
        self.catalog = catalog
        self.promotions = promotions
        self.rates = rates
        self._tax_service = tax_service
        self._tax_timeout = tax_timeout

    def price(self, cart: Cart, now: datetime) -> PricedCart:
        """The cart priced now; a checked-out cart at what its checkout froze, reading
        nothing (a checkout's answer is not priced a second time)."""
        if cart.status == CHECKED_OUT:
            return price_checked_out(cart)
        terms = self.terms_soon()
        catalog = self.catalog.get_many([line.product_id for line in cart.lines])
        return self.price_with(cart, catalog, terms(), now)

    def price_with(
        self, cart: Cart, catalog: dict[str, Product], terms: ShopTerms, now: datetime
    ) -> PricedCart:
        tax = self._taxes(terms.rates)
        return price_cart(cart, catalog, terms.promotions, now, terms.rates, tax)

    def terms_soon(self) -> Callable[[], ShopTerms]:
        """The promotions and rates, when called: from their caches, or read from now on in
        the background (the caller does its own I/O meanwhile)."""
        promotions = _soon(self.promotions.cached(), self.promotions.all)
        rates = _soon(self.rates.cached(), self.rates.all)
        return lambda: ShopTerms(promotions(), rates())

    def _taxes(self, rates: Rates) -> TaxCalculator:
        service = self._tax_service
        if service is None:
            return rates.tax.calculate

        def calculate(request: TaxRequest) -> TaxResult:
            try:
                answer = in_background(service, request).result(timeout=self._tax_timeout)
            except FutureTimeout:
                timeout = self._tax_timeout
                log.warning("the tax service took over %ss: the table's estimate shown", timeout)
            except Exception:
                log.exception("the tax service failed: the rate table's estimate is shown")
            else:
                if isinstance(answer, TaxResult) and answer.answers(request):
                    return answer
                log.error("the tax service answered another request: the estimate is shown")
            return rates.tax.calculate(request)._replace(estimated=True)

        return calculate


def _soon(cached: T | None, read: Callable[[], T]) -> Callable[[], T]:
    if cached is not None:
        return lambda: cached
    return in_background(read).result
