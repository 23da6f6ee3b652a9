"""RS256 JSON Web Tokens, as Xero issues for access and id tokens (FACTS §3.4).

Signed with cryptography directly (no extra dependency); the public key is published as a JWKS so
an OpenID client library can verify id_tokens exactly as it would against identity.xero.com.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _int_b64(value: int) -> str:
    return _b64(value.to_bytes((value.bit_length() + 7) // 8, "big"))


class Signer:
    """One RSA key pair: signs tokens and describes itself as a JWKS."""

    def __init__(self, pem: bytes | None = None) -> None:
        if pem is None:
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        else:
            key = serialization.load_pem_private_key(pem, password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        self._key = key
        numbers = key.public_key().public_numbers()
        self.kid = hashlib.sha256(str(numbers.n).encode()).hexdigest()[:16]
        self._jwk = {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid,
                     "e": _int_b64(numbers.e), "n": _int_b64(numbers.n)}

    def pem(self) -> bytes:
        """The private key, for persisting across restarts."""
        return self._key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def sign(self, claims: dict[str, Any]) -> str:
        """A compact RS256 JWT of the claims."""
        header = {"alg": "RS256", "kid": self.kid, "typ": "JWT"}
        signing_input = (
            _b64(json.dumps(header, separators=(",", ":")).encode())
            + "."
            + _b64(json.dumps(claims, separators=(",", ":")).encode())
        )
        signature = self._key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return signing_input + "." + _b64(signature)

    def jwks(self) -> dict[str, Any]:
        """The public key set served at the OpenID jwks_uri."""
        return {"keys": [self._jwk]}
