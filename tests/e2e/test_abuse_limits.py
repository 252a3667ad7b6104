"""Limits against abuse, over HTTP: big bodies, bodies without a JSON content type, absurd
query values, floods of unknown fields, a shopper hoarding carts, and a client guessing
discount codes from one address with many carts, or all at once."""

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from tests.e2e.conftest import Stack

JSON = {"Content-Type": "application/json"}


def cart_count(stack: Stack) -> int:
    return int(stack.dynamodb.scan(TableName=stack.settings.carts_table, Select="COUNT")["Count"])


def test_a_body_over_64_kib_is_413_and_nothing_is_created(stack: Stack) -> None:
    before = cart_count(stack)
    padding = "x" * (64 * 1024)
    response = requests.post(
        f"{stack.base_url}/carts",
        data=f'{{"customerId": "c", "note": "{padding}"}}',
        headers=JSON,
        timeout=30,
    )
    assert (response.status_code, response.json()["code"]) == (413, "PAYLOAD_TOO_LARGE")
    assert cart_count(stack) == before


def test_a_body_without_a_content_type_is_415(stack: Stack) -> None:
    # What a browser may send without a CORS preflight: a body with no JSON content type.
    response = requests.post(f"{stack.base_url}/carts", data=b'{"customerId": "c"}', timeout=30)
    assert "Content-Type" not in response.request.headers
    assert (response.status_code, response.json()["code"]) == (415, "UNSUPPORTED_MEDIA_TYPE")


def test_a_limit_of_five_thousand_digits_is_a_validation_error(stack: Stack) -> None:
    response = requests.get(
        f"{stack.base_url}/customers/c/carts", params={"limit": "9" * 5000}, timeout=30
    )
    assert (response.status_code, response.json()["code"]) == (400, "VALIDATION_ERROR")
    assert response.json()["errors"][0]["field"] == "limit"


def unknown_fields(count: int) -> str:
    fields = ", ".join(f'"f{n}": 0' for n in range(count))
    return f'{{"customerId": "c", {fields}}}'


def test_floods_of_unknown_fields_get_a_small_answer(stack: Stack) -> None:
    url = f"{stack.base_url}/carts"
    ten_thousand = requests.post(url, data=unknown_fields(10000), headers=JSON, timeout=30)
    assert (ten_thousand.status_code, ten_thousand.json()["code"]) == (413, "PAYLOAD_TOO_LARGE")
    assert len(ten_thousand.content) <= 4096
    body = unknown_fields(5000)  # about as many as fit in 64 KiB
    assert len(body) < 64 * 1024
    refused = requests.post(url, data=body, headers=JSON, timeout=30)
    assert (refused.status_code, refused.json()["code"]) == (400, "VALIDATION_ERROR")
    assert len(refused.content) <= 4096
    assert len(refused.json()["errors"]) == 10


def test_a_shopper_holds_at_most_twenty_active_carts(warm_shopper_stack: Stack) -> None:
    assert warm_shopper_stack.issuer is not None
    token = warm_shopper_stack.issuer.token(f"hoarder-{uuid.uuid4().hex[:8]}")
    headers = {**JSON, "Authorization": f"Bearer {token}"}
    url = f"{warm_shopper_stack.base_url}/carts"
    carts = [requests.post(url, json={}, headers=headers, timeout=30) for _ in range(20)]
    assert [response.status_code for response in carts] == [201] * 20
    refused = requests.post(url, json={}, headers=headers, timeout=30)
    assert (refused.status_code, refused.json()["code"]) == (409, "CART_LIMIT")
    checked_out = carts[0].json()["cartId"]
    requests.post(
        f"{url}/{checked_out}/items",
        json={"productId": "MUG-CER", "quantity": 1},
        headers=headers,
        timeout=30,
    ).raise_for_status()
    requests.post(f"{url}/{checked_out}/checkout", headers=headers, timeout=30).raise_for_status()
    assert requests.post(url, json={}, headers=headers, timeout=30).status_code == 201


class FromAddress(HTTPAdapter):
    """Connections from one loopback address: a client the service tells apart by its
    address (API Gateway's sourceIp; chalice local's connection peer)."""

    def __init__(self, address: str) -> None:
        self._address = address
        super().__init__(pool_maxsize=20)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self._address, 0)
        super().init_poolmanager(*args, **kwargs)


def client_at(address: str) -> requests.Session:
    session = requests.Session()
    session.mount("http://", FromAddress(address))
    return session


def guest_cart(stack: Stack, client: requests.Session) -> tuple[str, dict[str, str]]:
    """A new guest cart, and the headers its guest sends (its cart token)."""
    created = client.post(f"{stack.base_url}/carts", json={}, timeout=30).json()
    return created["cartId"], {**JSON, "Authorization": f"Bearer {created['cartToken']}"}


def enter(
    stack: Stack, client: requests.Session, cart: tuple[str, dict[str, str]], code: str
) -> int:
    cart_id, headers = cart
    url = f"{stack.base_url}/carts/{cart_id}/discount-codes"
    return client.post(url, json={"code": code}, headers=headers, timeout=30).status_code


def test_one_client_gets_fifty_wrong_codes_checked_an_hour_however_many_carts_it_makes(
    warm_shopper_stack: Stack,
) -> None:
    guesser = client_at("127.0.0.5")
    statuses = []
    for _ in range(6):  # a fresh guest cart, and its token, each time
        cart = guest_cart(warm_shopper_stack, guesser)
        statuses += [enter(warm_shopper_stack, guesser, cart, f"GUESS{n}") for n in range(10)]
    assert (statuses.count(400), statuses.count(429)) == (50, 10)
    # Cut off for the hour, even with a good code on a new cart; another address is not.
    cart = guest_cart(warm_shopper_stack, guesser)
    adds: dict[str, Any] = {"productId": "ESP-1KG", "quantity": 2}
    guesser.post(f"{warm_shopper_stack.base_url}/carts/{cart[0]}/items", json=adds, headers=cart[1])
    assert enter(warm_shopper_stack, guesser, cart, "WELCOME10") == 429
    neighbour = client_at("127.0.0.6")
    theirs = guest_cart(warm_shopper_stack, neighbour)
    neighbour.post(
        f"{warm_shopper_stack.base_url}/carts/{theirs[0]}/items", json=adds, headers=theirs[1]
    )
    assert enter(warm_shopper_stack, neighbour, theirs, "WELCOME10") == 200


def test_twenty_wrong_codes_sent_at_once_check_ten(warm_shopper_stack: Stack) -> None:
    client = client_at("127.0.0.7")
    cart = guest_cart(warm_shopper_stack, client)
    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(
            pool.map(lambda n: enter(warm_shopper_stack, client, cart, f"GUESS{n}"), range(20))
        )
    assert (statuses.count(400), statuses.count(429)) == (10, 10)
