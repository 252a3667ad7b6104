"""The access line is written whatever its fields hold: a log line is never what fails."""

from __future__ import annotations

import pytest

from chalicelib.edge import logs
from tests import emf


def test_an_access_line_naming_a_lone_surrogate_is_written_all_the_same(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A direct invocation's payload is JSON that Lambda decodes: "\ud800" decodes to a lone
    # surrogate, which orjson refuses to write.
    with logs.access_log("r-1", ("operation",), operation="get_cart", cartId="\ud800") as entry:
        entry["status"] = 404
    (line,) = emf.access_lines(capsys.readouterr().out)
    assert (line["cartId"], line["status"], line["requestId"]) == ("\ud800", 404, "r-1")
    emf.check(line)
