"""Which event a change to a cart row is, from the row as it was and as it is."""

from datetime import UTC, datetime, timedelta

from chalicelib.domain.cart import ACTIVE, CHECKED_OUT, DELETED, MERGING
from chalicelib.domain.events import CartSnapshot, RowChange, event_for
from chalicelib.eventbridge.bus import PUT_EVENTS_LIMIT, EventBridgeBus

T0 = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def row(version: int = 1, **fields: object) -> CartSnapshot:
    base = CartSnapshot(
        cart_id="cart-1",
        customer_id="dana",
        currency="USD",
        status=ACTIVE,
        version=version,
        updated_at=T0 + timedelta(minutes=version),
        expires_at=T0 + timedelta(days=30),
        line_quantities={},
    )
    return base._replace(**fields)  # type: ignore[arg-type]


def kind(before: CartSnapshot | None, after: CartSnapshot | None, expired: bool = False) -> str:
    event = event_for(RowChange("1", before, after, expired))
    return "" if event is None else f"{event.kind} {event.event_id} {event.change}"


def test_the_row_names_its_change_and_the_lines_give_its_quantities() -> None:
    one = row(2, line_quantities={"A": 2}, last_event="ItemAdded", last_product_id="A")
    three = row(3, line_quantities={"A": 3}, last_event="ItemAdded", last_product_id="A")
    assert kind(None, row()) == "CartCreated cart-1:1:CartCreated {}"
    assert kind(one, three) == (
        "ItemAdded cart-1:3:ItemAdded {'productId': 'A', 'quantity': 3, 'previousQuantity': 2}"
    )


def test_a_quantity_set_to_what_it_was_is_still_one_change_of_that_line() -> None:
    before = row(2, line_quantities={"A": 2})
    after = row(3, line_quantities={"A": 2}, last_event="ItemQuantityChanged", last_product_id="A")
    assert "'quantity': 2, 'previousQuantity': 2" in kind(before, after)


def test_a_row_write_that_keeps_the_version_is_no_event() -> None:
    """A merge's lock, the abandonment watch, a receipt kept: not changes to the cart."""
    before = row(2, line_quantities={"A": 1})
    assert kind(before, before._replace(status=MERGING)) == ""
    assert kind(before, before) == ""


def test_an_abandonment_mark_is_an_event_once() -> None:
    watched = row(2, line_quantities={"A": 1})
    marked = watched._replace(abandoned_at=T0 + timedelta(hours=24))
    assert kind(watched, marked).startswith("CartAbandoned cart-1:2:CartAbandoned")
    assert kind(marked, marked._replace(version=2)) == ""  # the same mark, written again


def test_only_an_active_cart_removed_by_ttl_is_expired() -> None:
    active = row(4, line_quantities={"A": 1})
    assert kind(active, None, expired=True).startswith("CartExpired cart-1:4:CartExpired")
    assert kind(active, None) == ""  # a merge's source, removed by the merge
    assert kind(active._replace(status=DELETED), None, expired=True) == ""
    assert kind(active._replace(status=CHECKED_OUT), None, expired=True) == ""


def test_a_change_written_without_its_kind_is_named_from_the_rows() -> None:
    """Rows written by the version before events, while the deployment starts the stream."""
    before = row(2, line_quantities={"A": 1, "B": 1})
    assert kind(before, row(3, line_quantities={"A": 1})).startswith("ItemRemoved")
    assert kind(before, row(3, line_quantities={"A": 1, "B": 4})).startswith("ItemQuantityChanged")
    assert kind(before, row(3, line_quantities={"A": 1, "B": 1, "C": 1})).startswith("ItemAdded")
    assert kind(before, row(3, line_quantities={"A": 2, "B": 2})).startswith("CartMerged")
    assert kind(before, row(3, status=CHECKED_OUT)).startswith("CartCheckedOut")
    assert kind(before, row(3, status=DELETED)).startswith("CartDeleted")


def test_the_largest_put_events_call_fits_eventbridge_with_room_to_spare() -> None:
    """An event carries no free text: its largest is a change of every one of 100 lines of
    999 units with the longest product ids, whatever the cart's note and attributes hold.
    Ten of them (one PutEvents call) stay within half of EventBridge's 256 KB."""
    ids = [f"{index:03d}".ljust(64, "x") for index in range(100)]
    before = row(2, line_quantities=dict.fromkeys(ids, 1), customer_id="c" * 128)
    after = before._replace(
        version=3, line_quantities=dict.fromkeys(ids, 999), last_event="ItemsChanged"
    )
    event = event_for(RowChange("1", before, after))
    assert event is not None and len(event.change["lines"]) == 100
    entry = EventBridgeBus(None, "cart-service-dev")._entry(event)
    size = 14 + len(entry["Source"]) + len(entry["DetailType"]) + len(entry["Detail"].encode())
    assert size * PUT_EVENTS_LIMIT * 2 < 256 * 1024
