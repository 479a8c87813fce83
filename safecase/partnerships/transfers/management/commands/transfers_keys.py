"""``manage.py transfers_keys``: print this installation's public transfer keys, to give to
the operators of other installations (they add the signing key to their
SAFECASE_TRANSFER_TRUSTED_SENDERS and encrypt to the encryption key)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from safecase.partnerships.transfers import keys


class Command(BaseCommand):
    help = "Print this installation's public transfer keys (signing and encryption)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"installation: {keys.installation_name()}")
        self.stdout.write(f"signing key id: {keys.signing_key_id()}")
        self.stdout.write(f"signing public key (Ed25519): {keys.b64(keys.signing_public())}")
        self.stdout.write(f"encryption public key (X25519): {keys.b64(keys.encryption_public())}")
