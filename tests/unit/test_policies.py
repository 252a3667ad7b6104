"""The checked-in IAM policies are the generated ones, scoped to their stage, never "*"."""

import json

import pytest

from chalicelib.settings import APP_NAME
from tools.deploy.policies import (
    API_HANDLER,
    DEPLOYED_STAGES,
    KEY_READERS,
    all_policies,
    deployed_functions,
    policy,
    policy_file_name,
    render,
)
from tools.stage import CONFIG_FILE


def test_the_policy_files_are_up_to_date() -> None:
    for name, document in all_policies().items():
        path = CONFIG_FILE.parent / name
        assert path.read_text() == render(document), f"run python -m tools.deploy.policies ({name})"


@pytest.mark.parametrize("stage", DEPLOYED_STAGES)
def test_each_function_of_a_deployed_stage_has_its_own_policy(stage: str) -> None:
    config = json.loads(CONFIG_FILE.read_text())
    stage_config = config["stages"][stage]
    assert config["autogen_policy"] is False
    assert stage_config["iam_policy_file"] == policy_file_name(stage, API_HANDLER)
    assert {
        function: settings["iam_policy_file"]
        for function, settings in stage_config["lambda_functions"].items()
    } == {
        function: policy_file_name(stage, function)
        for function in deployed_functions(stage)
        if function != API_HANDLER
    }


def test_only_the_functions_that_sign_or_check_tokens_may_read_the_keys() -> None:
    for stage in DEPLOYED_STAGES:
        for function in deployed_functions(stage):
            statements = policy(stage, function)["Statement"]
            reads = [s for s in statements if "secretsmanager:GetSecretValue" in s["Action"]]
            assert bool(reads) == (function in KEY_READERS), function
            for statement in reads:
                assert statement["Resource"].endswith(f"secret:cart-service-{stage}-token-keys-*")


def test_no_dynamodb_permission_is_on_everything_or_another_stage() -> None:
    for name, document in all_policies().items():
        stage = name.split("-")[1].removesuffix(".json")
        for statement in document["Statement"]:
            if any(action.startswith("dynamodb:") for action in statement["Action"]):
                assert statement["Resource"] != "*"
                assert statement["Resource"].startswith("arn:aws:dynamodb:*:*:table/")
                assert f"cart-service-{stage}-" in statement["Resource"], name
                assert not any("*" in action for action in statement["Action"])


def test_the_app_name_in_the_chalice_config_is_the_one_the_code_declares() -> None:
    # Chalice names every deployed resource after config.json's app_name; the policies,
    # the tables stack and the app itself use APP_NAME.
    assert json.loads(CONFIG_FILE.read_text())["app_name"] == APP_NAME
