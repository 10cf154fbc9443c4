"""Inputs whose full findings are kept as goldens: a change in how fast the gate reads must not change
what it finds.

Each input is a change the gate reads as users give it (an mbox, a plain diff, or a real git range),
gated with `ai-gate check --offline --format json`; its `findings` list is compared whole with
`tests/data/findings-golden/<name>.json`. The inputs: the bundled example series, a slice of the
bench's real-file series (windows of real source files), every documented key format and the
secrets tests' values in every place a line can carry them, the injection corpus and the hostile
pull requests' files, and the weakened-tests and phantom-symbols tests' repositories.

`python -m tests.golden_findings` rewrites the goldens; run it only where the findings are known
good (the goldens were first written from the findings before any speed work).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import random
import string
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import yaml

from tests.gitrepo import GitRepo

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "data" / "findings-golden"
AI_TRAILER = "Co-Authored-By: Claude <noreply@anthropic.com>"

_ALNUM = string.ascii_letters + string.digits
_HEX = "0123456789abcdef"
_UPPER_DIGITS = string.ascii_uppercase + string.digits
_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _sample(rng: random.Random) -> dict[str, str]:
    """One invented value of every documented key format in gate/redact/formats.py (assembled at run
    time, so this file holds none)."""

    def r(n: int, alphabet: str = _ALNUM) -> str:
        return "".join(rng.choice(alphabet) for _ in range(n))

    makers: dict[str, Callable[[], str]] = {
        "Anthropic API Key": lambda: "sk-ant-api03-" + r(93),
        "OpenAI Token": lambda: "sk-proj-" + r(48),
        "GitHub Token": lambda: "ghp_" + r(36),
        "Slack Token": lambda: "xoxb-" + r(12, string.digits) + "-" + r(24),
        "Stripe Access Key": lambda: "sk_live_" + r(24),
        "AWS Access Key": lambda: "AKIA" + r(16, string.ascii_uppercase + "234567"),
        "Google API Key": lambda: "AIza" + r(35),
        "GitLab Token": lambda: "glpat-" + r(20),
        "Hugging Face Token": lambda: "hf_" + r(34, string.ascii_letters),
        "SendGrid API Key": lambda: "SG." + r(22) + "." + r(43),
        "Twilio API Key": lambda: "SK" + r(32, _HEX),
        "PyPI Token": lambda: "pypi-AgEIcHlwaS5vcmc" + r(64),
        "Doppler Token": lambda: "dp.pt." + r(43),
        "Linear API Key": lambda: "lin_api_" + r(40),
        "Shopify Token": lambda: "shpat_" + r(32, _HEX),
        "Databricks Token": lambda: "dapi" + r(32, _HEX),
        "npm Token": lambda: "npm_" + r(36),
        "Postman API Key": lambda: "PMAK-" + r(24, _HEX) + "-" + r(34, _HEX),
        "Groq API Key": lambda: "gsk_" + r(52),
        "HashiCorp Vault Token": lambda: "hvs." + r(90),
        "DigitalOcean Token": lambda: "dop_v1_" + r(64, _HEX),
        "xAI API Key": lambda: "xai-" + r(80),
        "Atlassian API Token": lambda: "ATATT3" + r(120),
        "Notion Token": lambda: "ntn_" + r(43),
        "Replicate Token": lambda: "r8_" + r(37),
        "Perplexity API Key": lambda: "pplx-" + r(48),
        "Tailscale Key": lambda: "tskey-auth-" + r(30),
        "Grafana Token": lambda: "glsa_" + r(32) + "_" + r(8, _HEX),
        "Sentry Token": lambda: "sntrys_" + r(60),
        "1Password Service Account Token": lambda: "ops_eyJ" + r(60),
        "Mailgun API Key": lambda: "key-" + r(32, _HEX),
        "Square Token": lambda: "sq0atp-" + r(30),
        "Base64-wrapped GitHub Token": lambda: base64.b64encode(f"token: ghp_{r(36)}".encode()).decode(),
        "Docker Access Token": lambda: "dckr_pat_" + r(27),
        "Google OAuth Access Token": lambda: "ya29.a0" + r(60),
        "Alibaba Cloud AccessKey ID": lambda: "LTAI" + r(20),
        "Extended Private Key": lambda: "xprv" + r(107, _BASE58),
        "age Secret Key": lambda: "AGE-SECRET-KEY-1" + r(58, _BECH32.upper()),
        "Nostr Private Key": lambda: "nsec1" + r(58, _BECH32),
        "OpenRouter API Key": lambda: "sk-or-v1-" + r(64, _HEX),
        "Tavily API Key": lambda: "tvly-dev-" + r(32),
        "LangSmith API Key": lambda: "lsv2_pt_" + r(32, _HEX) + "_" + r(10, _HEX),
        "Pinecone API Key": lambda: "pcsk_" + r(6) + "_" + r(60),
        "Firecrawl API Key": lambda: "fc-" + r(32, _HEX),
        "Pulumi Access Token": lambda: "pul-" + r(40, _HEX),
        "Fly.io Token": lambda: "fo1_" + r(43),
        "Heroku API Key": lambda: "HRKU-AA" + r(58),
        "HCP Terraform Token": lambda: r(14) + ".atlasv1." + r(64),
        "Supabase Token": lambda: "sbp_" + r(40, _HEX),
        "PlanetScale Token": lambda: "pscale_tkn_" + r(43),
        "RubyGems API Key": lambda: "rubygems_" + r(48, _HEX),
        "New Relic API Key": lambda: "NRAK-" + r(27, string.ascii_uppercase + string.digits),
        "Dynatrace Token": lambda: "dt0c01." + r(24, string.ascii_uppercase + string.digits) + "." + r(64),
        "Sourcegraph Token": lambda: "sgp_" + r(16, _HEX) + "_" + r(40, _HEX),
        "Prefect API Key": lambda: "pnu_" + r(36),
        "Fly.io Macaroon": lambda: "fm2_" + r(120),
        "Supabase Secret Key": lambda: "sb_secret_" + r(31),
        "Sui Private Key": lambda: "suiprivkey1" + r(59, _BECH32),
        "Aptos Private Key": lambda: "ed25519-priv-0x" + r(64, _HEX),
        "1Password Secret Key": lambda: "-".join(("A3", *(r(n, _UPPER_DIGITS) for n in (6, 11, 5, 5, 5)))),
        "Airtable Personal Access Token": lambda: "pat" + r(14) + "." + r(64, _HEX),
        "ClickHouse Cloud API Secret": lambda: "4b1d" + r(38),
        "Clojars Deploy Token": lambda: "CLOJARS_" + r(60, string.ascii_lowercase + string.digits),
        "Duffel API Token": lambda: "duffel_live_" + r(43),
        "EasyPost API Key": lambda: "EZAK" + r(54),
        "Flutterwave Secret Key": lambda: "FLWSECK-" + r(32, "abcdefgh0123456789") + "-X",
        "Frame.io Token": lambda: "fio-u-" + r(64),
        "Harness Token": lambda: "pat." + r(22) + "." + r(24) + "." + r(20),
        "OpenShift Token": lambda: "sha256~" + r(43),
        "Adobe Client Secret": lambda: "p8e-" + r(32),
        "Amazon Bedrock API Key": lambda: "ABSK" + r(132),
        "Infracost API Token": lambda: "ico-" + r(32),
        "42 Intra Client Secret": lambda: "s-s4t2ud-" + r(64, _HEX),
        "MaxMind License Key": lambda: r(6) + "_" + r(29) + "_mmk",
        "Octopus Deploy API Key": lambda: "API-" + r(26, string.ascii_uppercase + string.digits),
        "ReadMe API Key": lambda: "rdme_" + r(70, string.ascii_lowercase + string.digits),
        "Scalingo API Token": lambda: "tk-us-" + r(48),
        "Brevo API Key": lambda: "xkeysib-" + r(64, _HEX) + "-" + r(16),
        "Shippo API Token": lambda: "shippo_live_" + r(40, _HEX),
        "Typeform Token": lambda: "tfp_" + r(59),
        "Yandex Cloud API Key": lambda: "AQVN" + r(36),
        "Cloudflare Origin CA Key": lambda: "v1.0-" + r(24, _HEX) + "-" + r(146, _HEX),
        "Azure AD Client Secret": lambda: r(3) + "8Q~" + r(34),
    }
    return {kind: make() for kind, make in makers.items()}


# Values of the secrets tests (tests/analyzers/test_secrets.py, tests/security), placeholders included.
SECRETS_TEST_LINES = (
    'AWS_ACCESS_KEY_ID = "AKIA' + 'Z3MSJV4XQ7PRWQ2T"',
    "k = 'sk-ant-api03-" + "Jx8Qm2Vn7Kp4Lr9Ts3Wy6Zb1Cd5Fg0Hj8Kn2Mp7Qs4Rv9Tw3Xz6Ab1Ce5Dg0Fh8Jk2Ln7Mq4'",
    "    return 'sk-proj-" + "Pq4Rs8Tu3Vw6Xy1Za5Bc0De7Fg2Hj9Kl4Mn8Pq3Rs6T3BlbkFJWx7Yz2Ab5Cd9Ef3Gh6Jk1Lm4'",
    'SLACK = "xoxb-' + '2849583710-4958271036485-Qw8Er2Ty6Ui0Op4As9Df3Gh"',
    "password = 'Zr8!kq2Lmv'",
    'DB_PASSWORD = "Zr8!kq2Lmv"',
    'aws_key = "AKIAIOSFODNN7EXAMPLE"',
    'password = "changeme"',
    'password = "<your-password-here>"',
    'api_key = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"',
    "url = 'postgres://admin:" + "S3cr3tPassw0rd@db.example.org:5432/app'",
    "jwt = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
    + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0.Qm9hZ3VzU2lnbmF0dXJlMTIzNA'",
    "server = '203.0.113.77'",
)
PEM = (
    "-----BEGIN RSA PRIVATE KEY-----",
    "MIIEowIBAAKCAQEA" + "q7Z3mKp9Lw2Vx8Nc4Rt6Yb1Hd5Fg0Jk3Mn7Ps2Qv9Tx4Wz8" + "Ab6Ce1Dg5Fh0Jl3Km7No2Pr",
    "-----END RSA PRIVATE KEY-----",
)
CONFIG_SYNTAX = {
    ".env.production": "AWS_SECRET_ACCESS_KEY={}",
    "deploy/values.yml": "password: {}",
    "config/settings.json": '  "api_key": "{}",',
    "config/app.toml": 'secret = "{}"',
    "config/app.ini": "token = {}",
    "config/app.properties": "db.credential={}",
}


# Credentials that only their place marks (gate/redact/formats.py PLACED_FORMATS; YAML and netrc values
# below their name): file and template, the value assembled at run time.
PLACED_SYNTAX = {
    "config/appsettings.json": '  "Db": "Server=db;User Id=app;Password={};"',
    "config/db.py": 'DSN = "host=db dbname=shop user=app password={}"',
    "maven/settings.xml": "<server><password>{}</password></server>",
    "NuGet.Config": '<add key="ClearTextPassword" value="{}" />',
    "deploy/fetch.sh": "curl -fsS -u deploy:{} https://artifacts.example.org/v1/list",
    "src/client.py": 'HEADERS = {{"Authorization": "Bearer {}"}}',
    "src/basic.py": 'HEADERS = {{"Authorization": "Basic {}"}}',
    "deploy/dump.sh": "mysqldump -u root -p{} shop > shop.sql",
    "deploy/login.sh": "docker login -u deploy --password {} registry.example.org",
    "deploy/ssh.sh": "sshpass -p {} ssh deploy@host",
    ".npmrc": "//registry.npmjs.org/:_authToken={}",
    "deploy/netrc.txt": "machine api.example.org login deploy password {}",
    "src/storage.py": 'URL = "https://acct.blob.core.windows.net/c/f?sv=2022-11-02&sp=r&sig={}"',
    "src/hooks.py": 'HOOK = "https://discord.com/api/webhooks/1086687697062175744/{}"',
    "deploy/api.yaml": "env:\n  - name: DB_PASSWORD\n    value: {}",
    "deploy/values.yaml": "db_password: |\n  {}",
    ".netrc": "machine api.example.org\n  login deploy\n  password {}",
    "src/Db.java": 'String url = "jdbc:mysql://db:3306/shop?user=app&password={}&useSSL=true";',
    "config/Web.config": '<add name="db" connectionString="Server=db; User Id=app; Password = {};" />',
    "src/fetch.py": 'r = requests.get(URL, auth=("deploy", "{}"), timeout=5)',
    "src/mail.py": 'smtp.login("ops@example.org", "{}")',
    "src/legacy_db.py": 'db = MySQLdb.connect("localhost", "root", "{}", "shop")',
    "deploy/flow.yaml": "containers:\n  - env: [{{name: API_TOKEN, value: {}}}]",
    "src/Report.java": 'Connection c = DriverManager.getConnection(url, "sa", "{}");',
    "src/Mailer.cs": 'client.Credentials = new NetworkCredential("ops", "{}");',
    "src/tasks.py": 'app = Celery("tasks", broker="redis://:{}@cache:6379/0")',
    "src/search.py": 'URL = "https://api.example.org/v1/items?access_token={}&q=shoes"',
    "deploy/probe.sh": 'curl -fsS -H "X-Api-Key: {}" https://api.example.org/v1/health',
    "deploy/issues.sh": 'curl -fsS -H "Authorization: token {}" https://api.github.com/user',
    "deploy/push.sh": "docker login -u deploy -p {} registry.example.org",
    "bot/trade.js": 'const wallet = new ethers.Wallet("0x{}", provider);',
    "bot/hardhat.config.js": 'module.exports = {{ networks: {{ main: {{ accounts: ["0x{}"] }} }} }};',
    "bot/sign.ts": "const signer = new ethers.SigningKey('0x{}');",
    "bot/wallet.js": "const w = Wallet.fromPrivateKey(Buffer.from('{}', 'hex'));",
    "bot/web3.js": "web3.eth.accounts.wallet.add('0x{}');",
    "bot/src/main.rs": 'let wallet: LocalWallet = "{}".parse()?;',
    "bot/src/signer.rs": 'let signer = PrivateKeySigner::from_str("0x{}")?;',
    "bot/script/Deploy.s.sol": "vm.startBroadcast(0x{});",
    "bot/script/Key.s.sol": "uint256 deployerPrivateKey = 0x{};",
    "coin/btc.js": "const key = ECPair.fromWIF('{}');",
    "coin/id.json": "{}",
    "coin/airdrop.ts": "const payer = Keypair.fromSecretKey(new Uint8Array({}));",
    "coin/.env": "MNEMONIC={}",
    "bot/keys.py": 'deployer_pk = "0x{}"',
    "bot/deploy.ts": 'const PK = "0x{}";',
    "bot/env.ts": "const key = process.env.DEPLOYER_PK || '0x{}';",
    "bot/Deploy.java": 'Credentials credentials = Credentials.create("0x{}");',
    "bot/ed.py": 'key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex("{}"))',
    "bot/src/secp.rs": 'let sk = SecretKey::from_slice(&hex::decode("{}")?)?;',
    "bot/sign.py": "signed = w3.eth.account.sign_transaction(tx, '0x{}')",
    "bot/noble.ts": "const pub = secp.getPublicKey('{}');",
    "bot/src/parse.rs": 'let wallet = "0x{}".parse::<LocalWallet>()?;',
    "coin/snipe.py": "payer = Keypair.from_base58_string('{}')",
    "coin/stellar.env": "STELLAR_SECRET={}",
    "src/weather.py": 'URL = "https://api.openweathermap.org/data/2.5/weather?q=Paris&appid={}"',
    "src/places.py": 'URL = "https://api.example.org/v1/places?key={}&q=cafe"',
    "bot/owner.ts": 'const ownerKey = "0x{}";',
    "bot/relay.py": "DEPLOYER_KEY = 0x{}",
    "bot/relay.ts": "const key = process.env.RELAYER_KEY || '0x{}';",
    "bot/Wallet.cs": 'var MyDeployerKey = "0x{}";',
    "bot/noble_sign.ts": "const sig = secp.sign(msgHash, '{}');",
    "bot/derive.py": 'key = ec.derive_private_key(int("{}", 16), ec.SECP256K1())',
    "src/ai.rb": 'client = OpenAI::Client.new(access_token: "{}")',
    "src/main.rs": 'let config = OpenAIConfig::new().with_api_key("{}");',
    "src/sms.py": 'client = Client(account_sid, "{}")',
    "src/trade.py": 'client = Client(api_key, "{}")',
}
# Credentials that other tools' syntax sets (`gate.redact.formats.TOOL_FORMATS`, a `.pgpass` line, a
# YAML value below its name).
TOOL_SYNTAX = {
    "tools/redis.conf": "requirepass {}",
    "tools/.pgpass": "db.example.org:5432:shop:app:{}",
    "tools/app.service": "Environment=API_KEY={}",
    "tools/worker.service": 'Environment="LOG_FORMAT=json" "DB_PASSWORD={}"',
    "tools/init.sql": "CREATE USER 'app'@'%' IDENTIFIED BY '{}';",
    "tools/roles.sql": "ALTER ROLE app WITH LOGIN PASSWORD '{}';",
    "tools/beans.xml": '<property name="password" value="{}"/>',
    "tools/settings.py": 'DB_PASSWORD = os.getenv("DB_PASSWORD", "{}")',
    "tools/db.js": 'const password = process.env.DB_PASSWORD || "{}";',
    "tools/values.yaml": "database:\n  password:\n    {}",
    "tools/wp-config.php": "define( 'DB_PASSWORD', '{}' );",
    "tools/Pool.java": 'ds.setPassword("{}");',
    "tools/Mail.java": 'props.put("mail.smtp.password", "{}");',
    "tools/db.go": 'db, err := sql.Open("mysql", "app:{}@tcp(db:3306)/shop")',
    "tools/main.tf": 'variable "api_token" {{ default = "{}" }}',
    "tools/variables.tf": 'variable "db_password" {{\n  sensitive = true\n  default   = "{}"\n}}',
    "tools/taskdef.json": (
        '{{"environment": [{{"name": "DB_PASSWORD", "value": "{0}"}}, {{"value": "{0}", "key": "apiKey"}}]}}'
    ),
    "tools/setup.ipynb": '{{"cells": [{{"source": ["%env OPENAI_API_KEY={}\\n"]}}]}}',
}

# Secrets held apart from what marks them: a connection string's password with blanks, a signing call's
# literal key, a value black wrapped below its name, a passphrase of more than three words.
SPLIT_SYNTAX = {
    "split/Db.cs": 'var cs = "Server=db;User Id=app;Password=open {} now;";',
    "split/auth.py": 'token = jwt.encode(payload, "{}", algorithm="HS256")',
    "split/hook.py": 'mac = hmac.new(b"{}", body, hashlib.sha256)',
    "split/hook.js": "const mac = crypto.createHmac('sha256', '{}').update(body);",
    "split/settings.py": 'API_TOKEN = (\n    "{}"\n)',
    "split/app.yml": 'api_token: "{} horse battery staple again"',
    "split/crypt.py": 'cipher = AES.new(b"{}", AES.MODE_GCM)',
    "split/crypt.js": "const c = crypto.createCipheriv('aes-256-cbc', '{}', iv);",
    "split/Text.cs": 'var credential = new AzureKeyCredential("{}");',
    "split/rerank.py": 'co = cohere.ClientV2("{}")',
    "src/trade_both.py": 'client = Client("{0}", "{0}Zq9X")',
}


def _placed_value(rng: random.Random, path: str) -> str:
    if path.startswith("coin/"):
        return _coin_value(rng, path)
    if path == "src/basic.py":
        return base64.b64encode(f"deploy:{''.join(rng.choice(_ALNUM) for _ in range(14))}".encode()).decode()
    if path == "src/hooks.py":
        return "".join(rng.choice(_ALNUM) for _ in range(68))
    if path.startswith("bot/"):  # a wallet's key: 32 bytes of hex
        return "".join(rng.choice("0123456789abcdef") for _ in range(64))
    if path == "src/sms.py":  # Twilio's auth token: 16 bytes of hex
        return "".join(rng.choice("0123456789abcdef") for _ in range(32))
    if path.startswith("src/trade"):  # an exchange's key or secret
        return "".join(rng.choice(_ALNUM) for _ in range(60))
    return "-".join("".join(rng.choice(_ALNUM) for _ in range(n)) for n in (14, 9))


def _base58(raw: bytes) -> str:
    number, out = int.from_bytes(raw, "big"), ""
    while number:
        number, digit = divmod(number, 58)
        out = _BASE58[digit] + out
    return "1" * (len(raw) - len(raw.lstrip(b"\0"))) + out


def _coin_value(rng: random.Random, path: str) -> str:
    """A Bitcoin key in Wallet Import Format, a Solana keypair's bytes (or its base58), a Stellar secret
    seed, or a BIP-39 recovery phrase."""
    if path.endswith("snipe.py"):
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        seed = rng.randbytes(32)
        return _base58(seed + Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw())
    if path.endswith("stellar.env"):
        payload = bytes([18 << 3]) + rng.randbytes(32)
        return base64.b32encode(payload + binascii.crc_hqx(payload, 0).to_bytes(2, "little")).decode()
    if path.endswith(".js"):
        payload = bytes([0x80, *rng.randbytes(32), 0x01])
        return _base58(payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4])
    if path.endswith((".json", ".ts")):
        numbers = list(rng.randbytes(64))
        return "[" + ("," if path.endswith(".json") else ", ").join(map(str, numbers)) + "]"
    words = [
        line
        for line in (ROOT / "gate" / "data" / "bip39-english.txt").read_text().splitlines()
        if not line.startswith("#")
    ]
    entropy = rng.randbytes(16)
    bits = int.from_bytes(entropy, "big") << 4 | hashlib.sha256(entropy).digest()[0] >> 4
    return " ".join(words[(bits >> (11 * (11 - i))) & 0x7FF] for i in range(12))


def secrets_files() -> dict[str, str]:
    """Every key format on a line of code, past column 10,000 of a long line, and in every config
    syntax; credentials that only their place marks, and those other tools' syntax sets; the secrets
    tests' values and placeholders; a private key block."""
    values = _sample(random.Random(16))
    code = [f"{kind.upper().replace(' ', '_').replace('-', '_')} = '{v}'" for kind, v in values.items()]
    long_line = "x = '" + "ab cd " * 1_700 + " ".join(values.values()) + "'"
    files = {
        "app/keys.py": "\n".join([*code, *SECRETS_TEST_LINES]) + "\n",
        "app/long_line.py": long_line + "\n",
        "app/pem.py": "KEY = '''\n" + "\n".join(PEM) + "\n'''\n",
    }
    for index, (path, template) in enumerate(CONFIG_SYNTAX.items()):
        chosen = [*list(values.values())[index * 5 : index * 5 + 5], "Zr8kq2Lmv7Qs"]
        files[path] = "\n".join(template.format(v) for v in chosen) + "\n"
    placed = random.Random(17)
    for path, template in PLACED_SYNTAX.items():
        files[path] = template.format(_placed_value(placed, path)) + "\n"
    tools = random.Random(18)
    for path, template in TOOL_SYNTAX.items():
        files[path] = template.format(_placed_value(tools, path)) + "\n"
    split = random.Random(19)
    for path, template in SPLIT_SYNTAX.items():
        files[path] = template.format(_placed_value(split, path)) + "\n"
    return files


def injection_files() -> dict[str, str]:
    """The injection corpus (every real phrasing and benign look-alike) as comments, strings and
    Markdown, and the hostile pull requests' files."""
    corpus = [
        json.loads(line)["text"]
        for line in (ROOT / "tests" / "data" / "injection-corpus.jsonl").read_text().splitlines()
        if line.strip()
    ]
    one_line = [" ".join(text.split()) for text in corpus]
    files = {
        "app/comments.py": "\n".join(f"# {text}" for text in one_line) + "\n",
        "app/strings.py": "\n".join(f"MESSAGE_{i} = {text!r}" for i, text in enumerate(one_line)) + "\n",
        "docs/notes.md": "\n\n".join(corpus) + "\n",
    }
    for path in sorted((ROOT / "tests" / "data" / "hostile").glob("*.yml")):
        case = yaml.safe_load(path.read_text())
        for name, text in (case.get("files") or {}).items():
            files[f"hostile/{path.stem}/{name}"] = text
    return files


def real_files(count: int = 30) -> dict[str, str]:
    """The first `count` windows of the bench's real-file series (100 lines of a real file each)."""
    sys.path.insert(0, str(ROOT))
    from bench.real_corpus import windows

    return {w.path: "\n".join(w.lines) + "\n" for w in windows(count)}


def new_files_diff(files: dict[str, str]) -> str:
    """A git diff that adds `files`."""
    out: list[str] = []
    for path, text in files.items():
        lines = text.split("\n")
        if lines[-1] == "":
            lines.pop()
        out += [
            f"diff --git a/{path} b/{path}",
            "new file mode 100644",
            "--- /dev/null",
            f"+++ b/{path}",
            f"@@ -0,0 +1,{len(lines)} @@",
            *(f"+{line}" for line in lines),
        ]
    return "\n".join(out) + "\n"


def _repo(root: Path, base: dict[str, str], head: dict[str, str | None]) -> Path:
    repo = GitRepo(root)
    for path, text in base.items():
        repo.write(path, text)
    repo.commit("Base")
    repo.git("checkout", "-q", "-b", "pr")
    for path, text in head.items():
        if text is None:
            repo.remove(path)
        else:
            repo.write(path, text)
    repo.commit(f"Change\n\n{AI_TRAILER}\n")
    return root


def weakened_and_phantom_repo(root: Path) -> Path:
    """The weakened-tests and phantom-symbols tests' base repositories, changed as those tests do."""
    from tests.analyzers.test_phantom_symbols import BASE as SYMBOLS_BASE
    from tests.analyzers.test_weakened_tests import BASE as TESTS_BASE
    from tests.analyzers.test_weakened_tests import PY_TEST

    base = {**{k: v for k, v in SYMBOLS_BASE.items() if v is not None}}
    base.update({k: v for k, v in TESTS_BASE.items() if v is not None})
    weakened = PY_TEST.replace("    assert total([]) == 0\n", "").replace(
        "    assert total([1, 2]) == 3\n", "    total([1, 2])\n"
    )
    head: dict[str, str | None] = {
        "app.py": "def total(xs):\n    return sum(xs or [])\n",
        "tests/test_app.py": weakened,
        "tests/test_other.py": None,
        "pkg/new.py": (
            "from pkg.mod import helper, not_there\nfrom pkg import missing_mod\nimport pkg.ghost\n"
            "from .mod import Klass\n\n\ndef use():\n    k = Klass()\n    k.method()\n    k.nope()\n"
            "    return helper() + not_there() + undefined_name\n"
        ),
    }
    return _repo(root, base, head)


def inputs(work: Path) -> dict[str, list[str]]:
    """name -> the `ai-gate check` arguments that gate it (inputs written under `work`)."""
    work.mkdir(parents=True, exist_ok=True)
    diffs = {
        "secrets": secrets_files(),
        "injection": injection_files(),
        "real-files": real_files(),
    }
    args: dict[str, list[str]] = {
        "example-series": [
            *("--diff", str(ROOT / "examples" / "ai-assisted-series.mbox")),
            *("--config", str(ROOT / "examples" / "ai-gate.yml")),
        ]
    }
    for name, files in diffs.items():
        path = work / f"{name}.diff"
        path.write_text(new_files_diff(files), encoding="utf-8")
        args[name] = ["--diff", str(path)]
    repo = weakened_and_phantom_repo(work / "weakened-phantom")
    args["weakened-phantom"] = ["--repo", str(repo), "--base", "main", "--head", "pr"]
    return args


def findings(argv: list[str]) -> list[dict[str, object]]:
    done = subprocess.run(
        [sys.executable, "-m", "gate", "check", "--offline", "--format", "json", "--no-progress", *argv],
        capture_output=True,
        cwd=ROOT,
        check=False,
    )
    if done.returncode not in (0, 1):
        raise RuntimeError(
            f"ai-gate {' '.join(argv)} exited {done.returncode}: {done.stderr.decode()[-800:]}"
        )
    report = json.loads(done.stdout)
    result: list[dict[str, object]] = report["findings"]
    return result


def main() -> None:
    import tempfile

    GOLDEN.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, argv in inputs(Path(tmp)).items():
            found = findings(argv)
            (GOLDEN / f"{name}.json").write_text(json.dumps(found, indent=1, ensure_ascii=False) + "\n")
            print(f"{name}: {len(found)} findings")


if __name__ == "__main__":
    main()
