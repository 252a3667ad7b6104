"""Merging carts: a shopper's own, or a guest's cart they prove is theirs with its token
(signing in keeps the guest's cart); and the merges in steps that no client finished."""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from datetime import timedelta

from chalicelib.domain.access import TRUSTED
from chalicelib.domain.cart import Cart
from chalicelib.domain.change import Change
from chalicelib.domain.commands import MergeCarts
from chalicelib.domain.errors import CartNotFound, CartServiceError
from chalicelib.domain.pricing import PricedCart
from chalicelib.service import cart_tokens
from chalicelib.service.catalog import Catalog
from chalicelib.service.changes import TRUSTED_REQUEST, Changes, RequestContext, committed
from chalicelib.service.keys import KeyRing
from chalicelib.service.ports import CartRepository

log = logging.getLogger(__name__)

STALLED_MERGE_AGE = timedelta(minutes=1)
"""A merge in steps still unfinished this long after it started was interrupted."""


class Merging:
    def __init__(
        self,
        changes: Changes,
        carts: CartRepository,
        catalog: Catalog,
        keys: Callable[[], KeyRing],
    ) -> None:
        self._changes = changes
        self._carts = carts
        self._catalog = catalog
        self._keys = keys

    def merge(
        self,
        cart_id: str,
        command: MergeCarts,
        context: RequestContext = TRUSTED_REQUEST,
    ) -> PricedCart:
        """Move the source cart's lines into this one; the source is gone afterwards.

        A shopper merges their own carts, or a guest cart they prove is theirs with its cart
        token (`sourceCartToken`): signing in keeps the guest's cart."""
        proven_source = None
        if command.source_cart_token is not None:
            proven_source = cart_tokens.cart_of(command.source_cart_token, self._keys())

        def merge(change: Change) -> Cart:
            target = self._changes.read(cart_id, context.caller, change.now, decisive=True)
            source = self._carts.get_for_change(command.source_cart_id, change.now)
            caller = context.caller
            if caller.kind != TRUSTED and not (
                (source.customer_id is not None and source.customer_id == caller.subject)
                or (source.customer_id is None and proven_source == source.cart_id)
            ):
                raise CartNotFound(source.cart_id)
            if source.merging_into == target.cart_id and target.merging_from == source.cart_id:
                self._carts.finish_merge(target.cart_id, change)  # an earlier attempt's, in steps
                with committed(target.cart_id):
                    return self._carts.get(target.cart_id, change.now)
            products = self._catalog.get_many({line.product_id for line in source.lines})
            merged = copy.deepcopy(target)
            counts = merged.merge(source, change, products)  # the rules: raise before any write
            return self._carts.merge(target, source, merged, change, counts)

        return self._changes.on_fresh_reads(cart_id, context, merge)

    def finish_stalled(self) -> list[str]:
        """Finish every merge in steps interrupted over a minute ago (a client that never
        retried, a function that died): the carts it had locked change again. The targets
        finished."""
        change = self._changes.change(TRUSTED_REQUEST)
        finished = []
        for target_id in self._carts.merges_started_before(change.now - STALLED_MERGE_AGE):
            try:
                if self._carts.finish_merge(target_id, change):
                    finished.append(target_id)
            except CartServiceError as error:  # the next sweep tries again
                log.warning("merge into cart %s not finished yet: %s", target_id, error.detail)
        return finished
