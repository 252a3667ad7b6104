"""Test-wide set-up: dummy AWS credentials, never a real AWS endpoint, the local stage.

Set at import, before any boto3 client exists (moto's in-process mock needs that) and before
app.py is imported: like `chalice local`, the process runs with the local stage's variables,
but in `iam` mode: the in-process tests call as a trusted backend (API Gateway checks IAM,
so nothing in process does). Shopper mode is tested over HTTP, against `chalice local`,
which runs the token checks as API Gateway would. The end-to-end tests point their servers
at a local moto server explicitly.
"""

import os

from tools.stage import stage_environment

TEST_KEY_RING = '{"current": "test", "test": "a-key-for-the-tests-only"}'

for variable in (
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_DYNAMODB",
    "AWS_ENDPOINT_URL_EVENTS",
    "AWS_PROFILE",
):
    os.environ.pop(variable, None)
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",  # moto's DynamoDB Streams needs it
        **stage_environment("local"),
        "API_AUTH": "iam",
        "TOKEN_KEYS": TEST_KEY_RING,
    }
)
