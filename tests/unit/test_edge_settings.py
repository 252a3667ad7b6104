"""How API Gateway guards the routes, per stage: IAM unless a stage says otherwise."""

import json

import pytest
from chalice.app import CognitoUserPoolAuthorizer, IAMAuthorizer

from chalicelib.edge.rest import route_options
from chalicelib.settings import EdgeSettings
from tools.stage import CONFIG_FILE, stage_environment


def test_iam_is_the_default() -> None:
    assert isinstance(route_options(EdgeSettings.from_environ({}))["authorizer"], IAMAuthorizer)


def test_a_stage_can_use_cognito_or_nothing() -> None:
    cognito = EdgeSettings.from_environ(
        {
            "API_AUTH": "cognito",
            "COGNITO_USER_POOL_ARN": "arn:aws:cognito-idp:eu-west-1:1:userpool/x",
        }
    )
    assert isinstance(route_options(cognito)["authorizer"], CognitoUserPoolAuthorizer)
    assert "authorizer" not in route_options(EdgeSettings.from_environ({"API_AUTH": "none"}))


@pytest.mark.parametrize(
    "environ",
    [{"API_AUTH": "open"}, {"API_AUTH": "cognito"}, {"CORS_ALLOW_ORIGIN": "*"}],
)
def test_unsafe_or_incomplete_settings_stop_the_deploy(environ: dict[str, str]) -> None:
    with pytest.raises(RuntimeError):
        EdgeSettings.from_environ(environ)


def test_cors_allows_one_named_origin_and_exposes_the_useful_headers() -> None:
    cors = route_options(EdgeSettings.from_environ({"CORS_ALLOW_ORIGIN": "https://shop.test"}))
    headers = cors["cors"].get_access_control_headers()
    assert headers["Access-Control-Allow-Origin"] == "https://shop.test"
    assert "X-Request-Id" in headers["Access-Control-Expose-Headers"]


def test_deployed_stages_use_iam_and_a_named_origin() -> None:
    stages = json.loads(CONFIG_FILE.read_text())["stages"]
    for stage in ("dev", "prod"):
        environment = stage_environment(stage)
        assert environment["API_AUTH"] == "iam"
        assert environment["CORS_ALLOW_ORIGIN"].startswith(("https://", "http://localhost"))
    assert stage_environment("prod")["CORS_ALLOW_ORIGIN"].startswith("https://")
    assert stages["prod"]["xray"] is True
