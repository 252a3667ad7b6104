"""Integration tests: the real DynamoDB adapter and the app against moto, in process."""

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.endpoint
import pytest
from chalice.test import Client
from moto import mock_aws
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends

import app as app_module
from app import app
from chalicelib import wiring
from chalicelib.dynamodb import calls
from chalicelib.settings import Settings
from tests.iam_recorder import IamRecorder
from tests.integration.clients import Api, Functions
from tools.data.load_catalog import load_catalog
from tools.data.load_promotions import load_promotions
from tools.deploy.package import package
from tools.deploy.policies import DEPLOYED_STAGES
from tools.local import moto_patches, moto_speed
from tools.local.stack import SAMPLE_CATALOG, SAMPLE_PROMOTIONS, load_sample_rates
from tools.local.tables import create_tables
from tools.stage import stage_environment

# moto's transactions back up every table they touch whole; the local server's patch backs
# up only the partitions written, as the end-to-end tests' moto does.
moto_patches.apply_transaction_backups()
moto_speed.apply()  # moto's answers, without the work they do not need


class _NoWait:
    """The `time` of the modules that wait between a call's retries (botocore's endpoint
    and the adapter's backoff), whose waits are skipped."""

    @staticmethod
    def sleep(seconds: float) -> None:
        """At once: these tests count the retries and check what they answer, not how long
        they waited (the end-to-end tests wait the retries out, over HTTP)."""


@pytest.fixture(autouse=True)
def retries_without_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(botocore.endpoint, "time", _NoWait)
    monkeypatch.setattr(calls, "time", _NoWait)


@pytest.fixture
def stage_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The local stage's variables, also outside requests (chalice.test sets them only during)."""
    environment = stage_environment("local")
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return environment


@pytest.fixture
def settings(stage_env: dict[str, str]) -> Settings:
    return Settings.from_environ()


@pytest.fixture(scope="session")
def boto_session() -> boto3.session.Session:
    """One session for every test's client: its service models load once, not per test."""
    return boto3.session.Session()


_PRISTINE: dict[str, Any] = {}
"""moto's tables as the first test made them, samples loaded: each later test starts from a
copy (3 ms) instead of creating and loading them again (140 ms)."""


@pytest.fixture
def dynamodb(settings: Settings, boto_session: boto3.session.Session) -> Iterator[Any]:
    """A moto-backed DynamoDB with the service's tables, the sample catalog, promotions and
    delivery and tax rates."""
    with mock_aws():
        client = wiring.dynamodb_client(settings, boto_session)
        backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][client.meta.region_name]
        if _PRISTINE:
            backend.tables = copy.deepcopy(_PRISTINE)
        else:
            create_tables(client, settings)
            load_catalog(client, settings, SAMPLE_CATALOG)
            load_promotions(client, settings, SAMPLE_PROMOTIONS)
            load_sample_rates(client, settings)
            _PRISTINE.update(copy.deepcopy(backend.tables))
        app_module.services.use(wiring.build(settings, client))
        yield client
        app_module.services.use(None)


@pytest.fixture(scope="session")
def iam_recorder() -> IamRecorder:
    """Every DynamoDB action the API and function tests make, by function (see test_iam)."""
    return IamRecorder()


@pytest.fixture
def chalice_client(dynamodb: Any, iam_recorder: IamRecorder) -> Iterator[Client]:
    iam_recorder.attach(dynamodb)
    with Client(app, stage_name="local") as client:
        yield client


@pytest.fixture
def api(chalice_client: Client, iam_recorder: IamRecorder) -> Api:
    return Api(chalice_client, iam_recorder)


@pytest.fixture
def functions(
    chalice_client: Client, iam_recorder: IamRecorder, settings: Settings, dynamodb: Any
) -> Functions:
    return Functions(chalice_client, iam_recorder, lambda: wiring.build(settings, dynamodb))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked `after_the_suite` read what the others recorded, so they run last."""
    items.sort(key=lambda item: item.get_closest_marker("after_the_suite") is not None)


@pytest.fixture(scope="session")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every deployed stage's `make package`, made once: its SAM template's path by stage."""
    return {
        stage: package(stage, tmp_path_factory.mktemp(stage) / "out") for stage in DEPLOYED_STAGES
    }


@pytest.fixture(scope="session", params=DEPLOYED_STAGES)
def packaged(request: pytest.FixtureRequest, packages: dict[str, Path]) -> Any:
    """A deployed stage's `make package`: its name, its SAM template's path and the template
    (read by the tests of the package and of its alarms alike, never changed)."""
    stage = request.param
    return stage, packages[stage], json.loads(packages[stage].read_text())
