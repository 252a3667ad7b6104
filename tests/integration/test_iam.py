"""Least privilege, checked against what the code really does.

Every DynamoDB and EventBridge call made by the API, function and event tests of this
session was recorded, as IAM sees it, per function. Each function's policy must grant
exactly those actions on exactly those tables and bus: nothing the code needs is missing,
nothing it never calls is granted.
"""

import pytest

from chalicelib.dynamodb.tables import TABLES
from tests.iam_recorder import IamRecorder
from tools.deploy.policies import (
    ACCESS,
    API_HANDLER,
    EVENT_FUNCTIONS,
    PUBLISHERS,
    SCHEDULED,
    function_access,
)

SUITES = {
    "test_api.py",
    "test_functions.py",
    "test_exactly_once.py",
    "test_events.py",
    "test_discounts.py",
    "test_holds.py",
}


@pytest.mark.after_the_suite
def test_every_policy_grants_exactly_what_its_function_calls(
    request: pytest.FixtureRequest, iam_recorder: IamRecorder, stage_env: dict[str, str]
) -> None:
    if not {item.path.name for item in request.session.items} >= SUITES:
        pytest.skip("needs the API and function tests in the same run")
    table_of = {stage_env[table.variable]: name for name, table in TABLES.items()}

    def logical(resource: str) -> str:
        name, _, index = resource.partition("/index/")
        return table_of[name] + (f"/index/{index}" if index else "")

    bus = stage_env["EVENT_BUS_NAME"]
    for function in (API_HANDLER, *ACCESS, *SCHEDULED, *EVENT_FUNCTIONS):
        recorded = iam_recorder.calls[function]
        published = {action for name, action in recorded if name == bus}
        assert published == ({"PutEvents"} if function in PUBLISHERS else set()), function
        called = {(logical(name), action) for name, action in recorded if name != bus}
        granted = {
            (table, action)
            for table, actions in function_access(function).items()
            for action in actions
        }
        assert called - granted == set(), f"{function} calls what its policy does not grant"
        assert granted - called == set(), f"{function}'s policy grants what it never calls"
