"""A wallet's private key written into code: 32 bytes of hex given to what loads it (`new
ethers.Wallet("0x…")`, web3.py's `Account.from_key`, viem's `privateKeyToAccount`, go-ethereum's
`crypto.HexToECDSA`, a Hardhat network's `accounts: [...]`). No keyword names it, so nothing found it:
the PR passed and the key, which holds whatever the wallet holds, went to every model. It is found,
hidden and reported now; hex that nothing loads as a key (a digest, an address) and the development keys
every local chain publishes stay as they are.

The keys are made when the tests run: none is kept in the repository.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest

from gate.redact import REDACTED, memory, redact, scan_files
from gate.redact.detect import forget_scans
from gate.redact.formats import _PUBLISHED_DEV_KEYS
from tests.fakes.model_server import FakeModelServer
from tests.gitrepo import GitRepo
from tests.security.test_der_private_keys import _left, _reviewed


def _fresh() -> None:
    """Forget what earlier tests remembered: each key must be found by its own place."""
    with memory._lock:
        memory._values.clear()
        memory._pattern = None
    forget_scans()


# (path, the line with `{}` where a key's hex stands)
LOADED = [
    ("src/deploy.js", 'const wallet = new ethers.Wallet("0x{}", provider);'),
    ("src/deploy.ts", "const signer = new Wallet('{}');"),
    ("bot/trade.py", 'account = Account.from_key("0x{}")'),
    ("bot/trade.py", "acct = w3.eth.account.from_key('{}')"),
    ("bot/trade.py", 'signer = EthAccount.from_key("0x{}")'),
    ("src/client.ts", 'const account = privateKeyToAccount("0x{}")'),
    ("src/web3.js", "const a = web3.eth.accounts.privateKeyToAccount('0x{}');"),
    ("cmd/main.go", 'key, err := crypto.HexToECDSA("{}")'),
    ("src/sign.js", "const key = ec.keyFromPrivate('{}', 'hex');"),
    ("hardhat.config.js", '      accounts: ["0x{}"],'),
    ("foundry.ts", "  accounts: [ `0x{}` ],"),
    ("hardhat.config.ts", '      accounts: ["0X{}", process.env.SECOND_KEY],'),
    ("hardhat.config.js", '      accounts: ["{}"],'),
    ("truffle-config.js", '    provider: () => new HDWalletProvider(["{}"], url),'),
    (
        "truffle-config.js",
        '    provider: () => new HDWalletProvider({{ privateKeys: ["0x{}"], providerOrUrl }}),',
    ),
    # The key as the fallback of an environment variable's read.
    ("src/deploy.ts", "const wallet = new ethers.Wallet(process.env.DEPLOYER_PK || '0x{}', provider);"),
    ("src/deploy.ts", 'const wallet = new Wallet(process.env["PK"] ?? "0x{}");'),
    ("bot/trade.py", 'account = Account.from_key(os.getenv("PK") or "0x{}")'),
    ("bot/trade.py", "account = Account.from_key(os.environ.get('PK', '{}'))"),
    ("src/sign.ts", "const signer = new ethers.SigningKey('0x{}');"),
    ("src/sign.ts", 'const key = new SigningKey("{}");'),
    ("scripts/wallet.js", "const w = Wallet.fromPrivateKey(Buffer.from('{}', 'hex'));"),
    ("scripts/wallet.js", 'const w = ethWallet.default.fromPrivateKey(toBuffer("0x{}"));'),
    ("src/web3.js", "web3.eth.accounts.wallet.add('0x{}');"),
    ("src/main.rs", 'let wallet: LocalWallet = "{}".parse()?;'),
    ("src/main.rs", 'let signer = PrivateKeySigner::from_str("0x{}")?;'),
    ("script/Deploy.s.sol", "        vm.startBroadcast(0x{});"),
    ("script/Deploy.s.sol", "        uint256 deployerPrivateKey = 0x{};"),
    ("script/Deploy.s.sol", "    uint256 internal constant RELAYER_PRIVATE_KEY = 0X{};"),
    ("test/Sign.t.sol", "        (uint8 v, bytes32 r, bytes32 s) = vm.sign(0x{}, digest);"),
    # Given to a name whose last word is `pk`, with its `0x`.
    (".env", "DEPLOYER_PK=0x{}"),
    ("scripts/deploy.ts", 'const PK: string = "0x{}";'),
    ("scripts/deploy.ts", "export const PK = `0x{}`;"),
    ("scripts/deploy.ts", "const pk = process.env.PK ?? '0x{}';"),
    ("cmd/main.go", 'pk := "0x{}"'),
    ("config/keys.json", '{{"pk": "0x{}"}}'),
    ("config/keys.php", "'PK' => '0x{}',"),
    ("hardhat.config.ts", '  ownerPk: "0x{}",'),
    ("bot/trade.py", "deployer_pk = os.environ.get('DEPLOYER_PK', '0x{}')"),
    # The fallback of an environment variable whose name's last word is `pk`, given to any name.
    ("scripts/deploy.ts", "const key = process.env.DEPLOYER_PK || '0x{}';"),
    ("scripts/deploy.ts", 'const key = process.env["OWNER_PK"] ?? "0x{}";'),
    ("bot/trade.py", "key = os.getenv('PK', '0x{}')"),
    ("bot/trade.py", 'key = os.getenv("MY_DEPLOYER_PK") or "0x{}"'),
    # Given to a name whose last word is `key` after what the wallet does, with its `0x`; the fallback of
    # an environment variable so named, given to any name.
    ("scripts/deploy.ts", 'const ownerKey = "0x{}";'),
    ("scripts/deploy.ts", "export const DEPLOYER_KEY: string = '0x{}';"),
    ("scripts/deploy.ts", "const relayerKey = process.env.RELAYER ?? `0x{}`;"),
    ("bot/trade.py", "DEPLOYER_KEY = 0x{}"),
    ("bot/trade.py", "bot_wallet_key = '0x{}'"),
    ("cmd/main.go", 'signerKey := "0x{}"'),
    ("src/Deploy.cs", 'var MyDeployerKey = "0x{}";'),
    ("hardhat.config.ts", "  Treasury_Key: '0x{}',"),
    ("scripts/deploy.ts", "const key = process.env.DEPLOYER_KEY || '0x{}';"),
    ("bot/trade.py", "key = os.getenv('MY_OWNER_KEY', '0x{}')"),
    # Other languages' wallets, and the hex turned into bytes on its way to a loader.
    ("src/main/java/Deploy.java", 'Credentials credentials = Credentials.create("0x{}");'),
    ("app/src/main/kotlin/Deploy.kt", 'val credentials = Credentials.create("{}")'),
    ("lib/wallet.dart", "final credentials = EthPrivateKey.fromHex('0x{}');"),
    ("src/Deploy.cs", 'var account = new Account("0x{}");'),
    ("src/Deploy.cs", 'var account = new Nethereum.Web3.Accounts.Account("0x{}", chainId);'),
    ("src/deploy.ts", "const wallet = new Wallet(Buffer.from('{}', 'hex'));"),
    ("src/airdrop.ts", "const payer = Keypair.fromSeed(Buffer.from('{}', 'hex'));"),
    ("cmd/main.go", 'key, err := crypto.HexToECDSA(strings.TrimPrefix("0x{}", "0x"))'),
    ("src/main.rs", 'let wallet = "0x{}".parse::<LocalWallet>()?;'),
    # A class named for a private key given its bytes as hex.
    ("bot/keys.py", 'key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex("{}"))'),
    ("bot/keys.py", "key = X25519PrivateKey.from_private_bytes(binascii.unhexlify('{}'))"),
    ("bot/keys.py", "pk = PrivateKey.from_hex('{}')"),
    ("bot/keys.py", 'key = keys.PrivateKey(decode_hex("0x{}"))'),
    ("bot/keys.py", 'signing_key = SigningKey(b"{}", encoder=HexEncoder)'),
    ("bot/keys.py", "sk = ecdsa.SigningKey.from_string(bytes.fromhex('{}'), curve=ecdsa.SECP256k1)"),
    ("src/main.rs", 'let sk = SecretKey::from_slice(&hex::decode("{}")?)?;'),
    ("src/main.rs", 'let key = SigningKey::from_bytes(&hex!("{}").into())?;'),
    # Signed with, or derived from, a key written out.
    ("bot/trade.py", "signed = w3.eth.account.sign_transaction(tx, '0x{}')"),
    ("src/web3.js", "const signed = await web3.eth.accounts.signTransaction(tx, '0x{}');"),
    ("src/web3.js", 'const signature = web3.eth.accounts.sign("hello", "0x{}");'),
    ("src/sign.ts", "const pub = secp.getPublicKey('{}');"),
    ("src/sign.ts", 'const shared = x25519.getSharedSecret("{}", peer);'),
    ("src/sign.ts", "const pub = getPublicKey(`{}`);"),
    ("src/sign.ts", 'const sig = await secp.signAsync(msgHash, "{}");'),
    ("src/sign.ts", "const sig = ed.sign(message, '0x{}');"),
    ("src/sign.ts", "const sig = schnorr.sign(msg, `{}`);"),
    ("bot/keys.py", 'key = ec.derive_private_key(int("{}", 16), ec.SECP256K1())'),
    ("bot/keys.py", "key = derive_private_key(0x{}, SECP256K1())"),
    # Aptos's key classes; CosmJS's wallet from hex.
    (
        "src/aptos.ts",
        'const account = Account.fromPrivateKey({{ privateKey: new Ed25519PrivateKey("0x{}") }});',
    ),
    ("src/aptos.ts", "const key = new Secp256k1PrivateKey('{}');"),
    ("src/cosmos.ts", "const wallet = await DirectSecp256k1Wallet.fromKey(fromHex('{}'), 'cosmos');"),
]


@pytest.mark.parametrize(("path", "template"), LOADED, ids=[f"{p}: {t[:28]}" for p, t in LOADED])
def test_a_key_given_to_what_loads_it_is_found_and_hidden(path: str, template: str) -> None:
    _fresh()
    key = secrets.token_hex(32)
    line = template.format(key)
    hits = [(hit.kind, hit.value) for _, _, hit in scan_files([(path, [line])])]
    assert hits == [("Wallet Private Key", key)], (path, hits)
    hidden = redact(line, filename=path)
    assert key not in hidden and REDACTED in hidden
    assert hidden.replace(REDACTED, key) == line  # only the key: the call stays for a reviewer
    # Remembered: the key is hidden where nothing marks it.
    assert key not in redact(f"print('{key}')", filename="src/other.py")


def test_every_key_of_a_networks_list_is_found() -> None:
    _fresh()
    keys = [secrets.token_hex(32) for _ in range(3)]
    line = "    accounts: [{}],".format(", ".join(f'"0x{key}"' for key in keys))
    hits = [hit.value for _, _, hit in scan_files([("hardhat.config.ts", [line])])]
    assert hits == keys
    assert [key for key in keys if key in redact(line, filename="hardhat.config.ts")] == []


# A call or a list a formatter broke after its `(` or `[` (prettier past 80 columns).
WRAPPED = [
    ("src/deploy.ts", 'const wallet = new ethers.Wallet(\n  "0x{}",\n  provider,\n);'),
    ("bot/trade.py", "account = Account.from_key(\n    '{}'\n)"),
    ("hardhat.config.ts", '      accounts: [\n        "0x{}",\n        "0x{}", // deployer\n      ],'),
    (
        "truffle-config.js",
        "  provider: () =>\n    new HDWalletProvider([\n      '{}',\n      '{}',\n    ], url),",
    ),
    ("src/crlf.ts", 'const wallet = new ethers.Wallet(\r\n  "0x{}",\r\n  provider,\r\n);\r'),
    # Blanks a formatter did not take off after the `(` or the `[`.
    ("src/blanks.ts", 'const wallet = new ethers.Wallet(  \n  "0x{}",\n  provider,\n);'),
    ("src/tab-crlf.ts", 'const wallet = new ethers.Wallet(\t\r\n  "0x{}",\r\n  provider,\r\n);\r'),
    ("hardhat.config.js", "  accounts: [   \n    '{}',\n    '{}'\n  ],"),
    # A comment or a blank line before a key.
    ("src/commented.ts", 'const wallet = new ethers.Wallet(\n  // the deployer\n  "0x{}",\n  provider,\n);'),
    ("bot/vault.py", "account = Account.from_key(\n\n    # from the vault\n    '{}'\n)"),
    (
        "hardhat.config.ts",
        '  accounts: [\n    // deployer\n    "0x{}",\n\n    /* the relayer */\n    "0x{}",\n  ],',
    ),
    # A comment after the `(` or the `[`, or after the key; many comment lines before it.
    ("src/noted.ts", 'const wallet = new ethers.Wallet( // deployer\n  "0x{}",\n  provider,\n);'),
    ("bot/noted.py", "account = Account.from_key(  # deployer\n    '{}',  # from the vault\n)"),
    ("hardhat.config.ts", '  accounts: [ /* keys */\n    "0x{}", /* deployer */\n    "0x{}" -- relay\n  ],'),
    ("src/long.ts", 'const w = new ethers.Wallet(\n  // one\n  //\n\n  # two\n  /* three */\n  "0x{}",\n);'),
]


@pytest.mark.parametrize(("path", "template"), WRAPPED, ids=[p for p, _ in WRAPPED])
def test_a_key_a_formatter_wrapped_below_what_loads_it_is_found_and_hidden(path: str, template: str) -> None:
    _fresh()
    keys = [secrets.token_hex(32) for _ in range(template.count("{}"))]
    text = template.format(*keys)
    hits = [(hit.kind, hit.value) for _, _, hit in scan_files([(path, text.split("\n"))])]
    assert hits == [("Wallet Private Key", key) for key in keys]
    assert [key for key in keys if key in redact(text, filename=path)] == []
    # Below a name that loads no key, or JSON's list of addresses, hex stays as written.
    _fresh()
    for other in (
        'const w = await db.getWallet(\n  "{}",\n);',
        '{{"accounts": [\n  "0x{}"\n]}}',
        "new Wallet(\n  provider,\n  '{}'\n)",
    ):
        text = other.format(secrets.token_hex(32))
        assert [hit for _, _, hit in scan_files([(path, text.split("\n"))])] == [], other
        assert redact(text, filename=path) == text


NOT_KEYS = [
    # Hex that nothing loads as a key: digests, an address, a transaction's hash, bytes from hex.
    ("app/check.py", 'assert hashlib.sha256(data).hexdigest() == "{}"'),
    ("app/blob.py", 'DER = bytes.fromhex("{}")'),
    ("src/tx.ts", 'const receipt = await provider.getTransactionReceipt("0x{}");'),
    ("src/lock.json", '  "integrity": "{}",'),
    ("src/wallet.ts", 'const wallet = new Wallet(process.env.PRIVATE_KEY!, provider); // "0x{}"'),
    # A name that holds a loader's but is not one: a digest looked up, an app's own Wallet or account,
    # a cache's key; JSON's list of 32-byte addresses (Aptos, Sui).
    ("src/store.js", 'const w = await db.getWallet("{}");'),
    ("app/models.py", 'wallet = models.Wallet("{}")'),
    ("app/cache.py", 'entry = Cache.from_key("{}")'),
    ("app/bank.py", 'acct = ServiceAccount.from_key("{}")'),
    ("app/bank.py", 'acct = bank_account.from_key("{}")'),
    ("tests/fixtures.json", '{{"accounts": ["0x{}"]}}'),
    # Hex a Foundry script or a Rust program holds that is no key: a salt, a slot, a hash.
    ("script/Deploy.s.sol", "        bytes32 salt = 0x{};"),
    ("script/Deploy.s.sol", "    uint256 constant KEY_SPACE = 0x{};"),
    ("test/Store.t.sol", "        vm.store(address(token), bytes32(0x{}), bytes32(uint256(1)));"),
    ("src/main.rs", 'let hash: H256 = "{}".parse()?;'),
    ("src/wallet.js", "const w = myWallet.add('0x{}');"),
    # A name that only holds `pk`, or goes on past it; 32 bytes of bare hex named `pk` (an Ed25519 or an
    # x-only public key as often); a public key's name.
    ("src/app.js", 'const apk = "0x{}";'),
    ("src/app.js", 'const SPK = "0x{}";'),
    ("src/app.js", 'const pkg = "0x{}";'),
    ("src/app.py", 'PK_HASH = "0x{}"'),
    ("src/sig.py", 'pk = "{}"'),
    ("src/sig.ts", 'const pubkey = "0x{}";'),
    # A name ending in `key` that says no wallet's (a slot, a digest, a public key, a name that goes on),
    # Solidity's `bytes32` hash named for a role, bare hex named for one.
    ("src/app.ts", 'const STORAGE_KEY = "0x{}";'),
    ("src/app.ts", 'const cacheKey = "0x{}";'),
    ("src/app.ts", 'const ownerPublicKey = "0x{}";'),
    ("src/app.ts", 'const deployerKeyHash = "0x{}";'),
    ("src/app.ts", 'const robotKey = "0x{}";'),
    ("src/Roles.sol", "    bytes32 internal constant OWNER_KEY = 0x{};"),
    ("src/app.py", 'owner_key = "{}"'),
    ("src/app.ts", "const h = process.env.STORAGE_KEY || '0x{}';"),
    ("src/app.ts", "const h = process.env.PK_HASH || '0x{}';"),
    ("src/app.py", "h = os.getenv('APK', '0x{}')"),
    # Another object's `getPublicKey` (a fingerprint looked up), another class that ends in `PrivateKey`,
    # a method that only starts with `sign`.
    ("src/keys.ts", 'const pub = keyring.getPublicKey("{}");'),
    ("app/keys.py", 'key = MyPrivateKey(bytes.fromhex("{}"))'),
    ("app/auth.py", 'session = account.sign_in(user, "{}")'),
    ("app/auth.py", 'ok = account.signature_matches(body, "{}")'),
    # Another object's `sign` (a wallet's, a signed message's); a number read from elsewhere.
    ("src/sign.ts", 'const sig = signed.sign(msg, "{}");'),
    ("src/sign.ts", 'const sig = wallet.sign(msg, "{}");'),
    ("bot/keys.py", 'key = ec.derive_private_key(int(os.environ["K"], 16), ec.SECP256K1())  # "{}"'),
]


@pytest.mark.parametrize(("path", "template"), NOT_KEYS, ids=[t[:32] for _, t in NOT_KEYS])
def test_hex_that_nothing_loads_as_a_key_stays_as_written(path: str, template: str) -> None:
    _fresh()
    line = template.format(secrets.token_hex(32))
    assert [hit.kind for _, _, hit in scan_files([(path, [line])])] == []
    assert redact(line, filename=path) == line


def test_the_published_development_keys_and_placeholders_are_no_secret() -> None:
    """Anvil's and Hardhat's accounts from `test test … junk` and Ganache's from `myth like bonus …`
    are in every tutorial; a placeholder of a digit repeated holds nothing. Neither is a finding."""
    _fresh()
    values = [*sorted(_PUBLISHED_DEV_KEYS), "0" * 63 + "1", "ab" * 32, "f" * 64]
    lines = [f'const w{i} = new ethers.Wallet("0x{value}");' for i, value in enumerate(values)]
    assert [hit for _, _, hit in scan_files([("scripts/local.js", lines)])] == []
    # Anvil's first, Hardhat's twentieth, Ganache's first and last: ten, twenty and ten accounts.
    assert {
        "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
        "df57089febbacf7ba0bc227dafbffa9fc08a93fdc68e1e42411a14efcf23656e",
        "4f3edf983ac636a65a842ce7c78d9aa706d3b113bce9c46f30d7d21715b23b1d",
        "b0057716d5917badaf911b193b12b910811c1497b5bada8d7711f758981c3773",
    } <= _PUBLISHED_DEV_KEYS
    assert len(_PUBLISHED_DEV_KEYS) == 30


def test_a_wallet_key_fails_the_pr_and_reaches_no_model_the_trace_or_the_report(
    repo: GitRepo, model_server: FakeModelServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_MODEL_KEY", "sk-test")
    monkeypatch.setenv("AI_GATE_MODEL_BACKOFF", "0.01")
    key = secrets.token_hex(32)
    repo.write("bot/__init__.py", "")
    repo.commit("base")
    repo.branch("feature")
    repo.write(
        "bot/trade.js",
        f'const wallet = new ethers.Wallet("0x{key}", provider);\nmodule.exports = {{ wallet }};\n',
    )
    repo.commit("Trade bot\n\nCo-authored-by: Claude <noreply@anthropic.com>\n")
    out = _reviewed(repo, model_server, tmp_path)

    assert model_server.count(schema="review") >= 1, "no model was asked: nothing was proven"
    sent, places = _left(model_server, out)
    assert any("new ethers.Wallet" in body for body in sent)
    report = json.loads(places["report.json"])
    assert report["verdict"] == "fail"
    assert [(f["path"], f["severity"]) for f in report["findings"] if f["stage"] == "secrets"] == [
        ("bot/trade.js", "high")
    ]
    assert [where for where, text in places.items() if key[8:32] in text] == []
