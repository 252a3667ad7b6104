"""End-to-end: `chalice local` as a subprocess, over real HTTP, on a moto DynamoDB server
reached through a fault-injecting proxy. One stack for the session; every test makes its
own carts, so tests do not see each other's data."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from tests.e2e.fault_proxy import FaultProxy
from tools.local_stack import (
    LOCAL_STAGE,
    chalice_local,
    dynamodb_server,
    free_port,
    local_aws_environment,
    prepare_tables,
)
from tools.stage import stage_settings


class Stack:
    def __init__(self, base_url: str, dynamodb: Any, proxy: FaultProxy, log: Path) -> None:
        self.base_url = base_url
        self.dynamodb = dynamodb
        self.proxy = proxy
        self.log = log
        self.settings = stage_settings(LOCAL_STAGE)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with dynamodb_server() as endpoint:
        environment = local_aws_environment(endpoint)
        client = boto3.client(
            "dynamodb",
            endpoint_url=endpoint,
            region_name=environment["AWS_DEFAULT_REGION"],
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
        settings = stage_settings(LOCAL_STAGE)
        prepare_tables(client, settings)
        proxy = FaultProxy(endpoint)
        proxy.start()
        port = free_port()
        log = tmp_path_factory.mktemp("chalice") / "chalice-local.log"
        service_environment = {
            **local_aws_environment(proxy.url),
            "CATALOG_CACHE_SECONDS": "0",  # tests change the catalog and expect to see it
        }
        with log.open("wb") as output, chalice_local(port, service_environment, output=output):
            yield Stack(f"http://127.0.0.1:{port}", client, proxy, log)
        proxy.stop()


@pytest.fixture
def http(stack: Stack) -> Iterator[requests.Session]:
    stack.proxy.clear()
    with requests.Session() as session:
        yield session
    stack.proxy.clear()
