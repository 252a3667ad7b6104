"""Bearer tokens in `shopper` mode: who the caller is.

Two kinds of token are accepted, told apart by their form:
- a shopper token: an OIDC ID token (JWT, RS256) from the stage's issuer, verified with the
  issuer's published keys (JWKS, fetched once and cached by PyJWT); the shopper is its `sub`.
- a cart token (`cart.<kid>.<cartId>.<signature>`), verified with the stage's key ring.

The same verifier runs in the API Gateway authorizer (and in `chalice local`, which runs it
too) and in `POST /carts`, the one route without an authorizer, where a token is optional.
PyJWT and its cryptography backend are imported on the first shopper token, so requests
that carry none do not pay for them.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from chalicelib.domain.access import GUEST, SHOPPER, Caller, guest, shopper
from chalicelib.domain.errors import Unauthenticated
from chalicelib.domain.identifiers import CUSTOMER_ID
from chalicelib.service import cart_tokens
from chalicelib.service.keys import KeyRing

BEARER = "Bearer "
WWW_AUTHENTICATE = 'Bearer realm="cart-service"'
"""What every 401 answers in its WWW-Authenticate header, from the service or the gateway."""
MAX_TOKEN_LENGTH = 4096
JWKS_CACHE_SECONDS = 3600


class Unauthorized(Exception):
    """Raised by the authorizer for a refused token: API Gateway answers 401 for exactly
    this message (tools/local/chalice_local.py makes `chalice local` do the same)."""

    def __init__(self) -> None:
        super().__init__("Unauthorized")


class TokenVerifier:
    def __init__(
        self,
        issuer: str | None,
        audience: str | None,
        keys: Callable[[], KeyRing],
        jwks_url: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._issuer = issuer
        self._audience = audience
        self._keys = keys
        if jwks_url is None and issuer is not None:
            jwks_url = f"{issuer.rstrip('/')}/.well-known/jwks.json"  # Cognito's, Auth0's
        self._jwks_url = jwks_url
        self._clock = clock

    def caller(self, authorization: str | None) -> tuple[Caller, int]:
        """The caller an `Authorization` header names, and until when (epoch seconds) that
        holds; Unauthenticated when it is missing or not a valid token."""
        if not authorization or not authorization.startswith(BEARER):
            raise Unauthenticated("send Authorization: Bearer <token>")
        token = authorization[len(BEARER) :].strip()
        if not 0 < len(token) <= MAX_TOKEN_LENGTH:
            raise Unauthenticated("the token is malformed")
        if cart_tokens.looks_like_one(token):
            cart_id = cart_tokens.cart_of(token, self._keys())
            if cart_id is None:
                raise Unauthenticated("the cart token is not one this service issued")
            return guest(cart_id), 0
        claims = self._shopper_claims(token)
        return shopper(claims["sub"]), int(claims["exp"])

    def _shopper_claims(self, token: str) -> dict[str, Any]:
        import jwt

        if self._jwks_url is None or self._audience is None:
            raise Unauthenticated("this stage accepts cart tokens only (no issuer configured)")
        try:
            signing_key = self._jwks_client.get_signing_key_from_jwt(token)
            claims: dict[str, Any] = jwt.decode(
                token,
                signing_key.key,
                algorithms=["RS256"],
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.PyJWTError as error:
            raise Unauthenticated(f"the token is not valid ({type(error).__name__})") from None
        if claims.get("token_use", "id") != "id":
            raise Unauthenticated("send the ID token, not an access token")
        if not (isinstance(claims["sub"], str) and CUSTOMER_ID.fullmatch(claims["sub"])):
            raise Unauthenticated("the token's subject is not a customer id")
        return claims

    @functools.cached_property
    def _jwks_client(self) -> Any:
        import jwt

        return jwt.PyJWKClient(self._jwks_url or "", cache_keys=True, lifespan=JWKS_CACHE_SECONDS)

    def still_valid(self, caller: Caller, until: int) -> Caller:
        """`caller` as an authorizer's answer named it, unless that answer outlived the
        token: API Gateway caches an Allow per token, beyond the JWT's `exp`."""
        if caller.kind == SHOPPER and until <= self._clock():
            raise Unauthenticated("the token has expired")
        return caller


def context_for(caller: Caller, until: int) -> dict[str, str]:
    """An authorizer's context for a caller: flat strings, as API Gateway takes them."""
    if caller.kind == SHOPPER:
        return {"kind": SHOPPER, "subject": caller.subject or "", "until": str(until)}
    return {"kind": GUEST, "cartId": caller.cart_id or "", "until": str(until)}


def caller_from_context(context: dict[str, Any]) -> tuple[Caller, int]:
    """The caller the authorizer named (API Gateway may hand numbers back as strings)."""
    until = int(context.get("until") or 0)
    if context.get("kind") == SHOPPER and context.get("subject"):
        return shopper(str(context["subject"])), until
    if context.get("kind") == GUEST and context.get("cartId"):
        return guest(str(context["cartId"])), until
    raise Unauthenticated("the request carries no identity")
