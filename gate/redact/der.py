"""Private keys written as one base64 run of their DER encoding, with no PEM lines around them.

Code loads such a key from a string (`load_der_private_key(b64decode("MIIEvQ…"))`, Java's
`PKCS8EncodedKeySpec(Base64.getDecoder().decode("MIGHAgEA…"))`): nothing names it, and the block reader
(`gate.redact.blocks`) needs a BEGIN line or a neighbouring line of the same kind. A run is read as a
key, whole, by the shape of its first bytes, decoded: the ASN.1 SEQUENCE that opens each private key
syntax, as long as the run, then its version and what follows it:

- PKCS#8 `PrivateKeyInfo` (RFC 5208, RFC 5958): version 0 or 1, then the key's algorithm identifier
  (RSA, RSASSA-PSS, DSA, EC, X25519, X448, Ed25519, Ed448);
- PKCS#1 `RSAPrivateKey` (RFC 8017) and OpenSSL's DSA key: version 0, then the modulus (or prime) as a
  long INTEGER;
- SEC1 `ECPrivateKey` (RFC 5915): version 1, then the private key as an OCTET STRING of a curve's size;
- PKCS#8 `EncryptedPrivateKeyInfo`: the encryption's algorithm identifier (PBES2, PBES1), then the
  encrypted key.

A public key (`SubjectPublicKeyInfo`, `MIIBIjANBgkq…`) opens with its algorithm's SEQUENCE, a
certificate with its `tbsCertificate` SEQUENCE: neither has a version INTEGER first, and neither is read
as a key.
"""

from __future__ import annotations

import base64
import binascii

# A DER run's first character: the SEQUENCE tag 0x30 encodes as `M`.
OPENING = "M"
# The shortest key read: an Ed25519 or X25519 PKCS#8 key is 48 bytes, 64 base64 characters.
MIN_KEY_CHARS = 64
# Base64 characters decoded: enough for the outer SEQUENCE's header, the version and an algorithm's OID.
HEAD_CHARS = 48
# The shortest first piece of a key wrapped over lines that is read (8 characters, 6 bytes): a key is
# wrapped at 64 or 76 characters, or by hand at any width; a shorter piece is not remembered either.
MIN_PIECE_CHARS = 8
_URL_SAFE = str.maketrans("-_", "+/")
# The most bytes a key's SEQUENCE is read as declaring: an RSA key of 16384 bits takes under 10,000.
MAX_KEY_BYTES = 16_384

# The algorithms' OIDs, DER-encoded, that a PKCS#8 key's identifier names.
_KEY_ALGORITHMS = frozenset(
    {
        bytes.fromhex("2a864886f70d010101"),  # rsaEncryption, 1.2.840.113549.1.1.1
        bytes.fromhex("2a864886f70d01010a"),  # RSASSA-PSS, 1.2.840.113549.1.1.10
        bytes.fromhex("2a8648ce380401"),  # id-dsa, 1.2.840.10040.4.1
        bytes.fromhex("2a8648ce3d0201"),  # id-ecPublicKey, 1.2.840.10045.2.1
        bytes.fromhex("2b656e"),  # X25519, 1.3.101.110
        bytes.fromhex("2b656f"),  # X448, 1.3.101.111
        bytes.fromhex("2b6570"),  # Ed25519, 1.3.101.112
        bytes.fromhex("2b6571"),  # Ed448, 1.3.101.113
    }
)
# The encryption schemes an `EncryptedPrivateKeyInfo` names, by their arcs: PKCS#5's (PBES1, PBES2,
# 1.2.840.113549.1.5) and PKCS#12's (1.2.840.113549.1.12.1).
_ENCRYPTIONS = (bytes.fromhex("2a864886f70d0105"), bytes.fromhex("2a864886f70d010c01"))
# The sizes of a SEC1 key's private value: P-256 and secp256k1, P-384, P-521 (one byte short at times).
_EC_KEY_BYTES = frozenset({32, 48, 65, 66})
# The fewest bytes of an RSA modulus or a DSA prime read as one: 512 bits.
_MIN_MODULUS_BYTES = 64

_SEQUENCE, _INTEGER, _OCTET_STRING, _OID = 0x30, 0x02, 0x04, 0x06


def is_private_key(run: str) -> bool:
    """Whether a base64 run (standard or URL-safe alphabet, `=` padding or none) holds a DER private key:
    its first bytes have the shape of one of the syntaxes above, and it is as long as its SEQUENCE."""
    if len(run) < MIN_KEY_CHARS:
        return False
    declared = key_bytes(run)
    return declared is not None and _whole_bytes(run) >= declared


def key_bytes(run: str) -> int | None:
    """The bytes a private key's DER encoding takes, as its opening SEQUENCE declares them, when the
    first bytes of a base64 run have the shape of one of the syntaxes above; None when they do not. A
    run shorter than that is a piece of a key: a PEM body's first line, or the first of the pieces a
    JSON string or a concatenation wraps a key into (`"MIIC…\\nNnHf…"`)."""
    if len(run) < HEAD_CHARS or not run.startswith(OPENING):
        return None
    try:
        # `base64.urlsafe_b64encode` writes `-` and `_` for `+` and `/`.
        head = base64.b64decode(run[:HEAD_CHARS].translate(_URL_SAFE), validate=True)
    except (binascii.Error, ValueError):
        return None
    outer = _header(head, 0)
    if outer is None or head[0] != _SEQUENCE:
        return None
    if _pkcs8(head, outer[0]) or _rsa_or_ec(head, outer[0]) or _encrypted(head, outer[0]):
        return sum(outer)
    return None


def key_chars(head: str) -> int | None:
    """The base64 characters (padding aside) of the whole key whose first characters `head` holds, as its
    opening SEQUENCE declares; None when `head` opens no key, or one past `MAX_KEY_BYTES`."""
    declared = key_bytes(head)
    if declared is None or declared > MAX_KEY_BYTES:
        return None
    return -(-declared * 4 // 3)  # rounded up


def _whole_bytes(run: str) -> int:
    """The bytes a base64 run stands for."""
    body = run.rstrip("=")
    return len(body) * 3 // 4


def _header(data: bytes, at: int) -> tuple[int, int] | None:
    """Where the content of the DER element at `at` starts and its length, if the header is whole and
    well formed (definite length, in as few bytes as DER allows, as a key's encoder writes it)."""
    if at + 2 > len(data):
        return None
    first = data[at + 1]
    if first < 0x80:
        return at + 2, first
    count = first & 0x7F
    if count == 0 or count > 3 or at + 2 + count > len(data) or data[at + 2] == 0:
        return None
    length = int.from_bytes(data[at + 2 : at + 2 + count], "big")
    if length < 0x80 or length < 1 << (8 * (count - 1)):
        return None
    return at + 2 + count, length


def _version(data: bytes, at: int, versions: tuple[int, ...]) -> int | None:
    """Where the element after a version INTEGER at `at` starts, if it is one of `versions`."""
    if data[at : at + 2] == bytes((_INTEGER, 1)) and at + 2 < len(data) and data[at + 2] in versions:
        return at + 3
    return None


def _pkcs8(data: bytes, at: int) -> bool:
    after = _version(data, at, (0, 1))
    if after is None or data[after : after + 1] != bytes((_SEQUENCE,)):
        return False
    algorithm = _header(data, after)
    if algorithm is None:
        return False
    oid = _header(data, algorithm[0])
    if oid is None or data[algorithm[0]] != _OID:
        return False
    start, length = oid
    return data[start : start + length] in _KEY_ALGORITHMS


def _rsa_or_ec(data: bytes, at: int) -> bool:
    after = _version(data, at, (0,))
    if after is not None and data[after : after + 1] == bytes((_INTEGER,)):
        modulus = _header(data, after)
        return modulus is not None and modulus[1] >= _MIN_MODULUS_BYTES
    after = _version(data, at, (1,))
    if after is not None and data[after : after + 1] == bytes((_OCTET_STRING,)):
        secret = _header(data, after)
        return secret is not None and secret[1] in _EC_KEY_BYTES
    return False


def _encrypted(data: bytes, at: int) -> bool:
    if data[at : at + 1] != bytes((_SEQUENCE,)):
        return False
    algorithm = _header(data, at)
    if algorithm is None or data[algorithm[0] : algorithm[0] + 1] != bytes((_OID,)):
        return False
    oid = _header(data, algorithm[0])
    if oid is None:
        return False
    start, length = oid
    return data[start : start + length].startswith(_ENCRYPTIONS)
