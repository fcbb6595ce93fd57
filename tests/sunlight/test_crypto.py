import base64

from django.core.exceptions import ImproperlyConfigured

import pytest

from sunlight import crypto

OLD = b"o" * 32
NEW = b"n" * 16


@pytest.fixture
def keys(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    settings.FIELD_ENCRYPTION_CIPHER = crypto.AES_GCM
    return settings


@pytest.mark.parametrize("cipher", crypto.CIPHERS)
def test_round_trip_without_the_plaintext_in_the_token(keys, cipher):
    keys.FIELD_ENCRYPTION_CIPHER = cipher
    token = crypto.encrypt("钟启明 11010519491231002X", "ctx")
    assert f".{cipher}." in token
    assert "钟启明" not in token
    assert "钟启明".encode() not in base64.urlsafe_b64decode(
        token.split(".")[3].encode()
    )
    assert crypto.decrypt(token, "ctx") == "钟启明 11010519491231002X"


def test_each_encryption_uses_a_fresh_nonce(keys):
    assert crypto.encrypt("x", "ctx") != crypto.encrypt("x", "ctx")


def test_context_binds_a_token_to_its_field(keys):
    token = crypto.encrypt("secret", "field-a")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, "field-b")


def test_tampering_is_detected(keys):
    token = crypto.encrypt("secret", "ctx")
    head, body = token.rsplit(".", 1)
    raw = bytearray(base64.urlsafe_b64decode(body))
    raw[-1] ^= 1
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(f"{head}.{base64.urlsafe_b64encode(bytes(raw)).decode()}", "ctx")


def test_rotation_first_key_encrypts_all_decrypt(keys):
    old_token = crypto.encrypt("secret", "ctx")
    keys.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    assert crypto.decrypt(old_token, "ctx") == "secret"
    assert crypto.needs_rotation(old_token)
    new_token = crypto.encrypt("secret", "ctx")
    assert not crypto.needs_rotation(new_token)
    keys.FIELD_ENCRYPTION_KEYS = [NEW]
    assert crypto.decrypt(new_token, "ctx") == "secret"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(old_token, "ctx")


def test_switching_cipher_keeps_old_tokens_readable(keys):
    aes = crypto.encrypt("secret", "ctx")
    keys.FIELD_ENCRYPTION_CIPHER = crypto.SM4_GCM
    assert crypto.decrypt(aes, "ctx") == "secret"
    assert crypto.needs_rotation(aes)


def test_lookup_hash_is_keyed_and_found_among_candidates(keys):
    digest = crypto.lookup_hash("钟启明|1101|138")
    assert digest == crypto.lookup_hash("钟启明|1101|138")
    assert "钟启明" not in digest
    keys.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    assert crypto.lookup_hash("钟启明|1101|138") != digest
    assert digest in crypto.lookup_candidates("钟启明|1101|138")
    keys.FIELD_ENCRYPTION_CIPHER = crypto.SM4_GCM
    assert digest in crypto.lookup_candidates("钟启明|1101|138")


def test_garbage_and_missing_configuration(keys):
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt("not a token", "ctx")
    keys.FIELD_ENCRYPTION_CIPHER = "des"
    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt("x", "ctx")
    keys.FIELD_ENCRYPTION_CIPHER = crypto.AES_GCM
    keys.FIELD_ENCRYPTION_KEYS = []
    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt("x", "ctx")
