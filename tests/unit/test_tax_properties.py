"""Delivery and tax add up for any cart (Hypothesis): random lines, discounts, delivery
amounts and rates (one tax or two stacked, categories at other rates, delivery taxed or not,
prices with tax included or not), in currencies of 0, 2 and 3 minor digits. As the shopper
reads the view: every line's tax is its discounted amount's tax rounded half up to the minor
unit, the lines' and delivery's tax add up to the cart's and so do the tax lines, and the
total is the subtotal less discounts plus delivery, plus tax when prices exclude it."""

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.cart import Cart
from chalicelib.domain.delivery import DeliveryAddress, DeliveryMethod, DeliveryRates, DeliveryZone
from chalicelib.domain.lines import CartLine
from chalicelib.domain.money import MINOR_DIGITS, Money
from chalicelib.domain.pricing import Rates, price_cart
from chalicelib.domain.products import Product
from chalicelib.domain.promotions import AMOUNT_OFF_CART, PERCENT_OFF_CART, Promotion
from chalicelib.domain.tax import TaxRates, TaxRule
from chalicelib.edge.views import cart_view

T0 = datetime(2026, 12, 4, tzinfo=UTC)
PRODUCT_IDS = [f"P{n}" for n in range(6)]
CURRENCIES = ["USD", "JPY", "KWD"]
ADDRESS = DeliveryAddress("DE", "BY", "80331")


@st.composite
def taxed_carts(draw: st.DrawFn) -> tuple[Cart, dict[str, Product], list[Promotion], Rates]:
    currency = draw(st.sampled_from(CURRENCIES))
    digits = MINOR_DIGITS[currency]

    def money(most: int) -> Decimal:
        return Decimal(draw(st.integers(0, most))).scaleb(-digits)

    def percent() -> Decimal:  # common rates (exact halves happen), or any of 0-30.000
        common = st.sampled_from(["0", "5", "7", "10", "12.5", "19", "20", "25"]).map(Decimal)
        return draw(st.one_of(common, st.integers(0, 30_000).map(lambda n: Decimal(n).scaleb(-3))))

    categories = ["food", "books", None]
    catalog = {
        pid: Product(
            pid, pid, Money(money(10**6), currency), tax_category=draw(st.sampled_from(categories))
        )
        for pid in PRODUCT_IDS
    }
    chosen = draw(st.lists(st.sampled_from(PRODUCT_IDS), max_size=6, unique=True))
    cart = Cart("cart", "customer-1", currency, T0, T0, T0, delivery_address=ADDRESS)
    cart.lines = [CartLine(pid, pid, draw(st.integers(1, 50)), T0) for pid in chosen]
    promotions = [
        Promotion(
            "percent", "Percent", PERCENT_OFF_CART, Decimal(draw(st.integers(1, 10000))).scaleb(-2)
        ),
        Promotion("amount", "Amount", AMOUNT_OFF_CART, money(10**5), currency=currency),
    ][: draw(st.integers(0, 2))]
    method = DeliveryMethod(
        "standard",
        "Standard",
        {currency: money(5000)},
        {currency: money(10**6)} if draw(st.booleans()) else {},
        1,
        3,
    )
    rules = [
        TaxRule("DE", None, "VAT", percent(), {"food": percent()}, draw(st.booleans())),
        TaxRule("DE", "BY", "Regional tax", percent(), {"books": percent()}, draw(st.booleans())),
        TaxRule("FR", None, "TVA", percent(), {}, True),  # elsewhere: never applies here
    ][draw(st.sampled_from([0, 1])) : draw(st.sampled_from([1, 2, 3]))]
    included = frozenset([currency]) if draw(st.booleans()) else frozenset()
    rates = Rates(
        DeliveryRates((DeliveryZone("de", "DE", methods=(method,)),)),
        TaxRates(tuple(rules), included),
    )
    return cart, catalog, promotions, rates


def expected_tax(
    base: Decimal, rate: Decimal, rates_in_price: list[Decimal], digits: int
) -> Decimal:
    """Computed apart from the service, in exact fractions: the tax at `rate` on `base`,
    rounded half up (with tax included, the part of `base` that is this tax)."""
    share = Fraction(base) * Fraction(rate) / (100 + sum(Fraction(r) for r in rates_in_price))
    exact = Decimal(share.numerator) / Decimal(share.denominator)
    return exact.quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)


@settings(max_examples=400, deadline=None)
@given(taxed_carts())
def test_the_tax_parts_add_up_to_the_cent_and_the_total_follows(
    example: tuple[Cart, dict[str, Product], list[Promotion], Rates],
) -> None:
    cart, catalog, promotions, rates = example
    view = cart_view(price_cart(cart, catalog, promotions, T0, rates))
    digits = MINOR_DIGITS[cart.currency]
    amounts = [view["subtotalAmount"], view["discountAmount"], view["deliveryAmount"]]
    amounts += [view["taxAmount"], view["totalAmount"]]
    amounts += [line["taxAmount"] for line in view["items"]]
    amounts += [tax["amount"] for tax in view["taxLines"]]
    for amount in amounts:  # every amount exact to the minor unit, none negative
        assert Decimal(amount).as_tuple().exponent == -digits and Decimal(amount) >= 0

    covering = [rule for rule in rates.tax.rules if rule.covers(ADDRESS)]
    included = view["taxIncluded"]
    line_taxes = Decimal(0)
    for line in view["items"]:
        base = Decimal(line["lineTotal"]) - Decimal(line["discountAmount"])
        category = catalog[line["productId"]].tax_category
        line_rates = [rule.rate_for(category) for rule in covering]
        in_price = line_rates if included else []
        expected = sum(expected_tax(base, r, in_price, digits) for r in line_rates)
        assert Decimal(line["taxAmount"]) == expected
        line_taxes += expected
    delivery = Decimal(view["deliveryAmount"])
    delivery_rates = [rule.rate for rule in covering if rule.taxes_delivery]
    in_price = delivery_rates if included else []
    delivery_tax = sum(expected_tax(delivery, r, in_price, digits) for r in delivery_rates)

    tax = Decimal(view["taxAmount"])
    assert tax == line_taxes + delivery_tax
    assert tax == sum(Decimal(line["amount"]) for line in view["taxLines"])
    goods = Decimal(view["subtotalAmount"]) - Decimal(view["discountAmount"])
    assert Decimal(view["totalAmount"]) == goods + delivery + (0 if included else tax)
    if included:  # the tax inside an amount is never more than the amount
        assert tax <= goods + delivery
