"""Keys of wallets and tools that no keyword names and no detect-secrets plugin knows: a BIP-32 master
key (`xprv…`), a Bitcoin key in Wallet Import Format, a Solana keypair's 64 bytes, an age secret key, a
Nostr `nsec1…`. Each went to every model with no finding. They are found, hidden and reported now, and
what only looks like one (a broken checksum, a table of numbers no loader takes) stays as written.

The keys are made when the tests run: none is kept in the repository.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gate.redact import REDACTED, redact, scan_files
from tests.fakes.model_server import FakeModelServer
from tests.gitrepo import GitRepo
from tests.security.test_der_private_keys import _left, _reviewed
from tests.security.test_redactor import _cpu
from tests.security.test_wallet_keys import _fresh

BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def base58(raw: bytes) -> str:
    number = int.from_bytes(raw, "big")
    out = ""
    while number:
        number, digit = divmod(number, 58)
        out = BASE58[digit] + out
    return "1" * (len(raw) - len(raw.lstrip(b"\0"))) + out


def base58check(payload: bytes) -> str:
    return base58(payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4])


def wif(*, compressed: bool, testnet: bool = False) -> str:
    return base58check(
        bytes([0xEF if testnet else 0x80]) + secrets.token_bytes(32) + (b"\x01" if compressed else b"")
    )


def extended(prefix: str) -> str:
    return prefix + "".join(secrets.choice(BASE58) for _ in range(107))


def age_key() -> str:
    return "AGE-SECRET-KEY-1" + "".join(secrets.choice(BECH32) for _ in range(58)).upper()


def nsec() -> str:
    return "nsec1" + "".join(secrets.choice(BECH32) for _ in range(58))


def solana_secret() -> str:
    """A Solana keypair as wallets export it: an Ed25519 seed and its public key, in base58."""
    key = Ed25519PrivateKey.generate()
    return base58(key.private_bytes_raw() + key.public_key().public_bytes_raw())


def stellar(version: int = 18 << 3) -> str:
    """A Stellar secret seed (SEP-23), or another key of the version given (6 << 3: a public key). Not
    one that holds what detect-secrets' AWS rule reads as a key id inside a longer token (`ASIA…`,
    `A3T…`): about one in 700 random seeds does, and the test would then find that too."""
    while True:
        payload = bytes([version]) + secrets.token_bytes(32)
        seed = base64.b32encode(payload + binascii.crc_hqx(payload, 0).to_bytes(2, "little")).decode()
        if not any(prefix in seed for prefix in ("A3T", "AKIA", "ASIA", "ABIA", "ACCA")):
            return seed


def broken_stellar() -> str:
    """A Stellar seed whose last character (the checksum's last five bits) is changed: to another one
    always, or one run in 32 would keep the seed whole."""
    seed = stellar()
    return seed[:-1] + ("B" if seed[-1] == "A" else "A")


def keypair_numbers() -> list[int]:
    while True:  # random bytes: varied, and some past 127, as any 64 random bytes are but by freak chance
        numbers = list(secrets.token_bytes(64))
        if len(set(numbers)) >= 32 and max(numbers) >= 128:
            return numbers


def compact(numbers: list[int]) -> str:
    return "[" + ",".join(map(str, numbers)) + "]"


def spaced(numbers: list[int]) -> str:
    return "[" + ", ".join(map(str, numbers)) + "]"


WIF = "Wallet Import Format Key"
SOLANA = "Solana Keypair"
# (kind, path, the line with `{}` where the key stands, how the key is made)
KEYS = [
    ("Extended Private Key", "wallet/hd.py", 'ROOT = "{}"', lambda: extended("xprv")),
    ("Extended Private Key", "wallet/hd.py", "master = HDKey.from_string('{}')", lambda: extended("tprv")),
    ("Extended Private Key", ".env", "ZPRV={}", lambda: extended("zprv")),
    (
        "Wallet Import Format Key",
        "bot/btc.js",
        "const key = ECPair.fromWIF('{}');",
        lambda: wif(compressed=True),
    ),
    (WIF, "bot/btc.py", 'key = PrivateKey("{}")', lambda: wif(compressed=False)),
    (WIF, "notes.txt", "importprivkey {}", lambda: wif(compressed=True, testnet=True)),
    (SOLANA, "deploy/id.json", "{}", lambda: compact(keypair_numbers())),
    (SOLANA, "target/deploy/app-keypair.json", "{}\r", lambda: compact(keypair_numbers())),
    (
        SOLANA,
        "scripts/airdrop.ts",
        "const payer = Keypair.fromSecretKey(new Uint8Array({}));",
        lambda: spaced(keypair_numbers()),
    ),
    (
        SOLANA,
        "scripts/airdrop.ts",
        "const payer = Keypair.fromSecretKey(Uint8Array.from({}));",
        lambda: spaced(keypair_numbers()),
    ),
    (
        SOLANA,
        "src/main.rs",
        "let payer = Keypair::from_bytes(&{})?;",
        lambda: spaced(keypair_numbers()),
    ),
    (SOLANA, "bot/sol.py", "payer = Keypair.from_bytes({})", lambda: spaced(keypair_numbers())),
    ("age Secret Key", "keys.txt", "{}", age_key),
    ("age Secret Key", ".sops.yaml", "# private: {}", age_key),
    ("Nostr Private Key", "bot/relay.js", 'const sk = nip19.decode("{}").data;', nsec),
    # A Solana keypair in base58, as wallets export it; a Stellar seed; Sui's and Aptos's keys.
    (SOLANA, "bot/snipe.ts", 'const payer = Keypair.fromSecretKey(bs58.decode("{}"));', solana_secret),
    (SOLANA, "bot/snipe.py", "payer = Keypair.from_base58_string('{}')", solana_secret),
    (SOLANA, ".env", "WALLET={}", solana_secret),
    ("Stellar Secret Seed", "bot/pay.js", "const source = StellarSdk.Keypair.fromSecret('{}');", stellar),
    ("Stellar Secret Seed", ".env", "STELLAR_ACCOUNT={}", stellar),
    (
        "Sui Private Key",
        "bot/sui.ts",
        'const signer = Ed25519Keypair.fromSecretKey("{}");',
        lambda: "suiprivkey1" + "".join(secrets.choice(BECH32) for _ in range(59)),
    ),
    (
        "Aptos Private Key",
        "bot/aptos.ts",
        'const key = new Ed25519PrivateKey("{}");',
        lambda: "ed25519-priv-0x" + secrets.token_hex(32),
    ),
]


@pytest.mark.parametrize(
    ("kind", "path", "template", "make"), KEYS, ids=[f"{k}: {t[:24]}" for k, _, t, _ in KEYS]
)
def test_a_wallet_or_tool_key_is_found_and_hidden(
    kind: str, path: str, template: str, make: Callable[[], str]
) -> None:
    _fresh()
    key = make()
    line = template.format(key)
    hits = [(hit.kind, hit.value) for _, _, hit in scan_files([(path, [line])])]
    assert hits == [(kind, key)], (path, hits)
    hidden = redact(line, filename=path)
    assert hidden.replace(REDACTED, key) == line  # only the key: the call stays for a reviewer
    assert key not in redact(f"print({key!r})", filename="src/other.py")  # remembered


def _broken_wif() -> str:
    key = wif(compressed=True)
    for char in BASE58:
        other = key[:-1] + char
        if other != key:
            return other
    raise AssertionError


# (what it is, path, the line): made when a test runs, each from its own maker.
NOT_KEYS: list[tuple[str, str, Callable[[], str]]] = [
    # A WIF-shaped token whose checksum fails, and another base58 token of that length.
    ("broken WIF checksum", "bot/btc.py", lambda: f'key = "{_broken_wif()}"'),
    ("base58 id", "src/ids.py", lambda: f'ID = "K{"".join(secrets.choice(BASE58) for _ in range(51))}"'),
    # Lists of numbers that are no keypair: a table of small values, a list no loader takes written as
    # code writes it, a number past a byte, sixty-three numbers.
    ("table of small numbers", "src/table.json", lambda: compact([i % 64 for i in range(64)])),
    ("list no loader takes", "src/sbox.ts", lambda: f"const SBOX = {spaced(keypair_numbers())};"),
    ("a number past a byte", "deploy/id.json", lambda: compact([*keypair_numbers()[:63], 256])),
    ("sixty-three numbers", "deploy/id.json", lambda: compact(keypair_numbers()[:63])),
    # A transaction's signature: 64 bytes in base58 as a keypair is, with no public key for a second
    # half; a Stellar account's public key; a seed whose checksum fails.
    ("Solana signature", "src/tx.ts", lambda: f'const sig = "{base58(secrets.token_bytes(64))}";'),
    ("Stellar public key", "src/pay.js", lambda: f"const dest = '{stellar(6 << 3)}';"),
    ("broken Stellar checksum", "src/pay.js", lambda: f"const s = '{broken_stellar()}';"),
    # Prefixes with too few characters behind them.
    ("short xprv", "src/a.py", lambda: 'X = "xprv9s21ZrQH143K"'),
    ("short nsec", "src/a.js", lambda: 'const n = "nsec1abc";'),
]


@pytest.mark.parametrize(("path", "make"), [(p, m) for _, p, m in NOT_KEYS], ids=[w for w, _, _ in NOT_KEYS])
def test_what_only_looks_like_a_wallet_key_stays_as_written(path: str, make: Callable[[], str]) -> None:
    _fresh()
    line = make()
    assert [hit.kind for _, _, hit in scan_files([(path, [line])])] == []
    assert redact(line, filename=path) == line


def test_wallet_and_tool_keys_fail_the_pr_and_reach_no_model_the_trace_or_the_report(
    repo: GitRepo, model_server: FakeModelServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    monkeypatch.setenv("AI_GATE_MODEL_BACKOFF", "0.01")
    keys = {
        "bot/btc.js": wif(compressed=True),
        "bot/hd.py": extended("xprv"),
        "deploy/id.json": compact(keypair_numbers()),
        "keys/age.txt": age_key(),
        "bot/snipe.ts": solana_secret(),
        "bot/pay.js": stellar(),
    }
    repo.write("README.md", "bots\n")
    repo.commit("base")
    repo.branch("feature")
    repo.write("bot/btc.js", f"const key = ECPair.fromWIF('{keys['bot/btc.js']}');\n")
    repo.write("bot/hd.py", f'ROOT = "{keys["bot/hd.py"]}"\n')
    repo.write("deploy/id.json", keys["deploy/id.json"] + "\n")
    repo.write("keys/age.txt", f"# created: today\n{keys['keys/age.txt']}\n")
    repo.write(
        "bot/snipe.ts", f'const payer = Keypair.fromSecretKey(bs58.decode("{keys["bot/snipe.ts"]}"));\n'
    )
    repo.write("bot/pay.js", f"const source = StellarSdk.Keypair.fromSecret('{keys['bot/pay.js']}');\n")
    repo.commit("Trading bots\n\nCo-authored-by: Claude <noreply@anthropic.com>\n")
    out = _reviewed(repo, model_server, tmp_path)

    assert model_server.count(schema="review") >= 1, "no model was asked: nothing was proven"
    sent, places = _left(model_server, out)
    assert any("ECPair.fromWIF" in body for body in sent)
    report = json.loads(places["report.json"])
    assert report["verdict"] == "fail"
    found = sorted(f["path"] for f in report["findings"] if f["stage"] == "secrets")
    assert found == sorted(keys)
    pieces = [key[8:32] for key in keys.values()]
    assert [(where, piece) for where, text in places.items() for piece in pieces if piece in text] == []


@pytest.mark.growth
@pytest.mark.parametrize(
    "make",
    [
        # base58 tokens of a keypair's length, most of them 64 bytes: each read for its public key
        lambda n: "\n".join(
            f'k = "2{"".join(secrets.choice(BASE58) for _ in range(86))}"' for _ in range(n // 94)
        ),
        # base32 tokens opening with `S`, each read for a seed's checksum
        lambda n: "\n".join(f'k = "{stellar()[:-1]}A"' for _ in range(n // 63)),
    ],
    ids=["keypair-length base58", "seed-length base32"],
)
def test_reading_tokens_for_keypairs_and_seeds_takes_linear_time(make: Callable[[int], str]) -> None:
    times = {}
    for size in (20_000, 200_000):
        text = make(size)
        times[size] = _cpu(lambda text=text: redact(text, filename="a.ts"))
    assert max(times[200_000], 0.02) / max(times[20_000], 0.02) < 30, times
