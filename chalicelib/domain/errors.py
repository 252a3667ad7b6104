"""The errors a caller of the cart service can get, as domain classes.

They carry what happened in domain words; `edge/problems.py` alone decides which HTTP status and
stable code each one becomes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from chalicelib.domain.delivery import DeliveryAddress


class CartServiceError(Exception):
    """Base of every error that is reported to the caller rather than treated as a bug."""

    field: str | None = None
    """The request field the error is about, when it names one (a batch's operation)."""
    product_id: str | None = None
    """The product of the batch operation refused, when a batch names one."""

    @property
    def detail(self) -> str:
        return str(self)


class InvalidJson(CartServiceError):
    def __init__(self, reason: str) -> None:
        super().__init__(f"the request body is not a JSON object: {reason}")


class FieldError(NamedTuple):
    field: str
    message: str


class InvalidInput(CartServiceError):
    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        fields = ", ".join(error.field for error in errors)
        super().__init__(f"invalid value for {fields}")


class CartNotFound(CartServiceError):
    def __init__(self, cart_id: str) -> None:
        super().__init__(f"cart {cart_id} does not exist")


class ItemNotFound(CartServiceError):
    def __init__(self, cart_id: str, product_id: str) -> None:
        super().__init__(f"cart {cart_id} has no line for product {product_id}")


class ProductNotFound(CartServiceError):
    def __init__(self, product_id: str) -> None:
        super().__init__(f"product {product_id} is not in the catalog")


class CurrencyMismatch(CartServiceError):
    def __init__(self, what: str, its_currency: str, cart_currency: str) -> None:
        super().__init__(f"{what} is priced in {its_currency}, the cart is in {cart_currency}")


class CartNotActive(CartServiceError):
    def __init__(self, cart_id: str, status: str) -> None:
        super().__init__(f"cart {cart_id} is {status}: it can be read but no longer changed")


class InsufficientStock(CartServiceError):
    """Checkout refused: the shop has fewer of these products than the cart holds."""

    def __init__(self, warnings: list[Any]) -> None:
        self.warnings = warnings
        products = ", ".join(warning.product_id for warning in warnings)
        super().__init__(f"not enough in stock of: {products}; lower the quantities")


class StockNotCounted(CartServiceError):
    """An adjustment of a product whose stock is not counted (unlimited): set its stock
    first, with the catalog."""

    def __init__(self, product_id: str) -> None:
        super().__init__(
            f"the stock of {product_id} is not counted: give it a stock in the catalog first"
        )


class PriceChanged(CartServiceError):
    """Checkout refused: prices rose since the shopper added these lines, and the checkout
    did not say it accepts them (acceptPriceChanges)."""

    def __init__(self, warnings: list[Any]) -> None:
        self.warnings = warnings
        products = ", ".join(warning.product_id for warning in warnings)
        super().__init__(
            f"prices rose since these were added: {products}; show the shopper the new"
            " prices, then check out with acceptPriceChanges"
        )


class DiscountCodeInvalid(CartServiceError):
    """A code that cannot be applied: `reason` says why (UNKNOWN, EXPIRED, USED_UP, ...)."""

    field = "code"

    def __init__(self, code: str, reason: str) -> None:
        self.code = code
        self.reason = reason
        super().__init__(f"discount code {code} cannot be applied: {REASONS.get(reason, reason)}")


REASONS = {
    "UNKNOWN": "no promotion has this code",
    "EXPIRED": "its promotion has ended",
    "USED_UP": "it has been used as often as it may be",
    "MIN_SUBTOTAL": "the cart's subtotal is below the promotion's minimum",
    "NOT_APPLICABLE": "the cart holds none of the products it is for",
    "CURRENCY": "it is for carts in another currency",
    "TOO_MANY": "a cart takes at most 5 codes",
    "SIGN_IN_REQUIRED": "it is limited per customer: sign in to use it",
}


class TooManyAttempts(CartServiceError):
    """Too many discount codes refused lately, on this cart or by this caller: guessing
    codes is slowed down (domain/promotions.py, MAX_REFUSED_CODES)."""

    def __init__(self, retry_after_seconds: int) -> None:
        self.retry_after_seconds = retry_after_seconds
        super().__init__(
            "too many discount codes were refused lately; try again in"
            f" {retry_after_seconds} seconds"
        )


class DiscountUsedUpAtCheckout(DiscountCodeInvalid):
    """Checkout refused: a promotion of the cart was used up by other checkouts meanwhile."""

    def __init__(self, code: str) -> None:
        super().__init__(code, "USED_UP")


class DiscountCodeNotFound(CartServiceError):
    def __init__(self, cart_id: str, code: str) -> None:
        super().__init__(f"cart {cart_id} has no discount code {code}")


class ProductsUnavailable(CartServiceError):
    """Checkout refused: these lines' products left the catalog (or changed currency)."""

    def __init__(self, product_ids: list[str]) -> None:
        self.product_ids = product_ids
        super().__init__(
            "these products are no longer available; remove them and check out again: "
            + ", ".join(product_ids)
        )


class Undeliverable(CartServiceError):
    """Checkout refused: nobody delivers to the cart's address (in its currency)."""

    field = "deliveryAddress"

    def __init__(self, address: DeliveryAddress, currency: str) -> None:
        super().__init__(
            f"nobody delivers to {place(address)} in {currency}: give another deliveryAddress,"
            " or remove it"
        )


class DeliveryOptionUnavailable(CartServiceError):
    """A delivery option not offered at the cart's address (or with no address at all)."""

    field = "deliveryOptionId"

    def __init__(self, option_id: str, address: DeliveryAddress | None) -> None:
        where = "without a deliveryAddress" if address is None else f"to {place(address)}"
        super().__init__(f"delivery option {option_id} is not offered {where}")


def place(address: DeliveryAddress) -> str:
    """An address as ISO 3166-2 names the place: US-CA, or DE."""
    return address.country + (f"-{address.region}" if address.region else "")


class CartEmpty(CartServiceError):
    def __init__(self, cart_id: str) -> None:
        super().__init__(f"cart {cart_id} has no lines to check out")


class MergeIntoItself(CartServiceError):
    def __init__(self, cart_id: str) -> None:
        super().__init__(f"cart {cart_id} cannot be merged into itself")


class QuantityLimitExceeded(CartServiceError):
    def __init__(self, product_id: str, limit: int) -> None:
        super().__init__(f"a cart holds at most {limit} of product {product_id}")


class CartTooLarge(CartServiceError):
    """A change that would take the cart's free text past its budget (domain/size.py)."""

    def __init__(self, field: str, size: int, budget: int) -> None:
        self.field = field
        super().__init__(
            f"the cart's note and attributes would take {size} bytes; a cart holds at most"
            f" {budget} bytes of them (UTF-8, as in its JSON)"
        )


class CheckoutTooLarge(CartServiceError):
    """A change that would take or give back stock in more places than one transaction
    holds beside the cart's row, its lines, its receipt and its counters (a checkout holds
    its units in steps first, so only what cannot be held is refused: a batch giving back
    the holds of about 50 lines at once)."""

    def __init__(self, cart_id: str, takes: int, room: int) -> None:
        super().__init__(
            f"changing cart {cart_id} moves stock in {takes} places, and one change moves it"
            f" in at most {room}: change fewer held products at once"
        )


class LineLimitExceeded(CartServiceError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"a cart holds at most {limit} distinct products")


class PreconditionFailed(CartServiceError):
    def __init__(self, cart_id: str, expected: int, actual: int) -> None:
        super().__init__(
            f"cart {cart_id} is at version {actual}, not {expected}: read it again and retry"
        )


class IdempotencyKeyReused(CartServiceError):
    def __init__(self) -> None:
        super().__init__(
            "this Idempotency-Key was used within 24 hours for a different request; "
            "use a new key for a new request"
        )


class RequestAlreadyApplied(CartServiceError):
    """The request's receipt is already stored: its key was used (see StoredReceipt)."""

    def __init__(self) -> None:
        super().__init__("a request with this Idempotency-Key was already applied")


class ChangeApplied(Exception):
    """Not a failure: the change committed, but the cart could not be read back to show it.
    Answered 202; a retry with the Idempotency-Key answers the full view later."""

    def __init__(self, cart_id: str) -> None:
        self.cart_id = cart_id
        super().__init__(f"the change to cart {cart_id} was applied; read the cart to see it")


class CartBeingMerged(CartServiceError):
    """The cart takes part in a merge that is still moving lines: it finishes (or the
    sweeper finishes it) shortly, so the change is worth retrying then."""

    retry_after_seconds = 2

    def __init__(self, cart_id: str) -> None:
        super().__init__(f"cart {cart_id} is being merged; retry shortly")


class Unauthenticated(CartServiceError):
    """The request's token is missing, malformed, expired or not signed by a trusted key."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"a valid bearer token is needed: {reason}")


class Forbidden(CartServiceError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)


class CartLimitExceeded(CartServiceError):
    def __init__(self, limit: int) -> None:
        super().__init__(
            f"a shopper holds at most {limit} active carts: check out or delete one first"
        )


class PayloadTooLarge(CartServiceError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the request body is over {limit // 1024} KiB")


class UnsupportedMediaType(CartServiceError):
    def __init__(self) -> None:
        super().__init__("send the body as JSON with Content-Type: application/json")


class ConcurrentUpdate(CartServiceError):
    def __init__(self, cart_id: str, reason: str = "was changed by concurrent requests") -> None:
        super().__init__(f"cart {cart_id} {reason}; try again")


class StockMoved(ConcurrentUpdate):
    """A shard of a product's stock held fewer units when a change wrote than when it read:
    a checkout took them. Read the levels again and decide again."""

    def __init__(self, subject: str) -> None:
        super().__init__(subject, "took stock that other checkouts took meanwhile")


class HoldCapReached(Exception):
    """A change's holds would pass its holder's cap (a client address's, a shopper's): the
    service decides again holding no more units. Never reported to the caller."""

    def __init__(self, holder: str) -> None:
        super().__init__(f"{holder} holds as many units as it may")


class StorageUnavailable(CartServiceError):
    """The database throttled or could not be reached, even after retrying."""

    def __init__(self, retry_after_seconds: int) -> None:
        self.retry_after_seconds = retry_after_seconds
        super().__init__("the cart store is busy or unreachable; try again shortly")
