"""The demo storefront in a real browser (Debian's Chromium, driven by Playwright), calling
the API from another origin: CORS, preflight, headers and error bodies working together."""

import os
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, sync_playwright

from chalicelib.domain.money import Money
from chalicelib.dynamodb.products import DynamoProductRepository
from tests.e2e.conftest import Stack
from tools.local.stack import free_port
from tools.local.storefront import DEMO_SHOPPER, storefront_server
from tools.stage import PROJECT_DIR

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = PROJECT_DIR / "tests" / "artifacts"
CART_KEY = "demo-shop-cart"
TOKEN_PREFIX = "cart-token:"
"""Where the client's LocalStorageTokenStore keeps a cart's token."""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def shop(shopper_stack: Stack) -> Iterator[str]:
    with storefront_server(shopper_stack.base_url, issuer=shopper_stack.issuer) as url:
        yield url


def kept_guest_cart(page: Page) -> tuple[str, str]:
    """The guest cart the page keeps: its id, and the cart token the client keeps for it."""
    cart_id = page.evaluate(f"localStorage.getItem('{CART_KEY}')")
    return cart_id, page.evaluate(f"localStorage.getItem('{TOKEN_PREFIX}{cart_id}')")


def guest_cart(page: Page, stack: Stack) -> Any:
    """The cart the page keeps, as the API stores it."""
    cart_id, token = kept_guest_cart(page)
    return requests.get(
        f"{stack.base_url}/carts/{cart_id}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).json()


def watched_page(browser: Browser, problems: list[str]) -> Page:
    page = browser.new_page()
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("requestfailed", lambda request: problems.append(f"{request.url}: {request.failure}"))
    return page


def shown_cart(page: Page) -> list[Any]:
    return page.eval_on_selector_all(  # type: ignore[no-any-return]
        "#lines .line",
        "lines => lines.map(l => [l.dataset.product, Number(l.dataset.quantity),"
        " l.querySelector('.line-total').textContent])",
    )


def test_a_shopper_fills_a_cart_across_origins(
    shopper_stack: Stack, browser: Browser, shop: str
) -> None:
    problems: list[str] = []
    page = watched_page(browser, problems)
    page.goto(shop)
    page.wait_for_selector("body[data-ready=true]")

    page.get_by_role("button", name="Add Espresso beans 1kg to cart").click()
    page.wait_for_selector('#lines [data-product="ESP-1KG"]')
    page.get_by_role("button", name="Add Paper filters, pack of 100 to cart").click()
    page.wait_for_selector('#lines [data-product="FILTER-100"]')
    page.get_by_role("button", name="One more Espresso beans 1kg").click()
    page.wait_for_selector('#lines [data-product="ESP-1KG"][data-quantity="2"]')
    page.get_by_role("button", name="Remove Paper filters, pack of 100").click()
    page.wait_for_selector('#lines [data-product="FILTER-100"]', state="detached")

    page.reload()
    page.wait_for_selector('body[data-ready=true] #lines [data-product="ESP-1KG"]')
    stored = guest_cart(page, shopper_stack)
    assert (
        shown_cart(page)
        == [
            [item["productId"], item["quantity"], f"{item['lineTotal']} {stored['currency']}"]
            for item in stored["items"]
        ]
        == [["ESP-1KG", 2, "39.98 USD"]]
    )
    assert page.text_content("#total") == f"{stored['totalAmount']} USD"
    assert problems == []


def test_a_limited_lot_shows_its_hold_counting_down(
    shopper_stack: Stack, browser: Browser, shop: str
) -> None:
    """GEISHA-250G asks for holds of 15 minutes: its line shows the time left, ticking."""
    problems: list[str] = []
    page = watched_page(browser, problems)
    page.goto(shop)
    page.wait_for_selector("body[data-ready=true]")
    page.get_by_role("button", name="Add Geisha beans 250g, limited lot to cart").click()
    held = page.wait_for_selector('#lines [data-product="GEISHA-250G"] .held')
    assert held is not None
    first = held.text_content() or ""
    assert first.startswith(("Held for you 15:00", "Held for you 14:5")), first
    page.wait_for_function(
        f"document.querySelector('#lines .held').textContent !== {first!r}", timeout=5000
    )
    stored = guest_cart(page, shopper_stack)
    assert stored["items"][0]["heldUntil"] == held.get_attribute("data-until")
    assert problems == []


def test_a_bundle_in_one_request_a_gift_wrapped_line_and_a_note(
    shopper_stack: Stack, browser: Browser, shop: str
) -> None:
    problems: list[str] = []
    page = watched_page(browser, problems)
    page.goto(shop)
    page.wait_for_selector("body[data-ready=true]")

    page.get_by_role("button", name="Buy the brew kit").click()
    page.wait_for_selector('#lines [data-product="MUG-CER"]')
    stored = guest_cart(page, shopper_stack)
    assert [item["productId"] for item in stored["items"]] == ["ESP-1KG", "FILTER-100", "MUG-CER"]
    cart_id, token = kept_guest_cart(page)
    version = requests.get(
        f"{shopper_stack.base_url}/carts/{cart_id}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).headers["ETag"]
    assert version == '"2"'  # created, then the three products in one change

    page.locator('#lines [data-product="MUG-CER"] input[type=checkbox]').check()
    page.wait_for_selector("body:not([data-busy])")
    assert guest_cart(page, shopper_stack)["items"][2]["attributes"] == {"giftWrap": "yes"}
    page.fill("#note", "Ring twice, please")
    page.get_by_role("button", name="Save note").click()
    page.wait_for_selector("body:not([data-busy])")
    assert guest_cart(page, shopper_stack)["note"] == "Ring twice, please"
    page.reload()
    page.wait_for_selector("body[data-ready=true] #lines .line")
    assert page.input_value("#note") == "Ring twice, please"
    assert page.locator('#lines [data-product="MUG-CER"] input[type=checkbox]').is_checked()
    assert problems == []


def test_a_price_changed_in_the_catalog_while_the_page_is_open_is_shown_old_and_new(
    shopper_stack: Stack, browser: Browser, shop: str
) -> None:
    problems: list[str] = []
    page = watched_page(browser, problems)
    page.goto(shop)
    page.wait_for_selector("body[data-ready=true]")
    page.get_by_role("button", name="Add Espresso beans 1kg to cart").click()
    page.wait_for_selector('#lines [data-product="ESP-1KG"]')
    assert page.locator("#warnings .warning").count() == 0
    settings = shopper_stack.settings
    products = DynamoProductRepository(
        shopper_stack.dynamodb, settings.products_table, settings.stock_table
    )
    (beans,) = products.get_many(["ESP-1KG"]).values()
    try:
        products.put_many([beans._replace(unit_price=Money(Decimal("21.49"), "USD"))])
        page.reload()
        warning = page.wait_for_selector('#warnings [data-code="PRICE_CHANGED"]')
        assert warning is not None
        text = warning.text_content() or ""
        assert "19.99" in text and "21.49" in text
        assert page.text_content("#total") == "21.49 USD"
    finally:
        products.put_many([beans])
    assert problems == []


def test_a_discount_code_its_savings_and_the_spend_more_hint(
    shopper_stack: Stack, browser: Browser, shop: str
) -> None:
    problems: list[str] = []
    page = watched_page(browser, problems)
    page.goto(shop)
    page.wait_for_selector("body[data-ready=true]")
    page.get_by_role("button", name="Add Espresso beans 1kg to cart").click()
    page.wait_for_selector('#lines [data-product="ESP-1KG"]')
    hint = page.text_content("#approaching") or ""
    assert "Spend 80.01 USD more" in hint and "5.00 off" in hint

    page.fill("#code", "welcome10")  # 19.99 is under its minimum of 30.00
    page.get_by_role("button", name="Apply code").click()
    page.wait_for_selector("#message[data-reason=MIN_SUBTOTAL]")
    assert "minimum" in (page.text_content("#message") or "")

    page.get_by_role("button", name="One more Espresso beans 1kg").click()
    page.wait_for_selector('#lines [data-product="ESP-1KG"][data-quantity="2"]')
    page.fill("#code", "welcome10")
    page.get_by_role("button", name="Apply code").click()
    page.wait_for_selector('#discounts [data-promotion="welcome-10"]')
    stored = guest_cart(page, shopper_stack)
    assert (stored["discountAmount"], stored["totalAmount"]) == ("4.00", "35.98")
    assert page.text_content("#subtotal") == "39.98 USD"
    assert "\u22124.00 USD" in (page.text_content("#discounts") or "")  # a minus sign
    assert page.text_content("#total") == "35.98 USD"
    assert page.locator('#codes [data-code="WELCOME10"]').count() == 1

    page.get_by_role("button", name="Remove code WELCOME10").click()
    page.wait_for_selector("body:not([data-busy])")
    assert page.locator("#discounts .discount").count() == 0
    assert page.text_content("#total") == "39.98 USD"
    assert guest_cart(page, shopper_stack)["discountCodes"] == []
    # the refused code is an answer, not a failure: the browser logs its 400, nothing else
    assert problems == [
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]


def shown_delivery(page: Page) -> list[Any]:
    return page.eval_on_selector_all(  # type: ignore[no-any-return]
        "#delivery-options .delivery-option",
        "options => options.map(o => [o.dataset.option, o.querySelector('.amount').textContent,"
        " o.querySelector('input').checked])",
    )


def shown_taxes(page: Page) -> list[Any]:
    return page.eval_on_selector_all(  # type: ignore[no-any-return]
        "#tax-lines .tax-line", "lines => lines.map(l => l.textContent)"
    )


def deliver_to(page: Page, country: str, region: str, postal_code: str) -> None:
    page.select_option("#country", country)
    page.fill("#region", region)
    page.fill("#postal-code", postal_code)
    page.get_by_role("button", name="Update delivery").click()
    page.wait_for_selector("body:not([data-busy])")


def assert_shows_the_apis_delivery_and_tax(page: Page, stored: Any) -> None:
    currency = stored["currency"]
    assert shown_delivery(page) == [
        [o["id"], f"{o['amount']} {currency}", o["id"] == stored["deliveryOptionId"]]
        for o in stored["deliveryOptions"]
    ]
    assert page.text_content("#delivery") == f"{stored['deliveryAmount']} {currency}"
    included = "incl. " if stored["taxIncluded"] else ""
    assert page.text_content("#tax") == f"{included}{stored['taxAmount']} {currency}"
    assert shown_taxes(page) == [
        f"{t['name']} {t['rate']}%{t['amount']} {currency}" for t in stored["taxLines"]
    ]
    assert page.text_content("#total") == f"{stored['totalAmount']} {currency}"


def test_delivery_choices_tax_and_total_for_a_german_and_a_californian_cart(
    shopper_stack: Stack, browser: Browser, shop: str
) -> None:
    problems: list[str] = []
    page = watched_page(browser, problems)
    page.goto(shop)
    page.wait_for_selector("body[data-ready=true]")
    page.select_option("#currency", "EUR")
    page.get_by_role("button", name="Add Espressobohnen 1 kg to cart").click()
    page.wait_for_selector('#lines [data-product="ESP-1KG-EU"]')
    page.get_by_role("button", name="One more Espressobohnen 1 kg").click()
    page.wait_for_selector('#lines [data-product="ESP-1KG-EU"][data-quantity="2"]')
    page.get_by_role("button", name="Add Keramikbecher 350 ml to cart").click()
    page.wait_for_selector('#lines [data-product="MUG-CER-EU"]')
    assert (page.text_content("#delivery"), page.text_content("#tax")) == (
        "\u2013",
        "With your address",
    )

    deliver_to(page, "DE", "", "80331")
    german = guest_cart(page, shopper_stack)
    assert (german["currency"], german["deliveryAddress"]) == (
        "EUR",
        {"country": "DE", "postalCode": "80331"},
    )
    assert_shows_the_apis_delivery_and_tax(page, german)
    assert (page.text_content("#tax"), page.text_content("#total")) == (
        "incl. 5.09 EUR",
        "54.20 EUR",
    )
    assert "2\u20134 days" in (page.text_content('[data-option="standard"] .window') or "")
    page.get_by_role("radio", name="Deliver by Express (DHL)").check()
    page.wait_for_selector('body:not([data-busy]) [data-option="express"] input:checked')
    express = guest_cart(page, shopper_stack)
    assert (express["deliveryOptionId"], express["totalAmount"]) == ("express", "59.20")
    assert_shows_the_apis_delivery_and_tax(page, express)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "storefront.png", full_page=True)  # the README's

    california = watched_page(browser, problems)  # another visitor: a dollar cart
    california.goto(shop)
    california.wait_for_selector("body[data-ready=true]")
    california.get_by_role("button", name="Add Conical burr grinder to cart").click()
    california.wait_for_selector('#lines [data-product="GRINDER-BURR"]')
    deliver_to(california, "US", "ca", "94103")
    stored = guest_cart(california, shopper_stack)
    assert stored["deliveryAddress"] == {"country": "US", "region": "CA", "postalCode": "94103"}
    assert_shows_the_apis_delivery_and_tax(california, stored)
    assert (california.text_content("#tax"), california.text_content("#total")) == (
        "8.99 USD",
        "132.99 USD",
    )
    deliver_to(california, "FR", "", "")
    refused = guest_cart(california, shopper_stack)
    assert (refused["deliveryOptions"], refused["warnings"]) == ([], [{"code": "UNDELIVERABLE"}])
    assert california.text_content("#delivery") == "Not available"
    assert "do not deliver" in (california.text_content("#warnings") or "")
    assert problems == []


def test_the_page_explains_an_error_code(browser: Browser, shop: str) -> None:
    problems: list[str] = []
    page = watched_page(browser, problems)
    page.goto(shop)
    page.wait_for_selector("body[data-ready=true]")
    page.get_by_role("button", name="Add Stroopwafels, box of 12 to cart").click()
    page.wait_for_selector("#message[data-code=CURRENCY_MISMATCH]")
    assert "another currency" in (page.text_content("#message") or "")
    # the refusal is an answer, not a failure: the browser got the problem+json body
    assert [p for p in problems if "400" not in p] == []


def test_an_add_that_times_out_is_retried_without_adding_twice(
    shopper_stack: Stack, browser: Browser, shop: str
) -> None:
    page = browser.new_page()
    page.goto(shop)
    page.wait_for_selector("body[data-ready=true]")
    cut: list[str] = []

    def lose_the_first_answer(route: Any) -> None:
        route.fetch()  # the service gets the add and makes it ...
        if not cut:
            cut.append(route.request.headers["idempotency-key"])
            route.abort("timedout")  # ... but the answer never reaches the page
        else:
            route.continue_()

    page.route("**/carts/*/items", lose_the_first_answer)
    page.get_by_role("button", name="Add Ceramic mug 350ml to cart").click()
    page.wait_for_selector('#lines [data-product="MUG-CER"]')
    stored = guest_cart(page, shopper_stack)
    assert [(i["productId"], i["quantity"]) for i in stored["items"]] == [("MUG-CER", 1)]
    assert cut  # the first answer was lost, and the retry carried the same key


def test_signing_in_keeps_the_guest_cart_and_shows_only_the_shoppers_own(
    shopper_stack: Stack, browser: Browser, shop: str
) -> None:
    issuer = shopper_stack.issuer
    assert issuer is not None
    demo = {"Authorization": f"Bearer {issuer.token(DEMO_SHOPPER)}"}
    someone = {"Authorization": f"Bearer {issuer.token('someone-else')}"}
    api = shopper_stack.base_url
    for headers, product in ((someone, "TEA-SENCHA"), (demo, "FILTER-100")):
        made = requests.post(f"{api}/carts", json={}, headers=headers, timeout=10).json()
        requests.post(
            f"{api}/carts/{made['cartId']}/items",
            json={"productId": product, "quantity": 1},
            headers=headers,
            timeout=10,
        ).raise_for_status()
    problems: list[str] = []
    page = watched_page(browser, problems)
    page.goto(shop)
    page.wait_for_selector("body[data-ready=true]")
    page.get_by_role("button", name="Add Ceramic mug 350ml to cart").click()
    page.wait_for_selector('#lines [data-product="MUG-CER"]')
    assert page.text_content("#who") == "Shopping as a guest"

    page.get_by_role("button", name="Sign in as demo shopper").click()
    page.wait_for_selector('#lines [data-product="FILTER-100"]')
    assert page.text_content("#who") == "Signed in as the demo shopper"
    mine = requests.get(f"{api}/me/carts", headers=demo, timeout=10).json()["carts"]
    assert [summary["cartId"] for summary in mine] == [page.text_content("#cart-id")]
    assert sorted(line[0] for line in shown_cart(page)) == ["FILTER-100", "MUG-CER"]
    assert page.evaluate(f"localStorage.getItem('{CART_KEY}')") is None  # the guest cart is gone
    assert problems == []


def test_a_page_on_another_origin_is_refused_by_cors(stack: Stack, browser: Browser) -> None:
    with storefront_server(stack.base_url, origin=f"http://127.0.0.1:{free_port()}") as other:
        page = browser.new_page()
        page.goto(other)
        page.wait_for_selector("body[data-ready=true]")
        outcome = page.evaluate(
            """async (api) => {
                try {
                    await fetch(api + "/carts", {method: "POST",
                        headers: {"Content-Type": "application/json"},
                        body: JSON.stringify({customerId: "elsewhere"})});
                    return "allowed";
                } catch (error) {
                    return "refused";
                }
            }""",
            stack.base_url,
        )
    assert outcome == "refused"


def test_the_readme_shows_a_current_screenshot() -> None:
    assert (PROJECT_DIR / "docs" / "storefront.png").stat().st_size > 10_000
    assert "docs/storefront.png" in (PROJECT_DIR / "README.md").read_text()


def test_an_agents_continue_url_opens_its_guest_cart_in_the_storefront(
    shopper_stack: Stack, browser: Browser, shop: str
) -> None:
    created = requests.post(
        f"{shopper_stack.base_url}/ucp/carts",
        json={"line_items": [{"item": {"id": "MUG-CER"}, "quantity": 2}]},
        headers={"UCP-Agent": 'profile="https://agent.example/.well-known/ucp"'},
        timeout=10,
    ).json()
    fragment = created["continue_url"].split("#", 1)[1]  # this test's storefront, same page
    problems: list[str] = []
    page = watched_page(browser, problems)
    page.goto(f"{shop}#{fragment}")
    page.wait_for_selector('body[data-ready=true] #lines [data-product="MUG-CER"]')
    assert shown_cart(page) == [["MUG-CER", 2, "24.00 USD"]]
    assert page.evaluate("location.hash") == ""  # the token left the address bar
    assert guest_cart(page, shopper_stack)["cartId"] == created["id"].split(".")[2]
    assert problems == []
