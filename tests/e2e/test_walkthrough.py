"""The curl walk-through (docs/walkthrough.md) gives exactly the outputs it shows (bar ids
and times)."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chalicelib.dynamodb.products import DynamoProductRepository
from chalicelib.service.datafiles.catalog import parse_catalog
from tests.e2e.conftest import Stack
from tests.walkthrough_session import (
    WALKTHROUGH,
    normalized,
    run_steps,
    trimmed,
    walkthrough_steps,
)
from tools.local.price import save_local_dynamodb
from tools.local.stack import SAMPLE_CATALOG
from tools.stage import PROJECT_DIR


@pytest.fixture
def reader(
    shopper_stack: Stack, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[Stack]:
    """A reader's shell next to `make run`: `python3` is whatever the reader has (here, this
    interpreter), `make -s token` signs with the running issuer's key and `make -s price`
    changes its catalog (put back afterwards, whatever the walk-through did)."""
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    assert shopper_stack.issuer is not None
    shopper_stack.issuer.save(tmp_path / "issuer.json")
    monkeypatch.setenv("LOCAL_ISSUER_FILE", str(tmp_path / "issuer.json"))
    settings = shopper_stack.settings
    endpoint = shopper_stack.dynamodb.meta.endpoint_url
    save_local_dynamodb(settings, endpoint, tmp_path / "dynamodb.json")
    monkeypatch.setenv("LOCAL_DYNAMODB_FILE", str(tmp_path / "dynamodb.json"))
    tables = (settings.products_table, settings.stock_table)
    products = DynamoProductRepository(shopper_stack.dynamodb, *tables)
    sample = parse_catalog(json.loads(SAMPLE_CATALOG.read_text()))
    sample_stock = {p.product_id: p.stock_levels for p in sample if p.stock_levels}
    products.set_stock(sample_stock)  # as make run starts, whatever the tests before sold
    yield shopper_stack
    products.put_many(sample)
    products.set_stock(sample_stock)


def test_the_walk_through_answers_as_documented(reader: Stack) -> None:
    steps = walkthrough_steps(WALKTHROUGH.read_text())
    assert len(steps) >= 10
    outputs = run_steps(steps, reader.base_url)
    for step, output in zip(steps, outputs, strict=True):
        assert normalized(trimmed(output)) == normalized(step.output), step.command


LOCAL_API = "http://127.0.0.1:8000"


def test_the_readmes_taste_of_the_api_runs_as_shown(reader: Stack) -> None:
    readme = (PROJECT_DIR / "README.md").read_text()
    taste = readme.split("## A taste of the API", 1)[1].split("```sh\n", 1)[1].split("```")[0]
    commands = taste.replace(f"API={LOCAL_API}", f"API={reader.base_url}", 1)
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", f"PATH={Path(sys.executable).parent}:$PATH\n{commands}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=PROJECT_DIR,
    )
    *changes, read, checked_out = json_documents(result.stdout)
    assert [change["itemCount"] for change in changes] == [2, 3, 3]
    assert (read["itemCount"], read["items"][0]["lineTotal"]) == (3, "59.97")
    assert (read["items"][0]["taxAmount"], read["deliveryAmount"]) == ("4.20", "9.90")
    assert [(o["id"], o["amount"], o["minDays"]) for o in read["deliveryOptions"]] == [
        ("standard", "9.90", 2)
    ]
    assert [(t["name"], t["rate"], t["amount"]) for t in read["taxLines"]] == [
        ("VAT", "7", "4.20"),
        ("VAT", "19", "1.88"),
    ]
    assert read["totalAmount"] == "75.95"
    assert (checked_out["status"], checked_out["totalAmount"]) == ("CHECKED_OUT", "75.95")


def json_documents(text: str) -> list[Any]:
    """The JSON documents printed one after the other (curl adds no newline)."""
    decoder, documents, position = json.JSONDecoder(), [], 0
    while position < len(text):
        document, position = decoder.raw_decode(text, position)
        documents.append(document)
        position += len(text[position:]) - len(text[position:].lstrip())
    return documents
