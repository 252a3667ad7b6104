"""The README's curl walk-through gives exactly the outputs it shows (bar ids and times)."""

import os
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import Stack
from tests.readme_session import README, normalized, readme_steps, run_steps


def test_the_readme_walk_through_answers_as_documented(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `python3` in the walk-through is whatever the reader has; here, this interpreter.
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    steps = readme_steps(README.read_text())
    assert len(steps) >= 10
    outputs = run_steps(steps, stack.base_url)
    for step, output in zip(steps, outputs, strict=True):
        assert normalized(output) == normalized(step.output), step.command
