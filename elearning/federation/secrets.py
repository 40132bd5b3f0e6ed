"""Client secrets of identity providers, encrypted at rest.

The key is ``FEDERATION_SECRETS_KEY`` from the environment (a Fernet key,
``python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'``),
or, without it, derived from ``SECRET_KEY``: rotating SECRET_KEY then means entering the
client secrets again. A secret is never decrypted for display, only to talk to the provider.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    key = getattr(settings, "FEDERATION_SECRETS_KEY", "")
    if not key:
        digest = hashlib.sha256(b"federation-client-secrets:" + settings.SECRET_KEY.encode())
        key = base64.urlsafe_b64encode(digest.digest()).decode()
    return Fernet(key)


def secret_encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode() if secret else ""


def secret_decrypt(token: str) -> str:
    """The plain secret, or "" when there is none or it was encrypted under another key."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""
