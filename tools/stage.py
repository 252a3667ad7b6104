"""A stage's settings as .chalice/config.json gives them to the deployed functions."""

from __future__ import annotations

import json
from pathlib import Path

from chalicelib.settings import Settings

PROJECT_DIR = Path(__file__).resolve().parent.parent
CONFIG_FILE = PROJECT_DIR / ".chalice" / "config.json"


def stage_environment(stage: str) -> dict[str, str]:
    config = json.loads(CONFIG_FILE.read_text())
    if stage not in config["stages"]:
        raise SystemExit(f"no stage {stage!r} in {CONFIG_FILE}")
    environment: dict[str, str] = dict(config.get("environment_variables", {}))
    environment.update(config["stages"][stage].get("environment_variables", {}))
    return environment


def stage_settings(stage: str) -> Settings:
    return Settings.from_environ(stage_environment(stage))
