"""Field encryption at rest behind one small interface (DESIGN security notes).

Real-name reporters' identity is encrypted with keys from FIELD_ENCRYPTION_KEYS
(settings: a list of raw keys; the first encrypts, every key decrypts, so keys rotate
without downtime). The cipher is chosen by FIELD_ENCRYPTION_CIPHER: ``aes-gcm``
(default) or ``sm4-gcm`` for a 密码应用安全性评估 that asks for 国密 algorithms. Each
token names its cipher and key, so switching either only affects new writes until
`manage.py rotate_keys` re-encrypts the old ones.

Keys are never used directly: each purpose gets its own subkey through HKDF, so the
same master key can serve AES-256, SM4 (128-bit) and the lookup HMAC without reuse.

Token: ``f1.<cipher>.<key id>.<base64 nonce+ciphertext+tag>``; the associated data
(``context``) binds a token to the field it belongs to, so a value copied into
another field does not decrypt.
"""

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = "f1"
AES_GCM = "aes-gcm"
SM4_GCM = "sm4-gcm"
CIPHERS = (AES_GCM, SM4_GCM)
NONCE_BYTES = 12
TAG_BYTES = 16


class DecryptionError(ValueError):
    """A token that no configured key opens, or that was tampered with."""


@dataclass(frozen=True)
class Key:
    raw: bytes

    @property
    def id(self):
        """A short public fingerprint that says which key made a token."""
        return hashlib.sha256(b"sunlight key id" + self.raw).hexdigest()[:8]

    def subkey(self, purpose, length):
        return HKDF(
            algorithm=hashes.SHA256(),
            length=length,
            salt=None,
            info=b"sunlight field " + purpose.encode(),
        ).derive(self.raw)


def keys():
    configured = getattr(settings, "FIELD_ENCRYPTION_KEYS", None) or []
    if not configured:
        raise ImproperlyConfigured("未配置 FIELD_ENCRYPTION_KEYS，无法加密个人信息。")
    return [Key(bytes(raw)) for raw in configured]


def current_cipher():
    name = getattr(settings, "FIELD_ENCRYPTION_CIPHER", AES_GCM) or AES_GCM
    if name not in CIPHERS:
        raise ImproperlyConfigured(
            f"FIELD_ENCRYPTION_CIPHER={name!r}：只支持 {', '.join(CIPHERS)}"
        )
    return name


def _seal(cipher, key, nonce, data, context):
    if cipher == AES_GCM:
        return AESGCM(key.subkey(AES_GCM, 32)).encrypt(nonce, data, context)
    encryptor = Cipher(
        algorithms.SM4(key.subkey(SM4_GCM, 16)), modes.GCM(nonce)
    ).encryptor()
    encryptor.authenticate_additional_data(context)
    return encryptor.update(data) + encryptor.finalize() + encryptor.tag


def _open(cipher, key, nonce, sealed, context):
    if cipher == AES_GCM:
        return AESGCM(key.subkey(AES_GCM, 32)).decrypt(nonce, sealed, context)
    body, tag = sealed[:-TAG_BYTES], sealed[-TAG_BYTES:]
    decryptor = Cipher(
        algorithms.SM4(key.subkey(SM4_GCM, 16)), modes.GCM(nonce, tag)
    ).decryptor()
    decryptor.authenticate_additional_data(context)
    return decryptor.update(body) + decryptor.finalize()


def encrypt(plaintext: str, context: str) -> str:
    """A token for `plaintext`, under the first key and the configured cipher."""
    cipher, key = current_cipher(), keys()[0]
    nonce = os.urandom(NONCE_BYTES)
    sealed = _seal(cipher, key, nonce, plaintext.encode("utf-8"), context.encode())
    body = base64.urlsafe_b64encode(nonce + sealed).decode("ascii")
    return f"{VERSION}.{cipher}.{key.id}.{body}"


def decrypt(token: str, context: str) -> str:
    try:
        version, cipher, key_id, body = token.split(".", 3)
        raw = base64.urlsafe_b64decode(body.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as error:
        raise DecryptionError("密文格式不正确") from error
    if version != VERSION or cipher not in CIPHERS:
        raise DecryptionError("不认识的密文版本或算法")
    key = next((k for k in keys() if k.id == key_id), None)
    if key is None:
        raise DecryptionError("加密该数据的密钥已不在 FIELD_ENCRYPTION_KEYS 中")
    nonce, sealed = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
    try:
        return _open(cipher, key, nonce, sealed, context.encode()).decode("utf-8")
    except (InvalidTag, ValueError) as error:
        raise DecryptionError("密文已损坏或被篡改") from error


def needs_rotation(token: str) -> bool:
    """Whether `token` was made by an older key or another cipher."""
    parts = token.split(".", 3)
    if len(parts) != 4:
        return True
    return parts[1] != current_cipher() or parts[2] != keys()[0].id


def _mac(key, digest_name, value):
    subkey = key.subkey(f"lookup {digest_name}", 32)
    if digest_name == "sm3":
        mac = crypto_hmac.HMAC(subkey, hashes.SM3())
        mac.update(value.encode("utf-8"))
        return mac.finalize().hex()
    return hmac.new(subkey, value.encode("utf-8"), hashlib.sha256).hexdigest()


def _lookup_digest():
    return "sm3" if current_cipher() == SM4_GCM else "sha256"


def lookup_hash(value: str) -> str:
    """A keyed digest of `value` for finding a record by it without storing it
    (e.g. identity for recovering a lost 查询码): first key, current algorithm."""
    return _mac(keys()[0], _lookup_digest(), value)


def lookup_candidates(value: str) -> list[str]:
    """Every digest `value` may have been stored under: each key with each
    algorithm, so a lookup still works between a key change and `rotate_keys`."""
    return [_mac(key, name, value) for key in keys() for name in ("sha256", "sm3")]
