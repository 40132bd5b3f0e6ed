"""Ed25519 signatures over certificate claims, with key ids so keys can be rotated.

The current key comes from ``CERTIFICATE_SIGNING_KEY`` ("<key id>:<base64url of the 32-byte
private key>"; make one with ``manage.py certificate_key_new``). Keys retired by a rotation stay
in ``CERTIFICATE_RETIRED_KEYS`` ("<key id>:<base64url public key>", comma-separated): their
certificates keep verifying and the keys stay published. Outside production, without a key in
the environment, a key is made once and kept in ``var/`` so that ``make run`` and the tests
need no set-up.
"""

from __future__ import annotations

import base64
import functools
import json
import os
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

RAW = serialization.Encoding.Raw


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def canonical(claim: dict) -> bytes:
    """The bytes that are signed: JSON with sorted keys, no spaces, UTF-8 (RFC 8785-like for
    the strings, integers and nulls a claim holds; claims carry no floats)."""
    return json.dumps(claim, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True)
class SigningKey:
    key_id: str
    private: Ed25519PrivateKey

    def sign(self, claim: dict) -> str:
        return b64url(self.private.sign(canonical(claim)))


def key_line_new(key_id: str | None = None) -> str:
    """A new key in the environment's format."""
    key_id = key_id or f"k{secrets.token_hex(4)}"
    raw = Ed25519PrivateKey.generate().private_bytes(
        RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return f"{key_id}:{b64url(raw)}"


def _parse(line: str, what: str) -> tuple[str, bytes]:
    key_id, _, encoded = line.strip().partition(":")
    try:
        raw = b64url_decode(encoded)
    except ValueError:
        raw = b""
    if not key_id or len(raw) != 32:
        raise ImproperlyConfigured(f"{what} must be '<key id>:<base64url of 32 bytes>'.")
    return key_id, raw


def _key_file_line() -> str:
    path = settings.CERTIFICATE_KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # Made once; O_EXCL so that two processes starting together agree on one key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as file:
        line = key_line_new("local")
        file.write(line + "\n")
    return line


@functools.cache
def current_key() -> SigningKey:
    line = settings.CERTIFICATE_SIGNING_KEY or _key_file_line()
    key_id, raw = _parse(line, "CERTIFICATE_SIGNING_KEY")
    return SigningKey(key_id, Ed25519PrivateKey.from_private_bytes(raw))


@functools.cache
def public_keys() -> dict[str, tuple[Ed25519PublicKey, str]]:
    """Every key a certificate may be signed with: id → (public key, "current" or "retired")."""
    current = current_key()
    keys = {current.key_id: (current.private.public_key(), "current")}
    for line in filter(None, settings.CERTIFICATE_RETIRED_KEYS.split(",")):
        key_id, raw = _parse(line, "CERTIFICATE_RETIRED_KEYS")
        keys.setdefault(key_id, (Ed25519PublicKey.from_public_bytes(raw), "retired"))
    return keys


def verify(claim: dict, key_id: str, signature: str) -> bool:
    """True only if ``signature`` is a signature over exactly ``claim`` by a published key."""
    entry = public_keys().get(key_id)
    if entry is None:
        return False
    try:
        entry[0].verify(b64url_decode(signature), canonical(claim))
    except (InvalidSignature, ValueError):
        return False
    return True


def jwks() -> dict:
    """The published keys as a JSON Web Key Set (RFC 8037 OKP keys)."""
    return {
        "keys": [
            {
                "kty": "OKP",
                "crv": "Ed25519",
                "kid": key_id,
                "use": "sig",
                "alg": "EdDSA",
                "x": b64url(public.public_bytes(RAW, serialization.PublicFormat.Raw)),
                "status": status,
            }
            for key_id, (public, status) in public_keys().items()
        ]
    }
