"""End-to-end: `chalice local` as a subprocess, over real HTTP, on a moto DynamoDB server
reached through a fault-injecting proxy. Two APIs for the session, each with its DynamoDB:
`stack` calls as a trusted backend would (API_AUTH=none), `shopper_stack` runs the local
stage's shopper mode with a local token issuer, as `make run` does. Every test makes its own
carts, so tests do not see each other's data."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

import boto3
import pytest
import requests

from chalicelib.dynamodb.tables import TABLES
from chalicelib.settings import Settings
from tests.conftest import TEST_KEY_RING
from tests.e2e.fault_proxy import FaultProxy
from tools.local.chalice_local import OVERRIDES_VARIABLE
from tools.local.issuer import LocalIssuer, local_issuer
from tools.local.stack import (
    LOCAL_STAGE,
    chalice_local,
    dynamodb_server_process,
    free_port,
    local_aws_environment,
    prepare_tables,
)
from tools.stage import stage_environment

WARM_CATALOG = {"CATALOG_CACHE_SECONDS": "600"}
"""A warm container's catalog, as deployed: the prices, promotions and rates read once and
kept (for longer than a run), so a request makes only the calls of its cart. A test that
changes a product or a promotion and expects the next request to see it takes a stack
without it (`fresh_catalog_stack`)."""


class Stack:
    def __init__(
        self,
        base_url: str,
        dynamodb: Any,
        proxy: FaultProxy,
        log: Path,
        settings: Settings,
        issuer: LocalIssuer | None = None,
    ) -> None:
        self.base_url = base_url
        self.dynamodb = dynamodb
        self.proxy = proxy
        self.log = log
        self.settings = settings
        self.issuer = issuer


class Storage(NamedTuple):
    dynamodb: Any
    proxy: FaultProxy
    table_names: dict[str, str]
    """Table variables that differ from the local stage's."""


@contextmanager
def new_storage(table_names: dict[str, str]) -> Iterator[Storage]:
    """A moto DynamoDB server with the service's tables under these names, behind a proxy.

    The server runs in a process of its own, as DynamoDB is never in the caller's: in the
    test's process it competed for the interpreter's lock with the test's clients and the
    proxy, and late in a run, with the tables grown, twenty concurrent adds could wait
    longer than the service's 1 s read timeout behind it."""
    with dynamodb_server_process() as endpoint:
        client = boto3.client(
            "dynamodb",
            endpoint_url=endpoint,
            region_name=local_aws_environment(endpoint)["AWS_DEFAULT_REGION"],
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
        environment = {**stage_environment(LOCAL_STAGE), **table_names}
        prepare_tables(client, Settings.from_environ(environment))
        proxy = FaultProxy(endpoint)
        proxy.start()
        yield Storage(client, proxy, table_names)
        proxy.stop()


@pytest.fixture(scope="session")
def storage() -> Iterator[Storage]:
    with new_storage({}) as storage:
        yield storage


def serve(
    storage: Storage,
    tmp_path_factory: pytest.TempPathFactory,
    environment: dict[str, str],
    issuer: LocalIssuer | None = None,
) -> Iterator[Stack]:
    port = free_port()
    log = tmp_path_factory.mktemp("chalice") / "chalice-local.log"
    service_environment = {
        **local_aws_environment(storage.proxy.url),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "CATALOG_CACHE_SECONDS": "0",  # every request reads the catalog (see WARM_CATALOG)
        "TOKEN_KEYS": TEST_KEY_RING,
        OVERRIDES_VARIABLE: ",".join(["API_AUTH", "PUBLIC_BASE_URL", *storage.table_names]),
        **storage.table_names,
        **environment,
    }
    with log.open("wb") as output, chalice_local(port, service_environment, output=output):
        settings = Settings.from_environ({**stage_environment(LOCAL_STAGE), **storage.table_names})
        yield Stack(
            f"http://127.0.0.1:{port}", storage.dynamodb, storage.proxy, log, settings, issuer
        )


@pytest.fixture(scope="session")
def stack(storage: Storage, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The API as a trusted backend sees it: no token checks, and a warm catalog."""
    yield from serve(storage, tmp_path_factory, {"API_AUTH": "none", **WARM_CATALOG})


@pytest.fixture(scope="session")
def fresh_catalog_stack(
    storage: Storage, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """`stack`'s API and DynamoDB, reading the catalog on every request: a change to a
    product or a promotion shows at once."""
    yield from serve(storage, tmp_path_factory, {"API_AUTH": "none"})


class ShopperStorage(NamedTuple):
    storage: Storage
    issuer: LocalIssuer

    def environment(self) -> dict[str, str]:
        """An API's in shopper mode, trusting the issuer."""
        return {"API_AUTH": "shopper", **self.issuer.verifier_environment()}


@pytest.fixture(scope="session")
def shopper_storage() -> Iterator[ShopperStorage]:
    """A DynamoDB of its own for the shopper-mode APIs, and their local issuer: their
    shoppers' carts are theirs alone (20 active at most)."""
    shopper_tables = {table.variable: f"Shopper{table.name}" for table in TABLES.values()}
    with new_storage(shopper_tables) as storage, local_issuer() as issuer:
        yield ShopperStorage(storage, issuer)


@pytest.fixture(scope="session")
def shopper_stack(
    shopper_storage: ShopperStorage, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """The API in shopper mode, trusting a local issuer, as `make run` serves it (which
    reads the catalog on every request: a test may change a price and reload)."""
    storage, issuer = shopper_storage
    yield from serve(storage, tmp_path_factory, shopper_storage.environment(), issuer)


@pytest.fixture(scope="session")
def warm_shopper_stack(
    shopper_storage: ShopperStorage, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """`shopper_stack`'s DynamoDB and issuer, served with a warm catalog: for the tests that
    never change a product or a promotion (who may touch which cart, the abuse limits, the
    load), whose requests then make only the calls of their carts."""
    storage, issuer = shopper_storage
    environment = {**shopper_storage.environment(), **WARM_CATALOG}
    yield from serve(storage, tmp_path_factory, environment, issuer)


@pytest.fixture
def http(stack: Stack) -> Iterator[requests.Session]:
    stack.proxy.clear()
    with requests.Session() as session:
        yield session
    stack.proxy.clear()
