"""What the edge serves requests with: the collaborators the composition root (wiring.py)
builds, held once per Lambda container."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, NamedTuple, TypeVar

from chalicelib.edge.auth import TokenVerifier
from chalicelib.service.operations import CartService
from chalicelib.service.ports import ReceiptStore

T = TypeVar("T")


class Services(NamedTuple):
    carts: CartService
    receipts: ReceiptStore
    verifier: TokenVerifier


class Container(Generic[T]):
    """What this Lambda container serves with: built on first use, then kept."""

    def __init__(self, builder: Callable[[], T]) -> None:
        self._builder = builder
        self._services: T | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        if self._services is None:
            with self._lock:
                if self._services is None:
                    self._services = self._builder()
        return self._services

    def use(self, services: T | None) -> None:
        """Serve these services from now on (None: build anew on the next request)."""
        self._services = services
