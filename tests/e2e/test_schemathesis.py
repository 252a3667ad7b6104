"""Generated requests from openapi.yaml against the running service: no 5xx, and every
response (status, content type, headers, body) is one the document allows.

`make test` runs a bounded campaign (FUZZ_EXAMPLES per operation, fixed seed); `make fuzz`
runs a long one with new seeds.
"""

import os
import subprocess
import sys
from pathlib import Path

from tests.e2e.conftest import Stack
from tests.openapi import OPENAPI_FILE
from tools.stage import PROJECT_DIR

CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "missing_required_header",
    "unsupported_method",
    "allow_header_conformance",
]


def test_generated_requests_get_documented_answers_and_no_server_errors(stack: Stack) -> None:
    examples = os.environ.get("FUZZ_EXAMPLES", "50")
    seed = os.environ.get("FUZZ_SEED", "20261125")
    schemathesis = Path(sys.executable).parent / "schemathesis"
    result = subprocess.run(
        [
            str(schemathesis),
            "run",
            str(OPENAPI_FILE),
            "--url",
            stack.base_url,
            "--checks",
            ",".join(CHECKS),
            "--max-examples",
            examples,
            "--seed",
            seed,
            "--generation-database",
            "none",
            "--no-color",
        ],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=float(os.environ.get("FUZZ_TIMEOUT", "600")),
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
