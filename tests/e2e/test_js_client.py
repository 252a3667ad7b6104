"""The TypeScript client (clients/js) against the real stacks: its own tests, in Node's test
runner, each file run here with the stack it needs (and the fault proxy armed for one)."""

import os
import subprocess
import uuid
from decimal import Decimal
from pathlib import Path

import pytest

from chalicelib.domain.money import Money
from chalicelib.domain.products import Product
from tests.e2e.conftest import Stack
from tests.e2e.fault_proxy import Fault
from tests.e2e.test_stock import catalog
from tools.stage import PROJECT_DIR

CLIENT = PROJECT_DIR / "clients" / "js"


def node_test(test_file: str, **environment: str) -> None:
    """Run one of the client's test files; its report is the failure's message."""
    result = subprocess.run(
        ["node", "--test", f"test/{test_file}"],
        cwd=CLIENT,
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module", autouse=True)
def built() -> None:
    """The client as its package ships it (dist/), built from its sources now."""
    subprocess.run(["npm", "run", "--silent", "build"], cwd=CLIENT, check=True, timeout=120)


def test_every_method_a_refusal_a_lost_answer_and_a_202(stack: Stack) -> None:
    node_test("methods.test.mjs", CART_API=stack.base_url)


def test_guests_tokens_signing_in_and_a_code_limit(shopper_stack: Stack) -> None:
    assert shopper_stack.issuer is not None
    token = shopper_stack.issuer.token(f"js-shopper-{uuid.uuid4().hex[:8]}")
    node_test("guests.test.mjs", CART_API=shopper_stack.base_url, SHOPPER_TOKEN=token)


def test_a_503_with_retry_after_is_waited_out(stack: Stack) -> None:
    """Every attempt of the first add's transaction is throttled (botocore's three), so the
    service answers 503 with Retry-After 1; the client's next send goes through."""
    product = f"JS-FAULT-{uuid.uuid4().hex[:8]}"
    catalog(stack).put_many([Product(product, "Fault", Money(Decimal("2.00"), "USD"))])
    stack.proxy.watch(product, [product], Fault("TransactWriteItems", {1, 2, 3}, "throttled"))
    try:
        node_test("faults.test.mjs", CART_API=stack.base_url, FAULT_PRODUCT=product)
    finally:
        stack.proxy.unwatch(product)


def test_the_storefronts_copy_is_the_client_as_built() -> None:
    shipped = (PROJECT_DIR / "storefront" / "cart-client.js").read_bytes()
    assert shipped == (CLIENT / "dist" / "index.js").read_bytes(), (
        "storefront/cart-client.js is not clients/js/dist/index.js: copy it after npm run build"
    )


def test_the_packed_package_installs_into_an_empty_folder_and_works(
    stack: Stack, tmp_path: Path
) -> None:
    """`npm pack`'s tarball, installed where nothing else is, driven through its public API
    only (the package's own name, no path into it)."""
    packed = subprocess.run(
        ["npm", "pack", "--silent", "--pack-destination", str(tmp_path)],
        cwd=CLIENT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.split()[-1]
    shop = tmp_path / "shop"
    shop.mkdir()
    (shop / "package.json").write_text('{"name": "shop", "type": "module", "private": true}')
    install = ["npm", "install", "--no-audit", "--no-fund", "--offline", str(tmp_path / packed)]
    subprocess.run(install, cwd=shop, check=True, timeout=120, capture_output=True)
    (shop / "buy.mjs").write_text(
        'import { CartClient, CartError } from "@cart-service/client";\n'
        "const carts = new CartClient({ baseUrl: process.argv[2] });\n"
        'const { cartId } = await carts.createCart({ customerId: "packed" });\n'
        'const cart = await carts.addItem(cartId, { productId: "ESP-1KG", quantity: 2 });\n'
        'const missing = "00000000-0000-4000-8000-000000000000";\n'
        "const refused = await carts.getCart(missing).catch((error) => error);\n"
        "console.log(cart.totalAmount, refused instanceof CartError, refused.code);\n"
    )
    result = subprocess.run(
        ["node", "buy.mjs", stack.base_url],
        cwd=shop,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert result.stdout.split() == ["39.98", "true", "CART_NOT_FOUND"]
