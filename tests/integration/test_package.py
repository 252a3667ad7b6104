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

from tools.deploy.monitoring import ops_template, tables_stack_template
from tools.deploy.package import package
from tools.deploy.policies import AUTHORIZER, KEY_READERS, deployed_functions
from tools.local.tables import TABLES_TEMPLATE
from tools.stage import CONFIG_FILE


def of_type(template: dict[str, Any], kind: str) -> dict[str, Any]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def test_cfn_lint_passes_on_every_stages_sam_template_and_tables_and_ops_stacks(
    packages: dict[str, Path], tmp_path: Path
) -> None:
    templates = [str(TABLES_TEMPLATE)]
    tables_template = json.loads(TABLES_TEMPLATE.read_text())
    for stage, path in packages.items():
        tables = tmp_path / f"tables-{stage}.json"
        tables.write_text(json.dumps(tables_stack_template(stage, tables_template)))
        ops = tmp_path / f"ops-{stage}.json"
        ops.write_text(json.dumps(ops_template(stage)))
        templates += [str(path), str(tables), str(ops)]
    cfn_lint = Path(sys.executable).parent / "cfn-lint"  # once for all: a second of start-up
    result = subprocess.run([str(cfn_lint), *templates], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_one_stack_holds_the_tables_the_api_and_every_function(packaged: Any) -> None:
    stage, _, template = packaged
    tables = of_type(template, "AWS::DynamoDB::Table")
    assert {t["Properties"]["TableName"]["Fn::Sub"] for t in tables.values()} == {
        "cart-service-${Stage}-Carts",
        "cart-service-${Stage}-CartItems",
        "cart-service-${Stage}-Products",
        "cart-service-${Stage}-Idempotency",
        "cart-service-${Stage}-Promotions",
        "cart-service-${Stage}-PromotionUses",
        "cart-service-${Stage}-Rates",
        "cart-service-${Stage}-CodeAttempts",
        "cart-service-${Stage}-Stock",
        "cart-service-${Stage}-HoldCounts",
    }
    assert template["Parameters"]["Stage"]["Default"] == stage
    assert len(of_type(template, "AWS::Serverless::Api")) == 1
    # The REST handler, one per operation, the merge, abandoned-cart and lapsed-hold sweeps,
    # the stream consumer, and in a shopper-mode stage the authorizer.
    functions = len(deployed_functions(stage))
    assert functions == (20 if stage == "dev" else 19)
    assert len(of_type(template, "AWS::Serverless::Function")) == functions
    assert len(of_type(template, "AWS::IAM::Role")) == functions


def test_the_sweeper_runs_every_minute(packaged: Any) -> None:
    _, _, template = packaged
    sweeper = of_type(template, "AWS::Serverless::Function")["FinishStalledMerges"]
    schedules = [event["Properties"] for event in sweeper["Properties"]["Events"].values()]
    assert schedules == [{"Schedule": "rate(1 minute)"}]


def test_the_consumer_reads_this_stacks_carts_stream_and_reports_batch_failures(
    packaged: Any,
) -> None:
    _, _, template = packaged
    consumer = of_type(template, "AWS::Serverless::Function")["PublishCartEvents"]
    (source,) = consumer["Properties"]["Events"].values()
    assert source["Type"] == "DynamoDB"
    assert source["Properties"]["Stream"] == {"Fn::GetAtt": ["CartsTable", "StreamArn"]}
    assert source["Properties"]["StartingPosition"] == "TRIM_HORIZON"
    assert source["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    carts = template["Resources"]["CartsTable"]["Properties"]
    assert carts["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}


def test_the_stage_has_its_bus_and_only_the_consumer_may_put_events_on_it(
    packaged: Any,
) -> None:
    _, _, template = packaged
    (bus,) = of_type(template, "AWS::Events::EventBus").values()
    assert bus["Properties"]["Name"] == {"Fn::Sub": "cart-service-${Stage}"}
    publishers = set()
    for name, role in of_type(template, "AWS::IAM::Role").items():
        for policy in role["Properties"]["Policies"]:
            for statement in policy["PolicyDocument"]["Statement"]:
                if any(action.startswith("events:") for action in statement["Action"]):
                    assert statement["Action"] == ["events:PutEvents"]
                    assert statement["Resource"] == {"Fn::GetAtt": ["CartEventBus", "Arn"]}
                    publishers.add(name)
    assert publishers == {"PublishCartEventsRole"}


def test_the_abandoned_cart_sweep_runs_every_five_minutes(packaged: Any) -> None:
    _, _, template = packaged
    sweep = of_type(template, "AWS::Serverless::Function")["MarkAbandonedCarts"]
    schedules = [event["Properties"] for event in sweep["Properties"]["Events"].values()]
    assert schedules == [{"Schedule": "rate(5 minutes)"}]


def test_functions_get_the_stacks_table_names(packaged: Any) -> None:
    _, _, template = packaged
    for function in of_type(template, "AWS::Serverless::Function").values():
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables["CARTS_TABLE"] == {"Ref": "CartsTable"}
        assert variables["CART_ITEMS_TABLE"] == {"Ref": "CartItemsTable"}
        assert variables["PRODUCTS_TABLE"] == {"Ref": "ProductsTable"}
        assert variables["IDEMPOTENCY_TABLE"] == {"Ref": "IdempotencyTable"}
        assert variables["PROMOTIONS_TABLE"] == {"Ref": "PromotionsTable"}
        assert variables["PROMOTION_USES_TABLE"] == {"Ref": "PromotionUsesTable"}
        assert variables["CODE_ATTEMPTS_TABLE"] == {"Ref": "CodeAttemptsTable"}
        assert variables["STOCK_TABLE"] == {"Ref": "StockTable"}
        assert variables["HOLD_COUNTS_TABLE"] == {"Ref": "HoldCountsTable"}
        assert variables["EVENT_BUS_NAME"] == {"Fn::GetAtt": ["CartEventBus", "Name"]}


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


def test_every_route_is_guarded_as_the_stage_says_and_cors_names_one_origin(
    packaged: Any,
) -> None:
    stage, _, template = packaged
    api = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
    for path, operations in api["paths"].items():
        for method, operation in operations.items():
            if method == "options":
                parameters = operation["x-amazon-apigateway-integration"]["responses"]["default"][
                    "responseParameters"
                ]
                origin = parameters["method.response.header.Access-Control-Allow-Origin"]
                assert origin.strip("'") not in {"*", ""}, path
            elif path == "/.well-known/ucp":  # UCP's business profile: public
                assert "security" not in operation
            elif stage == "prod":
                assert operation["security"] == [{"sigv4": []}], (path, method)
            elif (path, method) == ("/carts", "post") or path.startswith("/ucp/"):
                assert "security" not in operation  # a guest (or its agent) has no token yet
            else:
                assert operation["security"] == [{AUTHORIZER: []}], (path, method)


def test_the_gateways_own_answers_are_problems_and_the_stage_is_throttled(
    packaged: Any,
) -> None:
    _, _, template = packaged
    properties = template["Resources"]["RestAPI"]["Properties"]
    responses = properties["DefinitionBody"]["x-amazon-apigateway-gateway-responses"]
    unauthorized = responses["UNAUTHORIZED"]
    assert unauthorized["statusCode"] == "401"
    headers = unauthorized["responseParameters"]
    assert headers["gatewayresponse.header.Content-Type"] == "'application/problem+json'"
    assert headers["gatewayresponse.header.X-Request-Id"] == "context.requestId"
    assert "Bearer" in headers["gatewayresponse.header.WWW-Authenticate"]
    body = json.loads(unauthorized["responseTemplates"]["application/json"])
    assert (body["status"], body["code"]) == (401, "UNAUTHORIZED")
    assert responses["MISSING_AUTHENTICATION_TOKEN"]["statusCode"] == "404"
    assert responses["THROTTLED"]["statusCode"] == "429"
    (limits,) = properties["MethodSettings"]
    assert limits["ThrottlingRateLimit"] > 0 and limits["ThrottlingBurstLimit"] > 0


def test_only_the_functions_that_need_the_keys_can_read_them(packaged: Any) -> None:
    stage, _, template = packaged
    assert "TOKEN_KEYS" not in json.dumps(template)  # no key in the template, only a secret
    for function in deployed_functions(stage):
        name = "APIHandler" if function == "api_handler" else function.title().replace("_", "")
        variables = template["Resources"][name]["Properties"]["Environment"]["Variables"]
        role = "ApiHandlerRole" if function == "api_handler" else f"{name}Role"
        statements = template["Resources"][role]["Properties"]["Policies"][0]["PolicyDocument"]
        reads = [
            s for s in statements["Statement"] if "secretsmanager:GetSecretValue" in s["Action"]
        ]
        if function in KEY_READERS:
            assert variables["TOKEN_SECRET_ARN"] == {"Ref": "TokenKeysSecret"}
            assert [s["Resource"] for s in reads] == [{"Ref": "TokenKeysSecret"}]
        else:
            assert "TOKEN_SECRET_ARN" not in variables and reads == []


def test_a_stage_with_a_literal_key_or_without_checks_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = json.loads(CONFIG_FILE.read_text())
    config["stages"]["dev"]["environment_variables"]["TOKEN_KEYS"] = '{"current": "1"}'
    config["stages"]["prod"]["environment_variables"]["API_AUTH"] = "none"
    altered = tmp_path / "config.json"
    altered.write_text(json.dumps(config))
    monkeypatch.setattr("tools.stage.CONFIG_FILE", altered)
    with pytest.raises(SystemExit, match="TOKEN_KEYS"):
        package("dev", tmp_path / "dev")
    with pytest.raises(SystemExit, match="API_AUTH=none"):
        package("prod", tmp_path / "prod")
    assert not (tmp_path / "dev").exists()


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
    resources = json.loads(TABLES_TEMPLATE.read_text())["Resources"].values()
    for table in (r for r in resources if r["Type"] == "AWS::DynamoDB::Table"):
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


def code_guessing_rule(template: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The web ACL's rule on the discount-code route, and the ARN its association names."""
    (acl,) = of_type(template, "AWS::WAFv2::WebACL").values()
    (association,) = of_type(template, "AWS::WAFv2::WebACLAssociation").values()
    (rule,) = acl["Properties"]["Rules"]
    return rule, association["Properties"]["ResourceArn"]


@pytest.mark.parametrize("template_of", ["sam", "ops"])
def test_a_waf_rate_rule_guards_the_discount_code_route_of_both_templates(
    packaged: Any, template_of: str
) -> None:
    stage, _, sam = packaged
    rule, api_stage = code_guessing_rule(sam if template_of == "sam" else ops_template(stage))
    rate = rule["Statement"]["RateBasedStatement"]
    assert (rate["AggregateKeyType"], rate["Limit"], rate["EvaluationWindowSec"]) == (
        "IP",
        100,
        300,
    )
    matched = [
        s["ByteMatchStatement"] for s in rate["ScopeDownStatement"]["AndStatement"]["Statements"]
    ]
    assert {(m["PositionalConstraint"], m["SearchString"]) for m in matched} == {
        ("EXACTLY", "POST"),
        ("ENDS_WITH", "/discount-codes"),
    }
    blocked = rule["Action"]["Block"]["CustomResponse"]
    assert blocked["ResponseCode"] == 429
    assert blocked["ResponseHeaders"] == [{"Name": "Retry-After", "Value": "300"}]
    expected_api = (
        "${RestAPI}/stages/${RestAPI.Stage}"
        if template_of == "sam"
        else ("${RestApiId}/stages/api")
    )
    assert api_stage["Fn::Sub"].endswith(f"/restapis/{expected_api}")


def test_no_token_reaches_x_ray_or_an_access_log(packaged: Any) -> None:
    """A guest cart's UCP id is its cart token, in the URL: the API stage is not traced (its
    segment records the URL) and writes no access log of its own."""
    _, _, template = packaged
    properties = template["Resources"]["RestAPI"]["Properties"]
    assert properties["TracingEnabled"] is False
    assert "AccessLogSetting" not in properties
    rule, _ = code_guessing_rule(template)
    assert rule["VisibilityConfig"]["SampledRequestsEnabled"] is False


def test_the_docs_count_the_functions_a_stage_deploys(packaged: Any) -> None:
    """operations.md: "Nineteen Lambda functions (and, in shopper mode, the authorizer)"."""
    stage, _, template = packaged
    functions = of_type(template, "AWS::Serverless::Function")
    authorizers = 1 if stage == "dev" else 0  # dev is in shopper mode, prod in iam
    stated = (CONFIG_FILE.parent.parent / "docs" / "operations.md").read_text()
    assert "**Nineteen Lambda functions** (and, in shopper mode, the authorizer)" in stated
    assert len(functions) == 19 + authorizers
