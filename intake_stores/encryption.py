"""Encryption at rest for contact details and other protected health information.

Columns of type `EncryptedText` hold Fernet tokens (AES-128-CBC with an HMAC-SHA256,
from `cryptography`): the database file, its backups and anyone with read access to
the database see ciphertext only. The key comes from INTAKE_ENCRYPTION_KEY (a Fernet
key: `python -m intake key`). Without it:
- production (INTAKE_PROFILE=prod, `make serve-prod`): the servers refuse to start;
- development: a key is generated once into var/intake_encryption.key (mode 600, or
  INTAKE_ENCRYPTION_KEY_FILE) and reused, so `make run` works on a fresh checkout.
Losing the key loses the encrypted columns: back the key up apart from the database.
"""

import os
from functools import lru_cache
from pathlib import Path
from typing import Optional, Text

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken

KEY_VARIABLE = "INTAKE_ENCRYPTION_KEY"
KEY_FILE_VARIABLE = "INTAKE_ENCRYPTION_KEY_FILE"
PROFILE_VARIABLE = "INTAKE_PROFILE"
DEFAULT_KEY_FILE = Path(__file__).resolve().parent.parent / "var" / "intake_encryption.key"


class EncryptionKeyError(RuntimeError):
    """No usable key; the message says what to do and never contains a key."""


def production() -> bool:
    return os.environ.get(PROFILE_VARIABLE, "dev").lower() == "prod"


def _dev_key_file() -> Path:
    return Path(os.environ.get(KEY_FILE_VARIABLE) or DEFAULT_KEY_FILE)


def _read_or_create(path: Path) -> bytes:
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return path.read_bytes().strip()
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key + b"\n")
    return key


def load_key() -> bytes:
    key = os.environ.get(KEY_VARIABLE, "").strip()
    if not key:
        if production():
            raise EncryptionKeyError(
                f"{KEY_VARIABLE} is not set. The production profile stores contact details "
                f"encrypted and will not start without a key. Create one with "
                f"`python -m intake key`, keep it in your secret store, and set {KEY_VARIABLE}."
            )
        return _read_or_create(_dev_key_file())
    return key.encode()


@lru_cache(maxsize=4)
def _fernet_for(key: bytes) -> Fernet:
    try:
        return Fernet(key)
    except (ValueError, TypeError):
        raise EncryptionKeyError(
            "the encryption key is not a Fernet key (32 url-safe base64-encoded bytes); "
            "create one with `python -m intake key`"
        ) from None


def fernet() -> Fernet:
    return _fernet_for(load_key())


def check_key() -> None:
    """Fails at start-up, not at the first stored intake."""
    fernet()


def generate_key() -> Text:
    return Fernet.generate_key().decode()


class EncryptedText(sa.types.TypeDecorator):
    """Text encrypted with the practice's key; NULL stays NULL (nothing to protect)."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: Optional[Text], dialect) -> Optional[Text]:
        if value is None:
            return None
        return fernet().encrypt(str(value).encode("utf-8")).decode("ascii")

    def process_result_value(self, value: Optional[Text], dialect) -> Optional[Text]:
        if value is None:
            return None
        try:
            return fernet().decrypt(value.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise EncryptionKeyError(
                "an encrypted column could not be decrypted: the key is not the one it was written with"
            ) from None
