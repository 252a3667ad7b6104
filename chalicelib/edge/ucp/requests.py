"""What an agent sends, checked before anything is read or written: the line items of a
create or an update, the presentment currency, the agent's profile (REST's UCP-Agent
header, MCP's `meta["ucp-agent"]`). A refusal names the field by its JSON path in the UCP
request (`line_items[1].quantity`)."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from chalicelib.domain.commands import ADD, MAX_OPERATIONS, SET, CreateCart, ItemOperation
from chalicelib.domain.delivery import DeliveryAddress
from chalicelib.domain.errors import FieldError
from chalicelib.domain.identifiers import PRODUCT_ID
from chalicelib.domain.money import DEFAULT_CURRENCY, is_supported_currency
from chalicelib.edge import parsing

CART_FIELDS = {"line_items", "context", "signals", "attribution", "buyer"}
"""What a create or an update may carry (UCP's request shape of cart.json). Of `context`,
the currency and the address are kept; the rest of it, `signals`, `attribution` and `buyer`
are accepted and not kept: see docs/agents.md."""
LINE_FIELDS = {"item", "quantity", "id", "parent_id"}
_PROFILE = re.compile(r'^\s*profile\s*=\s*"(https?://[^"\\\s]{1,2000})"\s*(?:[;,].*)?$')


class ProfileInvalid(Exception):
    """UCP's `invalid_profile_url`: the agent named no profile, or not a URL."""


def agent_profile(header: object) -> str:
    """The profile URL of REST's UCP-Agent header (RFC 8941 dictionary: profile="...")."""
    match = _PROFILE.match(header) if isinstance(header, str) else None
    if match is None:
        raise ProfileInvalid('send UCP-Agent: profile="https://your.platform/profile"')
    return match.group(1)


def meta_profile(meta: object) -> str:
    """The profile URL of MCP's `meta["ucp-agent"].profile`."""
    agent = meta.get("ucp-agent") if isinstance(meta, dict) else None
    profile = agent.get("profile") if isinstance(agent, dict) else None
    return agent_profile(f'profile="{profile}"' if isinstance(profile, str) else None)


def create(body: dict[str, Any]) -> CreateCart:
    errors = parsing.unknown_fields(body, CART_FIELDS)
    currency = DEFAULT_CURRENCY
    context = body.get("context")
    if context is not None and not isinstance(context, dict):
        errors.append(FieldError("context", "must be an object"))
    elif context is not None and "currency" in context:
        currency = context["currency"]
        if not (isinstance(currency, str) and is_supported_currency(currency)):
            errors.append(FieldError("context.currency", "must be an ISO 4217 code we sell in"))
    address = _address(context, errors)
    lines = _line_items(body, ADD, errors)
    parsing.raise_if_any(errors)
    return CreateCart(None, currency, tuple(lines), address)


class Update(NamedTuple):
    lines: list[ItemOperation]
    """Every line the cart keeps."""
    address: DeliveryAddress | None
    """The context's address (None: the cart keeps its own)."""


def update(body: dict[str, Any], cart_id: str | None) -> Update:
    """An update's lines and address. REST's body may repeat the cart's `id`, which must be
    the one in the path; MCP's `cart` has none."""
    errors = parsing.unknown_fields(body, CART_FIELDS | {"id"})
    if "id" in body and body["id"] != cart_id:
        errors.append(FieldError("id", "must be the id of the cart being updated"))
    context = body.get("context")
    if context is not None and not isinstance(context, dict):
        errors.append(FieldError("context", "must be an object"))
    address = _address(context, errors)
    lines = _line_items(body, SET, errors)
    parsing.raise_if_any(errors)
    return Update(lines, address)


_CONTEXT_ADDRESS = {
    "address_country": "country",
    "address_region": "region",
    "postal_code": "postalCode",
}


def _address(context: Any, errors: list[FieldError]) -> DeliveryAddress | None:
    """The delivery address of UCP's context hints (address_country, as ISO 3166-1
    alpha-2; address_region; postal_code), if it names a country."""
    if not isinstance(context, dict) or not _CONTEXT_ADDRESS.keys() & context.keys():
        return None
    if "address_country" not in context:
        errors.append(
            FieldError("context.address_country", "is required with a region or postal code")
        )
        return None
    fields = {
        ours: context[theirs] for theirs, ours in _CONTEXT_ADDRESS.items() if theirs in context
    }
    found: list[FieldError] = []
    address = parsing.delivery_address(fields, "context", found)
    theirs = {f"context.{ours}": f"context.{name}" for name, ours in _CONTEXT_ADDRESS.items()}
    errors += [FieldError(theirs.get(e.field, e.field), e.message) for e in found]
    return address


def _line_items(body: dict[str, Any], op: str, errors: list[FieldError]) -> list[ItemOperation]:
    items = body.get("line_items")
    if not isinstance(items, list) or len(items) > MAX_OPERATIONS:
        errors.append(FieldError("line_items", f"must be an array of at most {MAX_OPERATIONS}"))
        return []
    lines, seen = [], set()
    for index, entry in enumerate(items):
        at = f"line_items[{index}]"
        if not isinstance(entry, dict):
            errors.append(FieldError(at, "must be an object"))
            continue
        errors += parsing.unknown_fields(entry, LINE_FIELDS, f"{at}.")
        item = entry.get("item")
        product_id = item.get("id") if isinstance(item, dict) else None
        if not (isinstance(product_id, str) and PRODUCT_ID.fullmatch(product_id)):
            errors.append(FieldError(f"{at}.item.id", "must be a product id of the catalog"))
        elif product_id in seen:
            errors.append(FieldError(f"{at}.item.id", "names a product another line names"))
        quantity = parsing.quantity_field(entry, 1, errors, f"{at}.")
        if isinstance(product_id, str) and quantity:
            seen.add(product_id)
            lines.append(ItemOperation(op, product_id, quantity))
    return lines
