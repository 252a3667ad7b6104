"""Who may touch which cart, over HTTP, in shopper mode, with real signed tokens.

Every route, called by every kind of caller: the cart's owner, another shopper, a guest
with its cart's token, a guest with another cart's token, an expired token, a token signed
by a foreign key, and no token. Each call answers the status and code the contract gives,
and a refused call leaves the cart exactly as it was.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import cache, cached_property
from typing import Any

import pytest
import requests

from tests.e2e.conftest import Stack
from tools.local.issuer import LocalIssuer

OWNER = "owner"
ANOTHER_SHOPPER = "another shopper"
GUEST = "guest with its token"
OTHER_GUEST = "guest with another cart's token"
EXPIRED = "expired token"
FOREIGN_KEY = "token from a foreign key"
NO_TOKEN = "no token"
CALLERS = [OWNER, ANOTHER_SHOPPER, GUEST, OTHER_GUEST, EXPIRED, FOREIGN_KEY, NO_TOKEN]


class Scene:
    """Alice's cart (with a line) for everyone but guests; a guest's cart (with a line) for
    guests; and a token per caller. Each cart is made when a test first needs it (a guest's
    token with it), so a test makes only the carts its caller acts on."""

    def __init__(self, stack: Stack) -> None:
        issuer = stack.issuer
        assert issuer is not None
        self.stack = stack
        self.alice = f"alice-{uuid.uuid4().hex[:8]}"
        self.signed: dict[str, str | None] = {
            OWNER: issuer.token(self.alice),
            ANOTHER_SHOPPER: issuer.token(f"mallory-{uuid.uuid4().hex[:8]}"),
            EXPIRED: issuer.token(self.alice, lifetime=-60),
            FOREIGN_KEY: foreign_token(issuer, self.alice),
            NO_TOKEN: None,
        }

    @cached_property
    def alice_cart(self) -> str:
        return new_cart(self.stack, self.signed[OWNER])[0]

    @cached_property
    def guest(self) -> tuple[str, str]:
        """The guest's cart and its token."""
        return new_guest_cart(self.stack)

    @cached_property
    def other_guest(self) -> tuple[str, str]:
        """Another guest's cart and its token."""
        other = new_guest_cart(self.stack)
        assert other[0] != self.guest[0]
        return other

    @property
    def guest_cart(self) -> str:
        return self.guest[0]

    @property
    def guest_token(self) -> str:
        return self.guest[1]

    def token(self, caller: str) -> str | None:
        if caller == GUEST:
            return self.guest_token
        if caller == OTHER_GUEST:
            return self.other_guest[1]
        return self.signed[caller]

    def target(self, caller: str) -> str:
        return self.guest_cart if caller in (GUEST, OTHER_GUEST) else self.alice_cart

    def owner_token(self, caller: str) -> str:
        token = self.guest_token if caller in (GUEST, OTHER_GUEST) else self.signed[OWNER]
        assert token is not None
        return token

    def call(self, caller: str, method: str, path: str, body: Any = None) -> requests.Response:
        return call(self.stack, method, path, body, self.token(caller))

    def state(self, cart: str, token: str) -> Any:
        view = call(self.stack, "GET", f"/carts/{cart}", token=token)
        return view.status_code, view.headers.get("ETag"), view.json().get("items")


def call(
    stack: Stack, method: str, path: str, body: Any = None, token: str | None = None
) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.request(method, stack.base_url + path, json=body, headers=headers, timeout=30)


def new_cart(stack: Stack, token: str | None) -> tuple[str, str | None]:
    created = call(stack, "POST", "/carts", {"currency": "USD"}, token)
    assert created.status_code == 201, created.text
    cart = created.json()["cartId"]
    added = call(
        stack,
        "POST",
        f"/carts/{cart}/items",
        {"productId": "ESP-1KG", "quantity": 1},
        token or created.json()["cartToken"],
    )
    assert added.status_code == 200, added.text
    return cart, created.json().get("cartToken")


def new_guest_cart(stack: Stack) -> tuple[str, str]:
    cart, token = new_cart(stack, None)
    assert token
    return cart, token


@cache
def impostor(issuer_url: str) -> LocalIssuer:
    """A key the issuer never published (one for the run: a key takes 50 ms to make)."""
    return LocalIssuer.new(issuer_url)


def foreign_token(issuer: LocalIssuer, subject: str) -> str:
    """Signed like the issuer's, with its key id, by a key the issuer never published."""
    return LocalIssuer(issuer.url, impostor(issuer.url)._pem, issuer.kid).token(subject)


@pytest.fixture
def scene(warm_shopper_stack: Stack) -> Scene:
    return Scene(warm_shopper_stack)


UNAUTHENTICATED = {EXPIRED: (401, "UNAUTHORIZED"), FOREIGN_KEY: (401, "UNAUTHORIZED")}
NOT_YOURS = {ANOTHER_SHOPPER: (404, "CART_NOT_FOUND"), OTHER_GUEST: (404, "CART_NOT_FOUND")}
ON_A_CART = {**NOT_YOURS, **UNAUTHENTICATED, NO_TOKEN: (401, "UNAUTHORIZED")}


def merge_source(scene: Scene, caller: str) -> dict[str, Any]:
    """A cart the caller may merge in: its own second cart (a guest's, with its token)."""
    if caller in (GUEST, OTHER_GUEST):
        source, token = new_cart(scene.stack, None)
        return {"sourceCartId": source, "sourceCartToken": token}
    owner = scene.token(caller) if caller == ANOTHER_SHOPPER else scene.token(OWNER)
    source, _ = new_cart(scene.stack, owner)
    return {"sourceCartId": source}


Route = Callable[[Scene, str], requests.Response]
ROUTES: dict[str, tuple[Route, tuple[int, str | None]]] = {
    "get_cart": (lambda s, c: s.call(c, "GET", f"/carts/{s.target(c)}"), (200, None)),
    "add_item": (
        lambda s, c: s.call(
            c, "POST", f"/carts/{s.target(c)}/items", {"productId": "MUG-CER", "quantity": 2}
        ),
        (200, None),
    ),
    "update_cart_item": (
        lambda s, c: s.call(c, "PUT", f"/carts/{s.target(c)}/items/ESP-1KG", {"quantity": 5}),
        (200, None),
    ),
    "remove_item": (
        lambda s, c: s.call(c, "DELETE", f"/carts/{s.target(c)}/items/ESP-1KG"),
        (200, None),
    ),
    "delete_cart": (lambda s, c: s.call(c, "DELETE", f"/carts/{s.target(c)}"), (204, None)),
    "merge_carts": (
        lambda s, c: s.call(c, "POST", f"/carts/{s.target(c)}/merge", merge_source(s, c)),
        (200, None),
    ),
    "checkout": (lambda s, c: s.call(c, "POST", f"/carts/{s.target(c)}/checkout"), (200, None)),
    "update_cart": (
        lambda s, c: s.call(c, "PATCH", f"/carts/{s.target(c)}", {"note": "By the door"}),
        (200, None),
    ),
    "change_items": (
        lambda s, c: s.call(
            c,
            "PATCH",
            f"/carts/{s.target(c)}/items",
            {"operations": [{"op": "add", "productId": "MUG-CER", "quantity": 1}]},
        ),
        (200, None),
    ),
    "apply_discount_code": (lambda s, c: enter_welcome(s, c), (200, None)),
    "remove_discount_code": (
        lambda s, c: (
            enter_welcome(s, c),
            s.call(c, "DELETE", f"/carts/{s.target(c)}/discount-codes/WELCOME10"),
        )[1],
        (200, None),
    ),
}


def enter_welcome(scene: Scene, caller: str) -> requests.Response:
    """WELCOME10 entered, as the caller, once the cart reaches its 30.00 minimum (both
    refused alike to a caller who may not change the cart)."""
    cart = scene.target(caller)
    scene.call(caller, "POST", f"/carts/{cart}/items", {"productId": "GEISHA-250G", "quantity": 1})
    return scene.call(caller, "POST", f"/carts/{cart}/discount-codes", {"code": "WELCOME10"})


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("route", list(ROUTES))
def test_cart_routes_answer_each_caller_and_refusals_change_nothing(
    scene: Scene, route: str, caller: str
) -> None:
    send, success = ROUTES[route]
    target = scene.target(caller)
    before = scene.state(target, scene.owner_token(caller))
    response = send(scene, caller)
    status, code = ON_A_CART.get(caller, success)
    assert response.status_code == status, response.text
    if code is None:
        return
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == code
    assert response.headers.get("X-Request-Id")
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert scene.state(target, scene.owner_token(caller)) == before


@pytest.mark.parametrize("caller", CALLERS)
def test_listing_a_customers_carts_is_for_that_customer_only(scene: Scene, caller: str) -> None:
    alices = scene.alice_cart
    response = scene.call(caller, "GET", f"/customers/{scene.alice}/carts")
    expected = {
        OWNER: (200, None),
        ANOTHER_SHOPPER: (403, "FORBIDDEN"),
        GUEST: (403, "FORBIDDEN"),
        OTHER_GUEST: (403, "FORBIDDEN"),
        NO_TOKEN: (401, "UNAUTHORIZED"),
        **UNAUTHENTICATED,
    }[caller]
    assert (response.status_code, response.json().get("code")) == expected
    if caller == OWNER:
        assert [c["cartId"] for c in response.json()["carts"]] == [alices]


@pytest.mark.parametrize("caller", CALLERS)
def test_my_carts_are_the_signed_in_shoppers_own(scene: Scene, caller: str) -> None:
    alices = scene.alice_cart
    response = scene.call(caller, "GET", "/me/carts")
    expected = {
        OWNER: (200, None),
        ANOTHER_SHOPPER: (200, None),
        GUEST: (403, "FORBIDDEN"),
        OTHER_GUEST: (403, "FORBIDDEN"),
        NO_TOKEN: (401, "UNAUTHORIZED"),
        **UNAUTHENTICATED,
    }[caller]
    assert (response.status_code, response.json().get("code")) == expected
    if response.status_code == 200:
        listed = [c["cartId"] for c in response.json()["carts"]]
        assert listed == ([alices] if caller == OWNER else [])


@pytest.mark.parametrize("caller", CALLERS)
def test_creating_a_cart_makes_it_the_callers_own(scene: Scene, caller: str) -> None:
    response = scene.call(caller, "POST", "/carts", {"currency": "USD"})
    if caller in UNAUTHENTICATED:
        assert (response.status_code, response.json()["code"]) == UNAUTHENTICATED[caller]
        return
    assert response.status_code == 201, response.text
    view = response.json()
    if caller in (OWNER, ANOTHER_SHOPPER):
        assert "cartToken" not in view
        assert view["customerId"] == (scene.alice if caller == OWNER else view["customerId"])
        assert view["customerId"] is not None
    else:  # a guest: a new guest cart, reached with its own new token only
        assert view["customerId"] is None
        token = view["cartToken"]
        assert len(token) <= 200 and token != scene.token(caller)
        mine = call(scene.stack, "GET", f"/carts/{view['cartId']}", token=token)
        assert mine.status_code == 200


def test_a_cart_for_someone_else_is_forbidden_with_a_token_or_without(scene: Scene) -> None:
    alices = scene.alice_cart
    mallory = scene.call(ANOTHER_SHOPPER, "POST", "/carts", {"customerId": scene.alice})
    assert (mallory.status_code, mallory.json()["code"]) == (403, "FORBIDDEN")
    anonymous = scene.call(NO_TOKEN, "POST", "/carts", {"customerId": scene.alice})
    assert (anonymous.status_code, anonymous.json()["code"]) == (403, "FORBIDDEN")
    listed = scene.call(OWNER, "GET", "/me/carts").json()["carts"]
    assert [c["cartId"] for c in listed] == [alices]


def test_signing_in_merges_the_guest_cart_with_its_token_only(scene: Scene) -> None:
    stolen = scene.call(
        ANOTHER_SHOPPER,
        "POST",
        f"/carts/{scene.alice_cart}/merge",
        {"sourceCartId": scene.guest_cart},
    )
    assert stolen.status_code == 404
    without_proof = scene.call(
        OWNER, "POST", f"/carts/{scene.alice_cart}/merge", {"sourceCartId": scene.guest_cart}
    )
    assert (without_proof.status_code, without_proof.json()["code"]) == (404, "CART_NOT_FOUND")
    wrong_proof = scene.call(
        OWNER,
        "POST",
        f"/carts/{scene.alice_cart}/merge",
        {"sourceCartId": scene.guest_cart, "sourceCartToken": scene.token(OTHER_GUEST)},
    )
    assert wrong_proof.status_code == 404
    assert scene.state(scene.guest_cart, scene.guest_token)[0] == 200  # nothing moved
    merged = scene.call(
        OWNER,
        "POST",
        f"/carts/{scene.alice_cart}/merge",
        {"sourceCartId": scene.guest_cart, "sourceCartToken": scene.guest_token},
    )
    assert merged.status_code == 200, merged.text
    assert merged.json()["itemCount"] == 2
    assert scene.state(scene.guest_cart, scene.guest_token)[0] == 404


def test_a_tokenless_create_needs_a_secret_idempotency_key(scene: Scene) -> None:
    guessable = requests.post(
        f"{scene.stack.base_url}/carts",
        json={},
        headers={"Idempotency-Key": "order-1"},
        timeout=30,
    )
    assert (guessable.status_code, guessable.json()["code"]) == (400, "VALIDATION_ERROR")
    assert guessable.json()["errors"][0]["field"] == "Idempotency-Key"
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = requests.post(f"{scene.stack.base_url}/carts", json={}, headers=key, timeout=30)
    again = requests.post(f"{scene.stack.base_url}/carts", json={}, headers=key, timeout=30)
    assert first.status_code == again.status_code == 201
    assert again.json()["cartToken"] == first.json()["cartToken"]


def test_the_same_idempotency_key_from_two_shoppers_never_collides(scene: Scene) -> None:
    key = str(uuid.uuid4())
    headers = {"Idempotency-Key": key}
    carts = []
    for caller in (OWNER, ANOTHER_SHOPPER):
        token = scene.token(caller)
        response = requests.post(
            f"{scene.stack.base_url}/carts",
            json={"currency": "USD"},
            headers={**headers, "Authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert response.status_code == 201
        carts.append(response.json())
    assert carts[0]["cartId"] != carts[1]["cartId"]
    assert carts[0]["customerId"] != carts[1]["customerId"]


def test_gateway_answers_are_problems_without_echoing_the_token(scene: Scene) -> None:
    unknown = scene.call(OWNER, "GET", "/nowhere")
    assert unknown.status_code == 404
    assert unknown.headers["Content-Type"] == "application/problem+json"
    assert unknown.headers.get("X-Request-Id")
    token = scene.token(OWNER)
    assert token is not None and token not in unknown.text
    garbage = call(scene.stack, "GET", f"/carts/{scene.alice_cart}", token="not-a-token")
    assert (garbage.status_code, garbage.json()["code"]) == (401, "UNAUTHORIZED")
