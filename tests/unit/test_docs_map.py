"""docs/architecture.md's map of the code ("Where things are") names every module under
chalicelib/ and no module that does not exist: a module added, moved or removed without its
line in the map fails here."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARCHITECTURE = ROOT / "docs" / "architecture.md"
ENTRY = re.compile(r"[\w./-]+(?:\.py|/)")


def map_lines() -> list[str]:
    """The code block under the heading "Where things are"."""
    text = ARCHITECTURE.read_text()
    section = text[text.index("## Where things are") :]
    return section.split("```")[1].splitlines()


def modules_in_the_map() -> set[str]:
    """Each line names, before its description, the files or folders it is about; a folder's
    entries are the lines indented under it."""
    named: set[str] = set()
    folders: list[tuple[int, str]] = []  # (indent, path) of the folders that enclose a line
    for line in map_lines():
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        folders = [(depth, path) for depth, path in folders if depth < indent]
        parent = folders[-1][1] if folders else ""
        for token in line.split():
            if not ENTRY.fullmatch(token):
                break  # the description starts
            if token.endswith("/"):
                folders.append((indent, parent + token))
            else:
                named.add(parent + token)
    return {name for name in named if name.startswith("chalicelib/")}


def modules_in_the_code() -> set[str]:
    return {
        str(path.relative_to(ROOT))
        for path in (ROOT / "chalicelib").rglob("*.py")
        if path.name != "__init__.py"
    }


def test_the_map_names_every_module_and_only_modules_that_exist() -> None:
    named, present = modules_in_the_map(), modules_in_the_code()
    assert sorted(present - named) == [], "modules the map does not name"
    assert sorted(named - present) == [], "modules the map names that do not exist"


def test_the_readme_stays_a_front_door_of_250_lines_or_fewer() -> None:
    assert len((ROOT / "README.md").read_text().splitlines()) <= 250
