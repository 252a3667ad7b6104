"""`make run`'s chalice local reloads on the app's sources and configuration only: a log, a
cache or a package written inside the project (by mypy, locust or `make test`'s other runs)
no longer restarts its worker mid-request."""

from pathlib import Path

from chalice.cli.filewatch.stat import StatFileWatcher

from tools.local import chalice_local


def test_the_autoreload_watches_the_apps_sources_and_configuration_only(tmp_path: Path) -> None:
    watched = ["app.py", ".chalice/config.json", "chalicelib/wiring.py", "chalicelib/x/data.json"]
    ignored = ["build/e2e.log", ".mypy_cache/3.11/app.data.json", "chalicelib/__pycache__/a.pyc"]
    ignored += [".chalice/deployments/x.json", "README.md", "tests/test_x.py"]
    for name in watched + ignored:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    chalice_local._reload_on_sources_only()
    watcher = StatFileWatcher()
    found = {
        str(Path(path).relative_to(tmp_path))
        for path in watcher._recursive_walk_files(str(tmp_path))
    }
    assert found == set(watched)
    watcher._seed_mtime_cache(str(tmp_path))
    assert set(watcher._mtime_cache) == {str(tmp_path / name) for name in watched}
