"""Print a new certificate signing key for CERTIFICATE_SIGNING_KEY, and its public half."""

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management.base import BaseCommand

from certificates.signing import b64url, b64url_decode, key_line_new


class Command(BaseCommand):
    help = "Make a new Ed25519 key for signing certificates (printed, never stored)."

    def add_arguments(self, parser):
        parser.add_argument("--key-id", help="Key id (default: random, e.g. k3f9a01c2).")

    def handle(self, *args, key_id=None, **options):
        line = key_line_new(key_id)
        key_id, _, private = line.partition(":")
        public = (
            Ed25519PrivateKey.from_private_bytes(b64url_decode(private))
            .public_key()
            .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        )
        self.stdout.write(f"CERTIFICATE_SIGNING_KEY={line}")
        self.stdout.write(
            f"# After the next rotation, add to CERTIFICATE_RETIRED_KEYS: {key_id}:{b64url(public)}"
        )
