"""Offline checks of what gets deployed: `chalice package` for every stage, cfn-lint on the
merged SAM templates and on the tables stack, and what those templates grant."""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tools.package import package
from tools.policies import DEPLOYED_STAGES
from tools.tables import TABLES_TEMPLATE

FUNCTIONS = 10  # the REST handler and one per operation


@pytest.fixture(scope="module", params=DEPLOYED_STAGES)
def packaged(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    stage = request.param
    template = package(stage, tmp_path_factory.mktemp(stage) / "out")
    return stage, template, json.loads(template.read_text())


def of_type(template: dict[str, Any], kind: str) -> dict[str, Any]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def test_cfn_lint_passes_on_the_sam_template_and_the_tables_stack(packaged: Any) -> None:
    _, path, _ = packaged
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run(
        [str(cfn_lint), str(path), str(TABLES_TEMPLATE)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_one_stack_holds_the_tables_the_api_and_every_function(packaged: Any) -> None:
    stage, _, template = packaged
    tables = of_type(template, "AWS::DynamoDB::Table")
    assert {t["Properties"]["TableName"]["Fn::Sub"] for t in tables.values()} == {
        "cart-service-${Stage}-Carts",
        "cart-service-${Stage}-CartItems",
        "cart-service-${Stage}-Products",
        "cart-service-${Stage}-Idempotency",
    }
    assert template["Parameters"]["Stage"]["Default"] == stage
    assert len(of_type(template, "AWS::Serverless::Api")) == 1
    assert len(of_type(template, "AWS::Serverless::Function")) == FUNCTIONS
    assert len(of_type(template, "AWS::IAM::Role")) == FUNCTIONS


def test_functions_get_the_stacks_table_names(packaged: Any) -> None:
    _, _, template = packaged
    for function in of_type(template, "AWS::Serverless::Function").values():
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables["CARTS_TABLE"] == {"Ref": "CartsTable"}
        assert variables["CART_ITEMS_TABLE"] == {"Ref": "CartItemsTable"}
        assert variables["PRODUCTS_TABLE"] == {"Ref": "ProductsTable"}
        assert variables["IDEMPOTENCY_TABLE"] == {"Ref": "IdempotencyTable"}


def test_no_role_has_a_dynamodb_permission_on_everything(packaged: Any) -> None:
    _, _, template = packaged
    for role in of_type(template, "AWS::IAM::Role").values():
        for policy in role["Properties"]["Policies"]:
            for statement in policy["PolicyDocument"]["Statement"]:
                actions = statement["Action"]
                if any(action.startswith("dynamodb:") for action in actions):
                    assert statement["Resource"] != "*"
                    assert "Fn::GetAtt" in json.dumps(statement["Resource"])
                    assert not any(action.endswith("*") for action in actions)


def test_every_route_requires_sigv4_and_cors_names_one_origin(packaged: Any) -> None:
    _, _, template = packaged
    api = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
    for path, operations in api["paths"].items():
        for method, operation in operations.items():
            if method == "options":
                parameters = operation["x-amazon-apigateway-integration"]["responses"]["default"][
                    "responseParameters"
                ]
                origin = parameters["method.response.header.Access-Control-Allow-Origin"]
                assert origin.strip("'") not in {"*", ""}, path
            else:
                assert operation["security"] == [{"sigv4": []}], (path, method)


def test_carts_and_their_lines_expire_by_ttl() -> None:
    resources = json.loads(TABLES_TEMPLATE.read_text())["Resources"]
    for table, attribute in [
        ("CartsTable", "expiresAt"),
        ("CartItemsTable", "expiresAt"),
        ("IdempotencyTable", "expiration"),
    ]:
        assert resources[table]["Properties"]["TimeToLiveSpecification"] == {
            "AttributeName": attribute,
            "Enabled": True,
        }


def test_prod_tables_are_protected_from_deletion() -> None:
    tables = json.loads(TABLES_TEMPLATE.read_text())
    for table in tables["Resources"].values():
        properties = table["Properties"]
        assert properties["DeletionProtectionEnabled"] == {"Fn::If": ["IsProd", True, False]}
        assert properties["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"]
        assert properties["SSESpecification"]["SSEEnabled"]
        assert table["DeletionPolicy"] == "Retain"


def test_the_package_ships_bytecode_that_python_uses(packaged: Any, tmp_path: Path) -> None:
    _, template_path, _ = packaged
    with zipfile.ZipFile(template_path.parent / "deployment.zip") as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path)
    tag = sys.implementation.cache_tag
    for module in ("chalicelib/domain/cart", "chalicelib/dynamodb/carts", "chalice/app"):
        folder, name = module.rsplit("/", 1)
        assert f"{folder}/__pycache__/{name}.{tag}.pyc" in names
    # Break the source: the import still works, so the shipped bytecode is what runs.
    (tmp_path / "chalicelib" / "domain" / "cart.py").write_text("this is not Python\n")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import chalicelib.domain.cart; print(chalicelib.domain.cart.MAX_LINES)",
        ],
        cwd=tmp_path,
        env={"PYTHONDONTWRITEBYTECODE": "1", "PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
    )
    assert (result.returncode, result.stdout.strip()) == (0, "100"), result.stderr
