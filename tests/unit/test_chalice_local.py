"""`make run`'s chalice local: it reloads on the app's sources and configuration only (a
log, a cache or a package written inside the project, by mypy, locust or `make test`'s other
runs, no longer restarts its worker mid-request), and each of its threads serves the request
it was handed."""

import threading
from pathlib import Path
from typing import Any

from chalice.app import Chalice, Request
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


def test_two_requests_served_at_once_each_see_their_own() -> None:
    """Two threads of the server, each with its request: the second one's arrival no longer
    replaces the first one's before its route reads it."""

    class App(Chalice):
        pass

    chalice_local._one_request_per_thread(App)
    app = App("cart-service")
    arrived, seen = threading.Barrier(2), {}

    def serve(path: str) -> None:
        event: dict[str, Any] = {
            "requestContext": {"httpMethod": "GET", "resourcePath": path},
            "multiValueQueryStringParameters": None,
            "headers": {},
            "pathParameters": {},
            "stageVariables": None,
            "body": None,
        }
        app.current_request = Request(event, None)
        arrived.wait()
        current = app.current_request
        seen[path] = current.path if current is not None else None

    threads = [threading.Thread(target=serve, args=(path,)) for path in ("/carts/a", "/carts/b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == {"/carts/a": "/carts/a", "/carts/b": "/carts/b"}
