"""`make -s token SUB=alice`: one line, a shopper token for `alice` that the running
`make run` accepts for an hour.

    curl -H "Authorization: Bearer $(make -s token SUB=alice)" http://127.0.0.1:8000/me/carts

It reads the key `make run` made (.local/issuer.json) and writes nothing, not even
bytecode (the Makefile runs it with -B), so the running API does not reload.
"""

from __future__ import annotations

import sys

from tools.local.issuer import ISSUER_FILE, LocalIssuer


def main(arguments: list[str]) -> None:
    if len(arguments) != 1 or not arguments[0]:
        sys.exit("usage: make -s token SUB=<shopper id>")
    if not ISSUER_FILE.exists():
        sys.exit("start `make run` first: it makes the local issuer's key")
    print(LocalIssuer.from_file().token(arguments[0]))


if __name__ == "__main__":
    main(sys.argv[1:])
