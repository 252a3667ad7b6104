"""Configuration, read from environment variables (set per stage in .chalice/config.json).

Read lazily, when the first request builds the service: `chalice.test.Client` sets a
stage's variables only while a request runs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import NamedTuple

from chalicelib.domain.attempts import MAX_REFUSED_CODES_PER_ADDRESS
from chalicelib.domain.holds import HOLDS_PER_ADDRESS, HOLDS_PER_SHOPPER
from chalicelib.dynamodb.tables import (
    CART_ITEMS,
    CARTS,
    CODE_ATTEMPTS,
    HOLD_COUNTS,
    IDEMPOTENCY,
    PRODUCTS,
    PROMOTION_USES,
    PROMOTIONS,
    RATES,
    STOCK,
    TABLES,
)

APP_NAME = "cart-service"
"""The Chalice app's name (also `app_name` in .chalice/config.json, as Chalice needs it
there; a test keeps the two alike): every deployed name starts with it."""

METRICS_NAMESPACE = "CartService"
"""The CloudWatch namespace of the service's own metrics (edge/metrics.py); every stage
writes to it, told apart by the `stage` dimension."""


def stage_name(environ: Mapping[str, str] | None = None) -> str:
    """The stage (STAGE, set per stage in .chalice/config.json): the metrics' `stage`
    dimension. Read at each use, like every setting."""
    return (os.environ if environ is None else environ).get("STAGE", "local")


def storefront_url(environ: Mapping[str, str] | None = None) -> str:
    """The shop's storefront (STOREFRONT_URL), where a UCP cart's `continue_url` opens it.
    Read at each use, like every setting."""
    environ = os.environ if environ is None else environ
    return environ.get("STOREFRONT_URL", "http://127.0.0.1:8001").rstrip("/")


def public_base_url(environ: Mapping[str, str] | None = None) -> str:
    """Where the stage's API is, as clients reach it (PUBLIC_BASE_URL: scheme, host and the
    stage's prefix), for what the service publishes (the UCP profile's endpoints). Never
    taken from a request's Host or X-Forwarded-* headers, which any client writes. Read at
    each use, like every setting."""
    environ = os.environ if environ is None else environ
    return environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")


class Settings(NamedTuple):
    table_names: dict[str, str]
    """The stage's name of each table, by the design's name (`Carts`)."""
    catalog_cache_seconds: float = 60.0
    """How long a container keeps catalog prices and the promotions."""
    cart_ttl_days: float = 30.0
    dynamodb_max_attempts: int = 3
    dynamodb_connect_timeout: float = 1.0
    dynamodb_read_timeout: float = 1.0
    dynamodb_max_connections: int = 16
    """The client's connection pool: a function serves one request at a time, with at most
    nine calls at once (parallel.py's eight threads and its own); `chalice local` serves
    each connection on a thread of its own, so the local stage sizes it for its clients."""
    log_level: str = "INFO"
    token_keys: str | None = None
    """The key ring itself (JSON; `make run` and the tests), or else:"""
    token_secret_arn: str | None = None
    """the Secrets Manager secret holding it (a deployed stage)."""
    shopper_issuer: str | None = None
    shopper_audience: str | None = None
    shopper_jwks_url: str | None = None
    event_bus_name: str = f"{APP_NAME}-local"
    """The stage's EventBridge bus of cart events (`cart-service-{stage}`)."""
    abandoned_after_hours: float = 24.0
    """How long an active cart with lines stays unchanged before it is abandoned."""
    tax_service: str | None = None
    """The shop's tax calculator as "module:function" (None: the tax rates table's)."""
    tax_timeout: float = 0.3
    """Seconds the shop's tax service has before the table's estimate is shown."""
    codes_per_address: int = MAX_REFUSED_CODES_PER_ADDRESS
    """Discount codes one client address may have refused in an hour (shared addresses:
    docs/operations.md)."""
    holds_per_address: int = HOLDS_PER_ADDRESS
    """Units a guest's client address may hold at once, over all its carts (domain/holds)."""
    holds_per_shopper: int = HOLDS_PER_SHOPPER
    """Units a signed-in shopper may hold at once, over all their carts."""

    @property
    def carts_table(self) -> str:
        return self.table_names[CARTS.name]

    @property
    def cart_items_table(self) -> str:
        return self.table_names[CART_ITEMS.name]

    @property
    def products_table(self) -> str:
        return self.table_names[PRODUCTS.name]

    @property
    def idempotency_table(self) -> str:
        return self.table_names[IDEMPOTENCY.name]

    @property
    def promotions_table(self) -> str:
        return self.table_names[PROMOTIONS.name]

    @property
    def promotion_uses_table(self) -> str:
        return self.table_names[PROMOTION_USES.name]

    @property
    def rates_table(self) -> str:
        return self.table_names[RATES.name]

    @property
    def code_attempts_table(self) -> str:
        return self.table_names[CODE_ATTEMPTS.name]

    @property
    def stock_table(self) -> str:
        return self.table_names[STOCK.name]

    @property
    def hold_counts_table(self) -> str:
        return self.table_names[HOLD_COUNTS.name]

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        # Looked up at call time: chalice.test.Client swaps os.environ for each request.
        environ = os.environ if environ is None else environ
        try:
            return cls(
                table_names={name: environ[table.variable] for name, table in TABLES.items()},
                catalog_cache_seconds=float(environ.get("CATALOG_CACHE_SECONDS", "60")),
                cart_ttl_days=float(environ.get("CART_TTL_DAYS", "30")),
                dynamodb_max_attempts=int(environ.get("DYNAMODB_MAX_ATTEMPTS", "3")),
                dynamodb_connect_timeout=float(environ.get("DYNAMODB_CONNECT_TIMEOUT", "1")),
                dynamodb_read_timeout=float(environ.get("DYNAMODB_READ_TIMEOUT", "1")),
                dynamodb_max_connections=int(environ.get("DYNAMODB_MAX_CONNECTIONS", "16")),
                log_level=environ.get("LOG_LEVEL", "INFO").upper(),
                token_keys=environ.get("TOKEN_KEYS") or None,
                token_secret_arn=environ.get("TOKEN_SECRET_ARN") or None,
                shopper_issuer=environ.get("SHOPPER_ISSUER") or None,
                shopper_audience=environ.get("SHOPPER_AUDIENCE") or None,
                shopper_jwks_url=environ.get("SHOPPER_JWKS_URL") or None,
                event_bus_name=environ.get("EVENT_BUS_NAME") or f"{APP_NAME}-local",
                abandoned_after_hours=float(environ.get("ABANDONED_AFTER_HOURS", "24")),
                tax_service=environ.get("TAX_SERVICE") or None,
                tax_timeout=float(environ.get("TAX_SERVICE_TIMEOUT", "0.3")),
                codes_per_address=int(
                    environ.get("CODES_PER_ADDRESS", str(MAX_REFUSED_CODES_PER_ADDRESS))
                ),
                holds_per_address=int(environ.get("HOLDS_PER_ADDRESS", str(HOLDS_PER_ADDRESS))),
                holds_per_shopper=int(environ.get("HOLDS_PER_SHOPPER", str(HOLDS_PER_SHOPPER))),
            )
        except KeyError as missing:
            raise RuntimeError(f"environment variable {missing} is not set") from None


API_AUTH_MODES = ("iam", "shopper", "none")


class EdgeSettings(NamedTuple):
    """How the routes are guarded: read when app.py is imported, because Chalice builds the
    API from the routes then (`chalice deploy`/`package` set the stage's variables before
    importing). IAM is the default: a stage must opt out.

    - iam: trusted backends sign with SigV4 and act for any customer;
    - shopper: browsers and apps send a shopper token or a cart token (edge/auth.py);
    - none: no checks at all, for `API_AUTH=none make run` and tests; never deployed.
    """

    api_auth: str = "iam"
    cors_allow_origin: str | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> EdgeSettings:
        environ = os.environ if environ is None else environ
        api_auth = environ.get("API_AUTH", "iam")
        if api_auth not in API_AUTH_MODES:
            raise RuntimeError(f"API_AUTH must be iam, shopper or none, not {api_auth!r}")
        origin = environ.get("CORS_ALLOW_ORIGIN") or None
        if origin == "*":
            raise RuntimeError("CORS_ALLOW_ORIGIN must name an origin, not *")
        return cls(api_auth, origin)


STREAM_ARN_PLACEHOLDER = "arn:aws:dynamodb:us-east-1:000000000000:table/Carts/stream/unset"
"""What the stream consumer is registered with when CARTS_STREAM_ARN is unset: Chalice needs
a literal ARN when it imports app.py. `make package` replaces it with the template's own
stream (tools/deploy/package.py); `make deploy` sets the real one in the stage first."""


def carts_stream_arn(environ: Mapping[str, str] | None = None) -> str:
    """The Carts table's stream: read when app.py is imported, like EdgeSettings."""
    environ = os.environ if environ is None else environ
    return environ.get("CARTS_STREAM_ARN") or STREAM_ARN_PLACEHOLDER
