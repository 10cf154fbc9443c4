"""A wallet's recovery phrase written into a change: the twelve or twenty-four words (BIP-39, or an
Electrum seed) that restore every key the wallet holds, in a `.env`'s `MNEMONIC=`, a Hardhat network's
`accounts: { mnemonic: … }`, ethers' `Wallet.fromPhrase(…)`, Truffle's `HDWalletProvider(…)`, a
`.secret` file of the phrase alone. No keyword and no token shape marks one, so nothing found it: the
PR passed and the phrase went to every model. It is found, hidden and reported now; words that are no
phrase (a broken checksum, prose, the phrases every local chain publishes) stay as written.

The phrases are made when the tests run, here, from BIP-39's word list: none is kept in the repository.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from pathlib import Path

import pytest

from gate.analyzers.secrets import SecretsAnalyzer
from gate.redact import REDACTED, redact, scan_files
from tests.analyzers.gitrepo import change, context
from tests.fakes.model_server import FakeModelServer
from tests.gitrepo import GitRepo
from tests.security.test_der_private_keys import _left, _reviewed
from tests.security.test_redactor import _cpu
from tests.security.test_wallet_keys import _fresh

ROOT = Path(__file__).resolve().parents[2]
WORDS = [
    line
    for line in (ROOT / "gate" / "data" / "bip39-english.txt").read_text().splitlines()
    if line and not line.startswith("#")
]
KIND = "Wallet Recovery Phrase"


def _words(entropy: bytes) -> str:
    """BIP-39: the entropy's bits, then the first `len(entropy) * 8 / 32` bits of its SHA-256, read 11
    bits a word."""
    checksum_bits = len(entropy) * 8 // 32
    bits = int.from_bytes(entropy, "big") << checksum_bits
    bits |= hashlib.sha256(entropy).digest()[0] >> (8 - checksum_bits)
    count = (len(entropy) * 8 + checksum_bits) // 11
    return " ".join(WORDS[(bits >> (11 * (count - 1 - i))) & 0x7FF] for i in range(count))


def phrase(words: int = 12) -> str:
    return _words(secrets.token_bytes(words * 4 // 3))


def electrum_seed() -> str:
    """Twelve random words whose HMAC-SHA512 under "Seed version" starts with Electrum's standard
    version, `01` (one try in 256)."""
    while True:
        seed = " ".join(secrets.choice(WORDS) for _ in range(12))
        if hmac.new(b"Seed version", seed.encode(), hashlib.sha512).hexdigest().startswith("01"):
            return seed


def test_the_word_list_is_bip39s() -> None:
    assert len(WORDS) == 2048 and WORDS[0] == "abandon" and WORDS[-1] == "zoo"
    digest = hashlib.sha256(("\n".join(WORDS) + "\n").encode()).hexdigest()
    assert digest == "2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda"
    # BIP-39's own test vectors, by this file's reading of it.
    assert _words(bytes(16)) == " ".join(["abandon"] * 11 + ["about"])
    legal = "legal winner thank year wave sausage worth useful legal winner thank yellow"
    assert _words(b"\x7f" * 16) == legal
    assert _words(b"\xff" * 32) == " ".join(["zoo"] * 23 + ["vote"])


# (path, the text with `{}` where a phrase stands)
PLACED = [
    (".env", "MNEMONIC={}"),
    (".env", 'MNEMONIC="{}"'),
    (".env.local", "export SEED_PHRASE='{}'"),
    (".secret", "{}"),
    ("hardhat.config.js", '      accounts: {{ mnemonic: "{}" }},'),
    ("hardhat.config.ts", "    sepolia: {{ url, accounts: {{ mnemonic: process.env.MNEMONIC ?? '{}' }} }},"),
    ("truffle-config.js", '    provider: () => new HDWalletProvider("{}", url),'),
    ("src/wallet.ts", 'const wallet = ethers.Wallet.fromPhrase("{}");'),
    ("src/wallet.js", "const wallet = ethers.Wallet.fromMnemonic(`{}`);"),
    ("bot/keys.py", 'account = Account.from_mnemonic("{}")'),
    ("bot/keys.py", "MNEMONIC = os.getenv('MNEMONIC', '{}')"),
    ("deploy/values.yml", "wallet:\n  mnemonic: {}"),
    ("wallet.json", '{{"mnemonic": "{}", "path": "m/44\'/60\'/0\'/0/0"}}'),
    ("src/main.rs", 'let wallet = MnemonicBuilder::<English>::default().phrase("{}").build()?;'),
    ("notes.txt", "seed: {}\r"),
]


@pytest.mark.parametrize(("path", "template"), PLACED, ids=[f"{p}: {t[:28]}" for p, t in PLACED])
@pytest.mark.parametrize("words", [12, 24])
def test_a_recovery_phrase_is_found_and_hidden_wherever_it_is_written(
    path: str, template: str, words: int
) -> None:
    _fresh()
    value = phrase(words)
    text = template.format(value)
    hits = [(hit.kind, hit.value) for _, _, hit in scan_files([(path, text.split("\n"))])]
    assert hits == [(KIND, value)], (path, hits)
    hidden = redact(text, filename=path)
    assert hidden.replace(REDACTED, value) == text  # only the phrase: the rest stays for a reviewer
    # Remembered: hidden where nothing but the run's memory marks it.
    assert value.split(" ", 1)[1] not in redact(f"print('x {value} y')", filename="src/other.py")


SENTENCES = [
    "Restore the bot's wallet from the seed {} this week.",
    "seed {} then",
    "the phrase {} in case",
    "{} you can",
]


@pytest.mark.parametrize("sentence", SENTENCES)
def test_a_phrase_in_a_sentence_is_hidden_with_at_most_the_listed_words_beside_it(sentence: str) -> None:
    """Listed words may stand just before or after a phrase in a sentence (`seed`, `then`, `you`, `can`).
    The phrase is found; a neighbour that passes a checksum with some of its words by chance is hidden
    with it (the safe side), never more than the words beside it."""
    _fresh()
    value = phrase()
    text = sentence.format(value)
    [hit] = [hit for _, _, hit in scan_files([("docs/setup.md", [text])])]
    assert hit.kind == KIND and value in hit.value and hit.value in text
    around = sentence.replace(".", "").split()
    assert set(hit.value.replace(value, " ").split()) <= set(around), hit.value
    assert value not in redact(text, filename="docs/setup.md")


@pytest.mark.parametrize("words", [15, 18, 21])
def test_every_length_bip39_allows_is_found(words: int) -> None:
    _fresh()
    value = phrase(words)
    assert [hit.value for _, _, hit in scan_files([(".env", [f'MNEMONIC="{value}"'])])] == [value]


def test_an_electrum_seed_is_found() -> None:
    _fresh()
    seed = electrum_seed()
    assert [(hit.kind, hit.value) for _, _, hit in scan_files([(".env", [f"SEED={seed}"])])] == [(KIND, seed)]
    assert seed not in redact(f"seed: {seed}")


def test_two_phrases_in_one_list_are_each_found() -> None:
    _fresh()
    values = [phrase(), phrase(24)]
    line = "const phrases = [{}];".format(", ".join(f'"{value}"' for value in values))
    assert [hit.value for _, _, hit in scan_files([("src/keys.ts", [line])])] == sorted(values, key=len)[::-1]


def _broken(value: str) -> str:
    """The phrase with its last word changed until its checksum fails."""
    head, last = value.rsplit(" ", 1)
    for word in WORDS:
        candidate = f"{head} {word}"
        if word != last and candidate != value and not _valid(candidate):
            return candidate
    raise AssertionError("every last word holds")


def _valid(value: str) -> bool:
    numbers = [WORDS.index(word) for word in value.split(" ")]
    entropy_bits = len(numbers) * 11 * 32 // 33
    bits = 0
    for number in numbers:
        bits = bits << 11 | number
    entropy = (bits >> (len(numbers) * 11 - entropy_bits)).to_bytes(entropy_bits // 8, "big")
    return _words(entropy) == value


NOT_PHRASES = [
    # Words in a row that are no phrase: prose, and twelve listed words (a sorted list) whose checksum
    # fails.
    ("docs/intro.md", "the quick brown fox jumps over the lazy dog and then it runs back home again"),
    (
        "src/words.py",
        'STOP = "able about above absent absorb abstract absurd abuse access accident account accuse"',
    ),
    # The published development phrases: Hardhat's, Anvil's, Ganache's, Truffle's, BIP-39's zero vector.
    ("hardhat.config.js", "accounts: { mnemonic: '" + " ".join(["test"] * 11 + ["junk"]) + "' }"),
    (".env", "MNEMONIC=myth like bonus scare over problem client lizard pioneer submit female collect"),
    (".env", "MNEMONIC='candy maple cake sugar pudding cream honey rich smooth crumble sweet treat'"),
    (".env", "SEED=" + " ".join(["abandon"] * 11 + ["about"])),
]


@pytest.mark.parametrize(("path", "text"), NOT_PHRASES, ids=[t[:32] for _, t in NOT_PHRASES])
def test_words_that_are_no_phrase_stay_as_written(path: str, text: str) -> None:
    _fresh()
    assert [hit for _, _, hit in scan_files([(path, [text])])] == []
    assert redact(text, filename=path) == text


def test_listed_words_whose_checksum_fails_or_that_are_glued_stay_as_written() -> None:
    _fresh()
    value = phrase()
    for text in (
        f'MNEMONIC="{_broken(value)}"',  # a phrase's words with its checksum broken
        f'MNEMONIC="{" ".join(value.split(" ")[:11])}"',  # eleven words
        f"MNEMONIC=X{value}",  # its first word glued to a capital: eleven words
    ):
        assert [hit for _, _, hit in scan_files([(".env", [text])])] == [], text


@pytest.mark.parametrize(
    "make",
    [
        # runs of thirteen listed words, each read for a phrase near its ends
        lambda n: ", ".join(" ".join(["zoo"] * 13) for _ in range(n // 54)),
        # one run of listed words as long as the text
        lambda n: " ".join(["zoo"] * (n // 4)),
        # lowercase words past the shortest phrase's length, none listed
        lambda n: " ".join(["qqqq"] * (n // 5)),
    ],
    ids=["thirteen-word runs", "one long run", "no listed word"],
)
def test_reading_words_for_phrases_takes_linear_time(make: Callable[[int], str]) -> None:
    times = {}
    for size in (20_000, 200_000):
        text = make(size)
        times[size] = _cpu(lambda text=text: redact(text, filename="a.env"))
    assert max(times[200_000], 0.02) / max(times[20_000], 0.02) < 30, times


def _phrase_with(*words: str) -> str:
    """A twelve-word phrase that opens with `words`, the rest of its entropy fixed, its checksum right."""
    bits = int.from_bytes(hashlib.sha256(b"rest").digest()[:16], "big")
    for place, word in enumerate(words):
        shift = 128 - 11 * (place + 1)
        bits = bits & ~(0x7FF << shift) | WORDS.index(word) << shift
    return _words(bits.to_bytes(16, "big"))


@pytest.mark.parametrize("words", [("example",), ("sample",), ("example", "sample")])
def test_a_phrase_holding_example_or_sample_is_reported(tmp_path: Path, words: tuple[str, ...]) -> None:
    """Two of BIP-39's words are placeholder marks elsewhere: a phrase holding one (one in 86 phrases) is
    a phrase all the same, and fails the PR."""
    value = _phrase_with(*words)
    assert value.split(" ")[: len(words)] == list(words)
    result = SecretsAnalyzer().run(
        context(change(tmp_path, {}, {"hardhat.config.js": f'module.exports = {{ mnemonic: "{value}" }};\n'}))
    )
    title = "Wallet Recovery Phrase of 12 words added in hardhat.config.js"
    assert [(f.title, f.severity.value) for f in result.findings] == [(title, "high")]
    assert result.details["placeholders_ignored"] == 0


def test_a_phrase_holding_example_in_a_file_name_is_reported(tmp_path: Path) -> None:
    """A name is read for credentials as a line is (`_in_names`), with the same exception for phrases."""
    value = _phrase_with("example")
    result = SecretsAnalyzer().run(context(change(tmp_path, {}, {f"keys/{value}.txt": "backup\n"})))
    title = "Wallet Recovery Phrase of 12 words in the name of a file added"
    assert [(f.title, f.severity.value) for f in result.findings] == [(title, "high")]


def test_a_recovery_phrase_fails_the_pr_and_reaches_no_model_the_trace_or_the_report(
    repo: GitRepo, model_server: FakeModelServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    monkeypatch.setenv("AI_GATE_MODEL_BACKOFF", "0.01")
    value = phrase()
    words = value.split(" ")
    repo.write("contracts/Token.sol", "pragma solidity ^0.8.0;\n")
    repo.commit("base")
    repo.branch("feature")
    repo.write(
        "hardhat.config.js",
        "module.exports = {\n  networks: {\n"
        f'    sepolia: {{ accounts: {{ mnemonic: "{value}" }} }},\n'
        "  },\n};\n",
    )
    repo.commit("Deploy to Sepolia\n\nCo-authored-by: Claude <noreply@anthropic.com>\n")
    out = _reviewed(repo, model_server, tmp_path)

    assert model_server.count(schema="review") >= 1, "no model was asked: nothing was proven"
    sent, places = _left(model_server, out)
    assert any("accounts: { mnemonic:" in body for body in sent)
    report = json.loads(places["report.json"])
    assert report["verdict"] == "fail"
    [finding] = [f for f in report["findings"] if f["stage"] == "secrets"]
    assert (finding["path"], finding["severity"]) == ("hardhat.config.js", "high")
    # Shown by its length only: the first four letters of a BIP-39 word name it.
    assert finding["title"] == "Wallet Recovery Phrase of 12 words added in hardhat.config.js"
    assert f"Wallet Recovery Phrase (of 12 words, {len(value)} characters)" in finding["body"]
    # No run of four of its words anywhere: a phrase's words in order give most of its entropy away.
    pieces = [" ".join(words[i : i + 4]) for i in range(len(words) - 3)]
    assert [(where, piece) for where, text in places.items() for piece in pieces if piece in text] == []
