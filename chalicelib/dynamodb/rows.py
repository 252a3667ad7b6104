"""Items as DynamoDB stores them, to domain objects and back.

Carts      cartId (pk) | customerId, currency, status, createdAt, updatedAt, version,
                         lineQuantities {productId: quantity}, expiresAt (TTL),
                         checkoutPrices {productId: price}, mergeFrom / mergeInto,
                         a merge target's mergeReceipt, mergeLock + mergeStartedAt (the
                         index of merges in progress), lastChange (checkout, delete),
                         note, attributes {key: value} (the cart's own),
                         lastEvent + lastProductId + mergedFrom + lastRequestId (the
                         change that made this version, for the stream), abandonAt +
                         abandonBucket (the index of carts to check for abandonment),
                         abandonedAt,
                         discountCodes [code], checkoutDiscounts (frozen at checkout),
                         deliveryAddress {country, region, postalCode}, deliveryOptionId,
                         checkoutDelivery, checkoutTax, checkoutTaxIncluded (frozen),
                         stockTaken {productId: units} (by the checkout), holds
                         {productId: {units, until, holder, shard}} + holdsBucket +
                         holdsLapseAt (the index of carts holding units)
CartItems  cartId (pk), productId (sk) | name, quantity, addedAt, attributes {key: value},
                         priceWhenAdded (N, the cart's currency), expiresAt (TTL)
Products   productId (pk) | name, unitPrice (N), currency, maxPerCart (N),
                         taxCategory, holdMinutes (N) (their codec: products.py)
Stock      productId (pk), shard (sk, N) | available (N); shard 0 also shards (N): the
                         product's units to sell (dynamodb/stock.py)
HoldCounts holder (pk) | units (N): what a client address or shopper holds (hold_rows.py)
Promotions promotionId (pk) | title, kind, value, code, ... (see dynamodb/promotions.py)
PromotionUses promotionId (pk), scope (sk: "*" all, "customer#{id}") | uses (N)
Idempotency id (pk) | request, cartId, reply (JSON), expiration (TTL): receipts
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar

from chalicelib.domain.cart import Cart
from chalicelib.domain.clock import format_timestamp, parse_timestamp
from chalicelib.domain.delivery import DeliveryAddress, DeliveryOption
from chalicelib.domain.discounts import Discounts
from chalicelib.domain.lines import CartLine, line_order
from chalicelib.domain.money import Money
from chalicelib.domain.promotions import AppliedDiscount
from chalicelib.domain.receipts import Receipt
from chalicelib.domain.tax import TaxComponent, TaxResult
from chalicelib.dynamodb.hold_rows import holds_from, holds_index, holds_map

Row = dict[str, Any]
T = TypeVar("T")


def cart_key(cart_id: str) -> Row:
    return {"cartId": {"S": cart_id}}


def line_key(cart_id: str, product_id: str) -> Row:
    return {"cartId": {"S": cart_id}, "productId": {"S": product_id}}


def epoch(moment: datetime) -> Row:
    """A TTL attribute: whole seconds since the epoch."""
    return {"N": str(int(moment.timestamp()))}


def from_epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def new_cart_row(cart: Cart, request_id: str | None) -> Row:
    """A new cart's row; a guest's cart has no customerId (and is not in the index)."""
    owner = {"customerId": {"S": cart.customer_id}} if cart.customer_id is not None else {}
    request = {"lastRequestId": {"S": request_id}} if request_id is not None else {}
    return {
        "cartId": {"S": cart.cart_id},
        **owner,
        **request,
        "currency": {"S": cart.currency},
        "status": {"S": cart.status},
        "createdAt": {"S": format_timestamp(cart.created_at)},
        "updatedAt": {"S": format_timestamp(cart.updated_at)},
        "expiresAt": epoch(cart.expires_at),
        "version": {"N": str(cart.version)},
        "lineQuantities": quantities_map(cart.lines),
        **{name: item for name, item in cart_fields(cart).items() if item is not None},
        **{name: item for name, item in holds_index(cart.cart_id, cart.holds).items() if item},
    }


def quantities_map(lines: Iterable[CartLine]) -> Row:
    """The cart row's `lineQuantities`: every line's quantity, by product."""
    return {"M": {line.product_id: {"N": str(line.quantity)} for line in lines}}


def line_quantities(row: Row) -> dict[str, int]:
    return {pid: int(value["N"]) for pid, value in row["lineQuantities"]["M"].items()}


def attributes_map(attributes: dict[str, str]) -> Row:
    return {"M": {key: {"S": value} for key, value in attributes.items()}}


def attributes_from(row: Row) -> dict[str, str]:
    """A line's or a cart's `attributes` (none: empty)."""
    return {key: value["S"] for key, value in row.get("attributes", {}).get("M", {}).items()}


def item_quantities(items: list[Row]) -> dict[str, int]:
    return {item["productId"]["S"]: int(item["quantity"]["N"]) for item in items}


def lines_from_items(items: list[Row]) -> list[CartLine]:
    """Line rows as lines, in the order their product was first added."""
    lines = [
        CartLine(
            product_id=item["productId"]["S"],
            name=item["name"]["S"],
            quantity=int(item["quantity"]["N"]),
            added_at=parse_timestamp(item["addedAt"]["S"]),
            attributes=attributes_from(item),
            price_when_added=(
                Decimal(item["priceWhenAdded"]["N"]) if "priceWhenAdded" in item else None
            ),
            expires_at=from_epoch(int(item["expiresAt"]["N"])),
        )
        for item in items
    ]
    return sorted(lines, key=line_order)


def lines_from_map(row: Row) -> list[CartLine]:
    """The lines as the cart row alone knows them: enough to check the cart's rules."""
    created_at = parse_timestamp(row["createdAt"]["S"])
    return [CartLine(pid, "", qty, created_at) for pid, qty in line_quantities(row).items()]


def cart_from(row: Row, lines: list[CartLine]) -> Cart:
    currency = row["currency"]["S"]
    return Cart(
        cart_id=row["cartId"]["S"],
        customer_id=row.get("customerId", {}).get("S"),
        currency=currency,
        created_at=parse_timestamp(row["createdAt"]["S"]),
        updated_at=parse_timestamp(row["updatedAt"]["S"]),
        expires_at=from_epoch(int(row["expiresAt"]["N"])),
        status=row["status"]["S"],
        version=int(row["version"]["N"]),
        lines=lines,
        merging_from=row.get("mergeFrom", {}).get("S"),
        merging_into=row.get("mergeInto", {}).get("S"),
        merge_receipt=receipt_from(row["mergeReceipt"]["M"]) if "mergeReceipt" in row else None,
        **{field.name: field.read(row.get(field.attribute), currency) for field in CART_FIELDS},
    )


class CartField(NamedTuple):
    """A field of the cart that its row holds as one attribute, absent when the field is
    empty: the one place a field is converted, for a new row, a decided change's update
    (dynamodb/decided.py) and a read. A new field of the cart is a line here."""

    name: str
    """The Cart's field."""
    attribute: str
    """The row's attribute."""
    write: Callable[[Any], Row | None]
    """The field's value as the attribute (None: absent)."""
    read: Callable[[Row | None, str], Any]
    """The attribute (None when absent) and the cart's currency, as the field's value."""


def _present(value: T | None, convert: Callable[[T], Any], absent: Any = None) -> Any:
    """`value` converted, or `absent` when there is none."""
    return absent if value is None else convert(value)


CART_FIELDS = (
    CartField(
        "note",
        "note",
        lambda note: {"S": note} if note else None,
        lambda item, _: _present(item, lambda v: v["S"]),
    ),
    CartField(
        "attributes",
        "attributes",
        lambda attributes: attributes_map(attributes) if attributes else None,
        lambda item, _: attributes_from({"attributes": item} if item is not None else {}),
    ),
    CartField(
        "discount_codes",
        "discountCodes",
        lambda codes: codes_list(codes) if codes else None,
        lambda item, _: _present(item, lambda v: [code["S"] for code in v["L"]], []),
    ),
    CartField(
        "delivery_address",
        "deliveryAddress",
        lambda address: _present(address, address_map),
        lambda item, _: _present(item, lambda v: address_from(v["M"])),
    ),
    CartField(
        "delivery_option_id",
        "deliveryOptionId",
        lambda option: {"S": option} if option is not None else None,
        lambda item, _: _present(item, lambda v: v["S"]),
    ),
    CartField(
        "checkout_prices",
        "checkoutPrices",
        lambda prices: (
            {"M": {pid: {"N": str(m.amount)} for pid, m in prices.items()}} if prices else None
        ),
        lambda item, currency: {
            pid: Money(Decimal(price["N"]), currency)
            for pid, price in (item or {}).get("M", {}).items()
        },
    ),
    CartField(
        "checkout_discounts",
        "checkoutDiscounts",
        lambda discounts: _present(discounts, discounts_map),
        lambda item, currency: _present(item, lambda v: discounts_from(v["M"], currency)),
    ),
    CartField(
        "checkout_delivery",
        "checkoutDelivery",
        lambda option: _present(option, delivery_map),
        lambda item, currency: _present(item, lambda v: delivery_from(v["M"], currency)),
    ),
    CartField(
        "checkout_tax",
        "checkoutTax",
        lambda tax: _present(tax, tax_map),
        lambda item, currency: _present(item, lambda v: tax_from(v["M"], currency)),
    ),
    CartField(
        "checkout_tax_included",
        "checkoutTaxIncluded",
        lambda included: {"BOOL": True} if included else None,
        lambda item, _: bool(item and item["BOOL"]),
    ),
    CartField(
        "holds",
        "holds",
        lambda holds: holds_map(holds) if holds else None,
        lambda item, _: holds_from(item),
    ),
    CartField(
        "stock_taken",
        "stockTaken",
        lambda taken: {"M": {p: {"N": str(n)} for p, n in taken.items()}} if taken else None,
        lambda item, _: {p: int(n["N"]) for p, n in (item or {}).get("M", {}).items()},
    ),
)


def cart_fields(cart: Cart) -> dict[str, Row | None]:
    """The row's attribute of each of the cart's fields (None: absent)."""
    return {field.attribute: field.write(getattr(cart, field.name)) for field in CART_FIELDS}


def address_map(address: DeliveryAddress) -> Row:
    fields = {"country": {"S": address.country}}
    if address.region is not None:
        fields["region"] = {"S": address.region}
    if address.postal_code is not None:
        fields["postalCode"] = {"S": address.postal_code}
    return {"M": fields}


def address_from(fields: Row) -> DeliveryAddress:
    return DeliveryAddress(
        fields["country"]["S"],
        fields.get("region", {}).get("S"),
        fields.get("postalCode", {}).get("S"),
    )


def delivery_map(option: DeliveryOption) -> Row:
    """A delivery option frozen at checkout, its amount a number in the cart's currency."""
    return {
        "M": {
            "optionId": {"S": option.option_id},
            "title": {"S": option.title},
            "amount": {"N": str(option.amount.amount)},
            "minDays": {"N": str(option.min_days)},
            "maxDays": {"N": str(option.max_days)},
        }
    }


def delivery_from(fields: Row, currency: str) -> DeliveryOption:
    return DeliveryOption(
        fields["optionId"]["S"],
        fields["title"]["S"],
        Money(Decimal(fields["amount"]["N"]), currency),
        int(fields["minDays"]["N"]),
        int(fields["maxDays"]["N"]),
    )


def tax_map(tax: TaxResult) -> Row:
    """Tax frozen at checkout: each line's taxes and delivery's, as [name, rate, amount]."""

    def components(taxes: tuple[TaxComponent, ...]) -> Row:
        return {
            "L": [
                {"L": [{"S": c.name}, {"N": str(c.rate)}, {"N": str(c.amount.amount)}]}
                for c in taxes
            ]
        }

    return {
        "M": {
            "lines": {"M": {pid: components(taxes) for pid, taxes in tax.lines.items()}},
            "delivery": components(tax.delivery),
            "estimated": {"BOOL": tax.estimated},
        }
    }


def tax_from(fields: Row, currency: str) -> TaxResult:
    def components(value: Row) -> tuple[TaxComponent, ...]:
        return tuple(
            TaxComponent(
                c["L"][0]["S"], Decimal(c["L"][1]["N"]), Money(Decimal(c["L"][2]["N"]), currency)
            )
            for c in value["L"]
        )

    return TaxResult(
        {pid: components(taxes) for pid, taxes in fields["lines"]["M"].items()},
        components(fields["delivery"]),
        fields["estimated"]["BOOL"],
    )


def codes_list(codes: list[str]) -> Row:
    return {"L": [{"S": code} for code in codes]}


def discounts_map(discounts: Discounts) -> Row:
    """Discounts frozen at checkout, amounts as numbers in the cart's currency."""
    applied = [
        {
            "M": {
                "promotionId": {"S": d.promotion_id},
                "title": {"S": d.title},
                "amount": {"N": str(d.amount.amount)},
                **({"code": {"S": d.code}} if d.code is not None else {}),
            }
        }
        for d in discounts.applied
    ]
    lines = {pid: {"N": str(amount.amount)} for pid, amount in discounts.lines.items()}
    return {
        "M": {
            "subtotal": {"N": str(discounts.subtotal.amount)},
            "lines": {"M": lines},
            "applied": {"L": applied},
            "total": {"N": str(discounts.total.amount)},
        }
    }


def discounts_from(fields: Row, currency: str) -> Discounts:
    def money(value: Row) -> Money:
        return Money(Decimal(value["N"]), currency)

    return Discounts(
        money(fields["subtotal"]),
        {pid: money(amount) for pid, amount in fields["lines"]["M"].items()},
        [
            AppliedDiscount(
                d["M"]["promotionId"]["S"],
                d["M"].get("code", {}).get("S"),
                d["M"]["title"]["S"],
                money(d["M"]["amount"]),
            )
            for d in fields["applied"]["L"]
        ],
        money(fields["total"]),
    )


def receipt_map(receipt: Receipt) -> Row:
    return {
        "M": {
            "key": {"S": receipt.key},
            "request": {"S": receipt.request},
        }
    }


def receipt_from(fields: Row) -> Receipt:
    return Receipt(fields["key"]["S"], fields["request"]["S"])
