"""The composition root: builds the service and its collaborators from the stage's settings.

`build` hands every collaborator in; nothing else reaches for a global to find one. A Lambda
container builds once, on its first request (`Container`); tests build what they need with
the same function and hand it to the app's container with `use`.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

from chalicelib.domain.clock import utc_now
from chalicelib.domain.tax import TaxCalculator
from chalicelib.dynamodb.attempts import DynamoCodeAttempts
from chalicelib.dynamodb.calls import count_round_trips
from chalicelib.dynamodb.carts import DynamoCartRepository
from chalicelib.dynamodb.holds import DynamoHoldSweep
from chalicelib.dynamodb.products import DynamoProductRepository
from chalicelib.dynamodb.promotions import DynamoPromotionRepository
from chalicelib.dynamodb.rates import DynamoRateRepository
from chalicelib.dynamodb.receipts import DynamoReceiptStore
from chalicelib.dynamodb.stock import DynamoStockLedger
from chalicelib.edge.auth import TokenVerifier
from chalicelib.edge.services import Services
from chalicelib.service.catalog import Catalog
from chalicelib.service.keys import KeyRing
from chalicelib.service.operations import CartService
from chalicelib.service.pricing import Pricing
from chalicelib.service.promotions import Promotions
from chalicelib.service.rates import RateTables
from chalicelib.settings import Settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from chalicelib.service.events import CartEvents


def dynamodb_client(
    settings: Settings, session: boto3.session.Session | None = None
) -> DynamoDBClient:
    """A DynamoDB client with botocore's `standard` retries and bounded timeouts.

    The endpoint comes from botocore's own configuration (AWS_ENDPOINT_URL_DYNAMODB points
    it at the local server), so nothing here differs between local and AWS. A `session`
    given is reused (its service models are loaded once: what tests that build many want).
    """
    client: DynamoDBClient = (session or boto3.session.Session()).client(
        "dynamodb",
        config=Config(
            retries={"mode": "standard", "total_max_attempts": settings.dynamodb_max_attempts},
            connect_timeout=settings.dynamodb_connect_timeout,
            read_timeout=settings.dynamodb_read_timeout,
            max_pool_connections=settings.dynamodb_max_connections,
            tcp_keepalive=True,
        ),
    )
    return client


def build(settings: Settings, client: DynamoDBClient) -> Services:
    count_round_trips(client)  # each call's attempts, retries and throttles, in the metrics
    catalog = Catalog(
        DynamoProductRepository(client, settings.products_table, settings.stock_table),
        settings.catalog_cache_seconds,
    )
    promotions = Promotions(
        DynamoPromotionRepository(client, settings.promotions_table, settings.promotion_uses_table),
        settings.catalog_cache_seconds,
    )
    rates = RateTables(
        DynamoRateRepository(client, settings.rates_table), settings.catalog_cache_seconds
    )
    pricing = Pricing(catalog, promotions, rates, tax_service(settings), settings.tax_timeout)
    carts = cart_repository(settings, client)
    keys = key_ring(settings)
    lifetime = timedelta(days=settings.cart_ttl_days)
    attempts = DynamoCodeAttempts(client, settings.code_attempts_table)
    service = CartService(
        carts,
        pricing,
        keys,
        attempts,
        DynamoStockLedger(client, settings.stock_table, settings.idempotency_table),
        DynamoHoldSweep(
            client, settings.carts_table, settings.stock_table, settings.hold_counts_table
        ),
        lifetime=lifetime,
        codes_per_address=settings.codes_per_address,
        holds_per_address=settings.holds_per_address,
        holds_per_shopper=settings.holds_per_shopper,
    )
    verifier = TokenVerifier(
        settings.shopper_issuer, settings.shopper_audience, keys, settings.shopper_jwks_url
    )
    return Services(service, DynamoReceiptStore(client, settings.idempotency_table), verifier)


def cart_repository(
    settings: Settings, client: DynamoDBClient, **options: Any
) -> DynamoCartRepository:
    """The stage's cart repository on its tables (`options`: DynamoCartRepository's)."""
    return DynamoCartRepository(
        client,
        settings.carts_table,
        settings.cart_items_table,
        settings.idempotency_table,
        settings.promotion_uses_table,
        settings.stock_table,
        settings.hold_counts_table,
        **options,
    )


def tax_service(settings: Settings) -> TaxCalculator | None:
    """The shop's tax service, if TAX_SERVICE names one ("module:function", a function from
    a TaxRequest to a TaxResult: docs/configuration.md); else the rate table calculates."""
    if settings.tax_service is None:
        return None
    module, _, name = settings.tax_service.partition(":")
    calculator: TaxCalculator = getattr(importlib.import_module(module), name)
    return calculator


def key_ring(settings: Settings) -> Callable[[], KeyRing]:
    """The stage's key ring, read on first use (most requests sign nothing) and then kept:
    from TOKEN_KEYS, or from the secret TOKEN_SECRET_ARN names, once per container."""

    @functools.cache
    def load() -> KeyRing:
        if settings.token_keys:
            return KeyRing.parse(settings.token_keys)
        if settings.token_secret_arn:
            secrets = boto3.session.Session().client("secretsmanager")
            secret = secrets.get_secret_value(SecretId=settings.token_secret_arn)
            return KeyRing.parse(secret["SecretString"])
        raise RuntimeError("set TOKEN_KEYS or TOKEN_SECRET_ARN: tokens need a key ring")

    return load


def from_environment() -> Services:
    settings = Settings.from_environ()
    return build(settings, dynamodb_client(settings))


def build_events(
    settings: Settings,
    dynamodb: DynamoDBClient,
    eventbridge: Any,
    clock: Callable[[], datetime] = utc_now,
) -> CartEvents:
    """What the stream consumer and the abandoned-cart sweep run on (imported here: the
    API's functions never load them)."""
    from chalicelib.dynamodb.abandonment import DynamoIdleCarts
    from chalicelib.eventbridge.bus import EventBridgeBus
    from chalicelib.service.events import CartEvents

    count_round_trips(dynamodb)

    return CartEvents(
        EventBridgeBus(eventbridge, settings.event_bus_name),
        DynamoIdleCarts(dynamodb, settings.carts_table),
        timedelta(hours=settings.abandoned_after_hours),
        clock,
    )


def events_from_environment() -> CartEvents:
    settings = Settings.from_environ()
    eventbridge = boto3.session.Session().client(
        "events",
        config=Config(
            retries={"mode": "standard", "total_max_attempts": settings.dynamodb_max_attempts},
            connect_timeout=settings.dynamodb_connect_timeout,
            read_timeout=settings.dynamodb_read_timeout,
        ),
    )
    return build_events(settings, dynamodb_client(settings), eventbridge)
