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


# A deployed stage never carries a key in its configuration (the key ring lives in its
# secret) and always checks its callers.
LITERAL_KEYS = ("TOKEN_KEYS", "PAGE_TOKEN_KEY")


def refuse_undeployable(stage: str) -> None:
    """Stop `make package`/`make deploy` of a stage that carries a key or runs unchecked."""
    environment = stage_environment(stage)
    literal = [name for name in LITERAL_KEYS if name in environment]
    if literal:
        raise SystemExit(
            f"stage {stage} carries {', '.join(literal)} in .chalice/config.json: keys belong "
            "in the stage's secret (infra/tables.json), never in the repository"
        )
    if environment.get("API_AUTH", "iam") == "none":
        raise SystemExit(f"stage {stage} has API_AUTH=none: a deployed API checks its callers")
