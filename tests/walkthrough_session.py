"""Runs the curl walk-through of docs/walkthrough.md: every `$ ` line of its ```console
blocks, in order, in one bash session, so its outputs can be checked (and regenerated).

    python -m tests.walkthrough_session http://127.0.0.1:8000          # print the outputs
    python -m tests.walkthrough_session http://127.0.0.1:8000 --write  # put them in the file

(with `make run` going), after a change to what the API answers.
"""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

WALKTHROUGH = Path(__file__).resolve().parent.parent / "docs" / "walkthrough.md"
_BLOCK = re.compile(r"```console\n(.*?)```", re.DOTALL)
_VARIABLE = re.compile(
    r"cart\.[\w-]+\.[0-9a-f-]{36}\.[\w-]+"  # a guest's cart token (a guest cart's UCP id)
    r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"  # ids
    r"|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"  # timestamps
    r"|(?<=^Date: ).*$|(?<=^Server: ).*$"  # headers of the moment and the machine
    r'|(?<="cartToken": ")[^"]+',  # a guest's cart token
    re.MULTILINE,
)


@dataclass
class Step:
    command: str
    output: str


def walkthrough_steps(text: str) -> list[Step]:
    """Each `$ command` of the console blocks with the output the document shows for it."""
    steps: list[Step] = []
    for block in _BLOCK.findall(text):
        for chunk in re.split(r"^\$ ", block, flags=re.MULTILINE)[1:]:
            command, _, output = chunk.partition("\n")
            steps.append(Step(command, output.rstrip("\n")))
    return steps


def run_steps(steps: list[Step], api: str) -> list[str]:
    """Run the commands in one shell with API set; each command's output."""
    marker = f"--- {uuid.uuid4()} ---"
    script = "".join(f"{step.command}\necho\necho '{marker}'\n" for step in steps)
    result = subprocess.run(
        ["bash", "-c", f"API={api}\n{script}"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=WALKTHROUGH.parent.parent,  # where `make -s token` runs
    )
    outputs = result.stdout.split(f"{marker}\n")[: len(steps)]
    return [output.replace("\r\n", "\n").rstrip("\n") for output in outputs]


_UNSHOWN_HEADER = re.compile(r"^(Server|Date|Content-Length|Access-Control-[\w-]+): .*\n", re.M)


def trimmed(output: str) -> str:
    """An answer as the walk-through shows it: `curl -i`'s headers without those of the
    machine, the moment, the length and CORS (a reader's terminal shows them too)."""
    if not output.startswith("HTTP/"):
        return output
    head, blank, body = output.partition("\n\n")
    return _UNSHOWN_HEADER.sub("", head + "\n").rstrip("\n") + blank + body


def normalized(output: str) -> str:
    return _VARIABLE.sub("…", output)


def with_outputs(text: str, outputs: list[str]) -> str:
    """The document with each console block's outputs replaced by `outputs`, in order."""
    remaining = iter(outputs)

    def fill(block: re.Match[str]) -> str:
        commands = re.findall(r"^\$ .*$", block.group(1), flags=re.MULTILINE)
        lines = [f"{command}\n{next(remaining)}".rstrip("\n") for command in commands]
        return "```console\n" + "\n\n".join(lines) + "\n```"

    return _BLOCK.sub(fill, text)


if __name__ == "__main__":
    text = WALKTHROUGH.read_text()
    walk = walkthrough_steps(text)
    results = [trimmed(output) for output in run_steps(walk, sys.argv[1])]
    if "--write" in sys.argv:
        WALKTHROUGH.write_text(with_outputs(text, results))
    else:
        for step, output in zip(walk, results, strict=True):
            print(f"$ {step.command}\n{output}\n")
