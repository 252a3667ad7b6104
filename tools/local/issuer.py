"""A local OIDC issuer for `make run` and the tests: shopper tokens without an AWS account.

It makes an RSA key at start, publishes it as a JWKS on loopback (where the service's
verifier fetches it, as it fetches a Cognito user pool's), and signs ID tokens with it.
`make run` writes what `make -s token SUB=alice` needs into `.local/issuer.json` (the private
key never leaves this machine, and is new every run); tokens from another run, or from
another key, are refused.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tools.local.loopback import LOOPBACK, send_json, serving
from tools.stage import PROJECT_DIR

AUDIENCE = "cart-service-local"
TOKEN_LIFETIME_SECONDS = 3600
# Where `make run` leaves the issuer for `make token` (LOCAL_ISSUER_FILE moves it, for tests).
ISSUER_FILE = Path(os.environ.get("LOCAL_ISSUER_FILE") or PROJECT_DIR / ".local" / "issuer.json")


class LocalIssuer:
    def __init__(self, url: str, private_key_pem: bytes, kid: str) -> None:
        self.url = url
        self.kid = kid
        # The key is this machine's own (made here, or read back from the file made here):
        # checking it again would take 50 ms a load, and every `make -s token` loads it.
        self._key: Any = serialization.load_pem_private_key(
            private_key_pem, password=None, unsafe_skip_rsa_key_validation=True
        )
        self._pem = private_key_pem

    @classmethod
    def new(cls, url: str) -> LocalIssuer:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return cls(url, pem, f"local-{uuid.uuid4().hex[:8]}")

    @classmethod
    def from_file(cls, path: Path = ISSUER_FILE) -> LocalIssuer:
        document = json.loads(path.read_text())
        return cls(document["issuer"], document["privateKey"].encode(), document["kid"])

    def save(self, path: Path = ISSUER_FILE) -> None:
        path.parent.mkdir(exist_ok=True)
        document = {"issuer": self.url, "kid": self.kid, "privateKey": self._pem.decode()}
        path.write_text(json.dumps(document))
        path.chmod(0o600)

    def token(self, subject: str, lifetime: float = TOKEN_LIFETIME_SECONDS, **claims: Any) -> str:
        """An ID token for `subject`, as a Cognito user pool issues one."""
        now = int(time.time())
        payload = {
            "iss": self.url,
            "aud": AUDIENCE,
            "sub": subject,
            "iat": now,
            "exp": now + int(lifetime),
            "token_use": "id",
            **claims,
        }
        return jwt.encode(payload, self._key, algorithm="RS256", headers={"kid": self.kid})

    def jwks(self) -> dict[str, Any]:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    def verifier_environment(self) -> dict[str, str]:
        """What the service needs to accept this issuer's tokens."""
        return {"SHOPPER_ISSUER": self.url, "SHOPPER_AUDIENCE": AUDIENCE}


class _IssuerServer(ThreadingHTTPServer):
    daemon_threads = True
    issuer: LocalIssuer


class _Handler(BaseHTTPRequestHandler):
    server: _IssuerServer

    def do_GET(self) -> None:
        issuer = self.server.issuer
        if self.path == "/.well-known/jwks.json":
            send_json(self, issuer.jwks())
        elif self.path == "/.well-known/openid-configuration":
            send_json(
                self, {"issuer": issuer.url, "jwks_uri": f"{issuer.url}/.well-known/jwks.json"}
            )
        else:
            self.send_error(404)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: one JWKS fetch per service container."""


@contextmanager
def local_issuer() -> Iterator[LocalIssuer]:
    """A new issuer, publishing its key on a free loopback port, for the duration."""
    server = _IssuerServer((LOOPBACK, 0), _Handler)
    server.issuer = LocalIssuer.new(f"http://{LOOPBACK}:{server.server_port}")
    with serving(server):
        yield server.issuer
