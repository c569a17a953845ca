"""The audit key ring: HMACs that cannot be recomputed without the key, and key rotation."""

from accounts import keyring


def test_it_signs_with_the_current_key_and_verifies(settings):
    settings.AUDIT_HMAC_KEY_ID = "k7"
    key_id, digest = keyring.mac(b"event 1")
    assert key_id == "k7"
    assert keyring.verify(b"event 1", "k7", digest)
    assert not keyring.verify(b"event 2", "k7", digest)


def test_it_gives_another_mac_under_another_key(settings):
    _, digest = keyring.mac(b"event 1")
    settings.AUDIT_HMAC_KEY = "another-secret-of-enough-length-0123456789"
    assert not keyring.verify(b"event 1", keyring.current_key_id(), digest)


def test_it_still_verifies_a_retired_key_after_rotation(settings):
    settings.AUDIT_HMAC_KEY_ID, settings.AUDIT_HMAC_KEY = "old", "the-old-key-0123456789-0123456789"
    key_id, digest = keyring.mac(b"signed before rotation")
    settings.AUDIT_HMAC_KEY_ID, settings.AUDIT_HMAC_KEY = "new", "the-new-key-0123456789-0123456789"
    settings.AUDIT_HMAC_OLD_KEYS = "old:the-old-key-0123456789-0123456789"
    assert keyring.verify(b"signed before rotation", key_id, digest)
    assert not keyring.verify(b"signed before rotation", "gone", digest)
