"""How the routes are guarded, per stage: IAM unless a stage says otherwise."""

import json

import pytest
from chalice.app import IAMAuthorizer

from chalicelib.edge.rest import create_cart_options, route_options
from chalicelib.settings import EdgeSettings
from tools.stage import CONFIG_FILE, stage_environment

SHOPPER_AUTHORIZER = object()


def test_iam_is_the_default() -> None:
    options = route_options(EdgeSettings.from_environ({}), SHOPPER_AUTHORIZER)
    assert isinstance(options["authorizer"], IAMAuthorizer)


def test_shopper_mode_checks_tokens_on_every_route_but_cart_creation() -> None:
    shopper = EdgeSettings.from_environ({"API_AUTH": "shopper"})
    assert route_options(shopper, SHOPPER_AUTHORIZER)["authorizer"] is SHOPPER_AUTHORIZER
    assert create_cart_options(shopper) == {"authorizer": None}
    none = EdgeSettings.from_environ({"API_AUTH": "none"})
    assert "authorizer" not in route_options(none, SHOPPER_AUTHORIZER)


@pytest.mark.parametrize(
    "environ",
    [{"API_AUTH": "open"}, {"API_AUTH": "cognito"}, {"CORS_ALLOW_ORIGIN": "*"}],
)
def test_unknown_or_unsafe_settings_stop_the_deploy(environ: dict[str, str]) -> None:
    with pytest.raises(RuntimeError):
        EdgeSettings.from_environ(environ)


def test_cors_allows_one_named_origin_and_exposes_the_useful_headers() -> None:
    edge = EdgeSettings.from_environ({"CORS_ALLOW_ORIGIN": "https://shop.test"})
    headers = route_options(edge, SHOPPER_AUTHORIZER)["cors"].get_access_control_headers()
    assert headers["Access-Control-Allow-Origin"] == "https://shop.test"
    assert "X-Request-Id" in headers["Access-Control-Expose-Headers"]
    assert "Authorization" in headers["Access-Control-Allow-Headers"]


def test_deployed_stages_check_callers_and_name_an_origin() -> None:
    stages = json.loads(CONFIG_FILE.read_text())["stages"]
    assert stage_environment("local")["API_AUTH"] == "shopper"
    assert stage_environment("dev")["API_AUTH"] == "shopper"
    assert stage_environment("prod")["API_AUTH"] == "iam"
    for stage in ("dev", "prod"):
        environment = stage_environment(stage)
        assert environment["CORS_ALLOW_ORIGIN"].startswith(("https://", "http://localhost"))
    assert stage_environment("prod")["CORS_ALLOW_ORIGIN"].startswith("https://")
    assert stages["prod"]["xray"] is True
