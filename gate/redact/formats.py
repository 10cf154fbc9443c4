"""Key formats recognised by their documented prefix, and credentials by the place they stand in,
beside detect-secrets' own plugins.

Each row is (kind, pattern, source): the source is where the vendor (or GitHub secret scanning, which
works from the vendors' own descriptions) documents the format. A prefixed pattern starts with its
literal prefix, so one search over a whole text is cheap, and takes the token to its end; the lengths
are the documented ones or a little under, so a key cut short by a line wrap is still caught. A placed
credential (`PLACED_FORMATS`) is the value after a marker that only a credential follows.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class KeyFormat:
    kind: str
    pattern: re.Pattern[str]
    source: str
    # A placed credential (a password in a connection string, a bearer token) is the pattern's `value`
    # group, and counts only where `accept` takes that value (not a placeholder such as `${TOKEN}`).
    accept: Callable[[str], bool] | None = None
    # For a statement that sets several credentials under one marker (`Environment=A_KEY=x B_TOKEN=y`):
    # the rest of the statement after a value, matched where the value ends for the next one.
    more: re.Pattern[str] | None = None
    # A placed credential whose marker is a name: what may not stand before it (`getWallet(` is not
    # `Wallet(`).
    not_after: re.Pattern[str] | None = None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """Matches that start a token: `xsk_live_` is not a Stripe key, `some_npm_x` not an npm token.
        (Checked here rather than by a look-behind, which would cost the regex its literal-prefix scan.)
        A placed credential's match opens with its marker (`;Password=`, `<password>`), which may
        follow any character but `not_after`."""
        for m in self.pattern.finditer(text):
            at = m.start()
            if self.accept is not None:
                if self.not_after is None or starts_whole(self.not_after, text, at):
                    yield from self._accepted(text, m)
            elif at == 0 or not _TOKEN_CHAR.match(text, at - 1):
                yield m

    def _accepted(self, text: str, match: re.Match[str] | None) -> Iterator[re.Match[str]]:
        """The match if its value counts, then each further value of the same statement."""
        assert self.accept is not None
        while match is not None:
            if self.accept(match.group("value")):
                yield match
            match = self.more.match(text, match.end()) if self.more is not None else None

    def value(self, match: re.Match[str]) -> str:
        """The secret a match holds: the whole match for a key format, the `value` group for a placed
        credential."""
        return match.group("value") if self.accept is not None else match.group(0)


_TOKEN_CHAR = re.compile(r"[A-Za-z0-9_]")


def _fmt(kind: str, pattern: str, source: str) -> KeyFormat:
    return KeyFormat(kind, re.compile(pattern), source)


_TAIL = r"[A-Za-z0-9_-]"
_BASE58 = "[1-9A-HJ-NP-Za-km-z]"  # Bitcoin's alphabet: no 0, O, I or l
_BASE58_DIGITS = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

PREFIXED_FORMATS: tuple[KeyFormat, ...] = (
    _fmt(
        "Anthropic API Key",
        rf"sk-ant-(?:api|admin|sid)\d{{2}}-{_TAIL}{{32,}}",
        "https://docs.anthropic.com/en/api/overview",
    ),
    _fmt(
        "OpenAI Token",
        rf"sk-(?:proj|svcacct|admin|None)-{_TAIL}{{20,}}|sk-[A-Za-z0-9]{{20}}T3BlbkFJ[A-Za-z0-9]{{20}}",
        "https://platform.openai.com/docs/api-reference/authentication",
    ),
    _fmt(
        "GitHub Token",
        r"gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,}",
        "https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/about-authentication-to-github#githubs-token-formats",
    ),
    _fmt(
        "Slack Token",
        r"xox[abposre]-[A-Za-z0-9-]{10,}|xapp-\d-[A-Za-z0-9-]{10,}",
        "https://api.slack.com/concepts/token-types",
    ),
    _fmt(
        "Stripe Access Key",
        r"(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}|whsec_[A-Za-z0-9]{24,}",
        "https://docs.stripe.com/keys",
    ),
    _fmt(
        "AWS Access Key",
        r"(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?![A-Za-z0-9])",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids",
    ),
    _fmt(
        "Google API Key",
        r"AIza[0-9A-Za-z_-]{35}",
        "https://cloud.google.com/docs/authentication/api-keys",
    ),
    _fmt(
        "GitLab Token",
        rf"gl(?:pat|dt|rt|ptt|oas|cbt|imt|ft|soat|ffct|agent)-{_TAIL}{{20,}}|GR1348941{_TAIL}{{20,}}",
        "https://docs.gitlab.com/ee/security/tokens/#token-prefixes",
    ),
    _fmt(
        "Hugging Face Token",
        r"hf_[A-Za-z0-9]{30,}|api_org_[A-Za-z0-9]{30,}",
        "https://huggingface.co/docs/hub/security-tokens",
    ),
    _fmt(
        "SendGrid API Key",
        rf"SG\.{_TAIL}{{22}}\.{_TAIL}{{43}}",
        "https://www.twilio.com/docs/sendgrid/ui/account-and-settings/api-keys",
    ),
    _fmt(
        "Twilio API Key",
        r"SK[0-9a-fA-F]{32}(?![A-Za-z0-9])",
        "https://www.twilio.com/docs/iam/api-keys",
    ),
    _fmt(
        "PyPI Token",
        rf"pypi-AgE{_TAIL}{{50,}}",
        "https://pypi.org/help/#apitoken",
    ),
    _fmt(
        "Doppler Token",
        r"dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,}",
        "https://docs.doppler.com/docs/token-formats",
    ),
    _fmt(
        "Linear API Key",
        r"lin_(?:api|oauth)_[A-Za-z0-9]{40}",
        "https://linear.app/developers/graphql#personal-api-keys",
    ),
    _fmt(
        "Shopify Token",
        r"shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}",
        "https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens",
    ),
    _fmt(
        "Databricks Token",
        r"dapi[a-f0-9]{32}(?:-\d)?",
        "https://docs.databricks.com/en/dev-tools/auth/pat.html",
    ),
    _fmt(
        "npm Token",
        r"npm_[A-Za-z0-9]{36}",
        "https://docs.npmjs.com/about-access-tokens",
    ),
    _fmt(
        "Postman API Key",
        r"PMAK-[a-fA-F0-9]{24}-[a-fA-F0-9]{34}",
        "https://learning.postman.com/docs/developer/postman-api/authentication/",
    ),
    _fmt(
        "Groq API Key",
        r"gsk_[A-Za-z0-9]{48,}",
        "https://console.groq.com/docs/quickstart",
    ),
    _fmt(
        "HashiCorp Vault Token",
        rf"hv[sbr]\.{_TAIL}{{24,}}",
        "https://developer.hashicorp.com/vault/docs/concepts/tokens#token-prefixes",
    ),
    _fmt(
        "DigitalOcean Token",
        r"do[opr]_v1_[a-f0-9]{64}",
        "https://docs.digitalocean.com/reference/api/create-personal-access-token/",
    ),
    _fmt(
        "xAI API Key",
        r"xai-[A-Za-z0-9]{48,}",
        "https://docs.x.ai/docs/overview",
    ),
    _fmt(
        "Atlassian API Token",
        r"ATATT3[A-Za-z0-9_=-]{100,}",
        "https://support.atlassian.com/atlassian-account/docs/manage-api-tokens-for-your-atlassian-account/",
    ),
    _fmt(
        "Notion Token",
        r"(?:ntn|secret)_[A-Za-z0-9]{43}",
        "https://developers.notion.com/docs/authorization",
    ),
    _fmt(
        "Replicate Token",
        r"r8_[A-Za-z0-9]{37}",
        "https://replicate.com/docs/reference/http#authentication",
    ),
    _fmt(
        "Perplexity API Key",
        r"pplx-[A-Za-z0-9]{48}",
        "https://docs.perplexity.ai/guides/getting-started",
    ),
    _fmt(
        "Tailscale Key",
        rf"tskey-(?:auth|api|client|scim|webhook)-{_TAIL}{{20,}}",
        "https://tailscale.com/kb/1085/auth-keys",
    ),
    _fmt(
        "Grafana Token",
        rf"glsa_[A-Za-z0-9]{{32}}_[A-Fa-f0-9]{{8}}|glc_{_TAIL}{{32,}}",
        "https://grafana.com/docs/grafana/latest/administration/service-accounts/",
    ),
    _fmt(
        "Sentry Token",
        r"sntr(?:y[su]?|[su]s?)_[A-Za-z0-9_=+/-]{40,}",
        "https://docs.sentry.io/account/auth-tokens/",
    ),
    _fmt(
        "1Password Service Account Token",
        r"ops_eyJ[A-Za-z0-9_=+/-]{40,}",
        "https://developer.1password.com/docs/service-accounts/",
    ),
    _fmt(
        "Mailgun API Key",
        r"key-[a-f0-9]{32}(?![A-Za-z0-9])",
        "https://documentation.mailgun.com/docs/mailgun/api-reference/authentication/",
    ),
    _fmt(
        "Square Token",
        rf"sq0(?:atp|csp)-{_TAIL}{{22,}}|EAAA[A-Za-z0-9_-]{{60}}",
        "https://developer.squareup.com/docs/build-basics/access-tokens",
    ),
    _fmt(
        "Docker Access Token",
        rf"dckr_(?:pat|oat)_{_TAIL}{{24,}}",
        "https://docs.docker.com/security/for-developers/access-tokens/",
    ),
    _fmt(
        "Google OAuth Access Token",
        rf"ya29\.{_TAIL}{{20,}}",
        "https://docs.github.com/en/code-security/secret-scanning/introduction/supported-secret-scanning-patterns",
    ),
    _fmt(
        "Alibaba Cloud AccessKey ID",
        r"LTAI[A-Za-z0-9]{12,20}(?![A-Za-z0-9])",
        "https://www.alibabacloud.com/help/en/ram/user-guide/create-an-accesskey-pair",
    ),
    # The keys of AI services that an assistant's code calls: a search, a vector store, a tracer, a
    # scraper, a router of models.
    _fmt(
        "OpenRouter API Key",
        r"sk-or-v1-[a-f0-9]{64}(?![A-Za-z0-9])",
        "https://openrouter.ai/docs/api-reference/authentication",
    ),
    _fmt(
        "Tavily API Key",
        r"tvly-(?:(?:dev|prod)-)?[A-Za-z0-9]{24,}",
        "https://docs.tavily.com/documentation/api-reference/introduction",
    ),
    _fmt(
        "LangSmith API Key",
        r"lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}",
        "https://docs.smith.langchain.com/administration/how_to_guides/organization_management/create_account_api_key",
    ),
    _fmt(
        "Pinecone API Key",
        r"pc(?:sk|key)_[A-Za-z0-9]{4,}_[A-Za-z0-9]{32,}",
        "https://docs.pinecone.io/guides/projects/manage-api-keys",
    ),
    _fmt(
        "Firecrawl API Key",
        r"fc-[a-f0-9]{32}(?![A-Za-z0-9])",
        "https://docs.firecrawl.dev/api-reference/introduction",
    ),
    # Deploy platforms' and package registries' tokens.
    _fmt(
        "Pulumi Access Token",
        r"pul-[a-f0-9]{40}(?![A-Za-z0-9])",
        "https://www.pulumi.com/docs/pulumi-cloud/access-management/access-tokens/",
    ),
    _fmt(
        "Fly.io Token",
        rf"fo1_{_TAIL}{{43}}",
        "https://fly.io/docs/security/tokens/",
    ),
    _fmt(
        "Fly.io Token",
        r"fm2_[A-Za-z0-9+/]{100,}={0,3}",
        "https://fly.io/docs/security/tokens/",
    ),
    _fmt(
        "Heroku API Key",
        rf"HRKU-AA{_TAIL}{{58}}",
        "https://devcenter.heroku.com/articles/authentication",
    ),
    _fmt(
        "HCP Terraform Token",
        r"[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}",
        "https://developer.hashicorp.com/terraform/cloud-docs/users-teams-organizations/api-tokens",
    ),
    _fmt(
        "Supabase Token",
        r"sbp_[a-f0-9]{40}",
        "https://supabase.com/docs/guides/platform/access-control",
    ),
    _fmt(
        "Supabase Token",
        rf"sb_secret_{_TAIL}{{31,}}",
        "https://supabase.com/docs/guides/api/api-keys",
    ),
    _fmt(
        "PlanetScale Token",
        r"pscale_(?:pw|tkn|oauth)_[A-Za-z0-9_=.-]{32,64}",
        "https://planetscale.com/docs/concepts/service-tokens",
    ),
    _fmt(
        "RubyGems API Key",
        r"rubygems_[a-f0-9]{48}",
        "https://guides.rubygems.org/api-key-scopes/",
    ),
    _fmt(
        "New Relic API Key",
        r"NRAK-[A-Z0-9]{27}",
        "https://docs.newrelic.com/docs/apis/intro-apis/new-relic-api-keys/",
    ),
    _fmt(
        "Dynatrace Token",
        r"dt0c01\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{64}",
        "https://docs.dynatrace.com/docs/manage/identity-access-management/access-tokens-and-oauth-clients/access-tokens",
    ),
    _fmt(
        "Sourcegraph Token",
        r"sgp_(?:[a-f0-9]{16}|local)_[a-f0-9]{40}",
        "https://sourcegraph.com/docs/cli/how-tos/creating_an_access_token",
    ),
    _fmt(
        "Prefect API Key",
        r"pnu_[A-Za-z0-9]{36}",
        "https://docs.prefect.io/v3/manage/cloud/manage-users/api-keys",
    ),
    # More services' keys, by the shapes their vendors document (and secret scanners read): a cloud's, a
    # CI's, a payment or shipping API's, a mail sender's.
    _fmt(
        "1Password Secret Key",
        r"A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}(?![A-Za-z0-9])",
        "https://support.1password.com/secret-key-security/",
    ),
    _fmt(
        "Airtable Personal Access Token",
        r"pat[A-Za-z0-9]{14}\.[a-f0-9]{64}(?![A-Za-z0-9])",
        "https://airtable.com/developers/web/guides/personal-access-tokens",
    ),
    _fmt(
        "ClickHouse Cloud API Secret",
        r"4b1d[A-Za-z0-9]{38}(?![A-Za-z0-9])",
        "https://clickhouse.com/docs/cloud/manage/openapi",
    ),
    _fmt(
        "Clojars Deploy Token",
        r"CLOJARS_[a-z0-9]{60}(?![A-Za-z0-9])",
        "https://github.com/clojars/clojars-web/wiki/Deploy-Tokens",
    ),
    _fmt(
        "Duffel API Token",
        rf"duffel_(?:test|live)_{_TAIL}{{43}}",
        "https://duffel.com/docs/api/overview/making-requests/authentication",
    ),
    _fmt(
        "EasyPost API Key",
        r"EZ[AT]K[A-Za-z0-9]{54}(?![A-Za-z0-9])",
        "https://docs.easypost.com/docs/authentication",
    ),
    _fmt(
        "Flutterwave Secret Key",
        r"FLWSECK(?:_TEST)?-[a-h0-9]{32}-X",
        "https://developer.flutterwave.com/docs/authentication",
    ),
    _fmt(
        "Frame.io Token",
        rf"fio-u-{_TAIL}{{64}}",
        "https://developer.frame.io/docs/getting-started/authentication",
    ),
    _fmt(
        "Harness Token",
        r"(?:pat|sat)\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{20}(?![A-Za-z0-9])",
        "https://developer.harness.io/docs/platform/automation/api/add-and-manage-api-keys/",
    ),
    _fmt(
        "OpenShift Token",
        rf"sha256~{_TAIL}{{43}}",
        "https://docs.openshift.com/container-platform/4.16/authentication/managing-oauth-access-tokens.html",
    ),
    _fmt(
        "Adobe Client Secret",
        r"p8e-[A-Za-z0-9]{32}(?![A-Za-z0-9])",
        "https://developer.adobe.com/developer-console/docs/guides/authentication/",
    ),
    _fmt(
        "Amazon Bedrock API Key",
        r"ABSK[A-Za-z0-9+/]{109,269}={0,2}",
        "https://docs.aws.amazon.com/bedrock/latest/userguide/api-keys.html",
    ),
    _fmt(
        "Infracost API Token",
        r"ico-[A-Za-z0-9]{32}(?![A-Za-z0-9])",
        "https://www.infracost.io/docs/integrations/infracost_api/",
    ),
    _fmt(
        "42 Intra Client Secret",
        r"s-s4t2(?:ud|af)-[a-f0-9]{64}(?![A-Za-z0-9])",
        "https://api.intra.42.fr/apidoc/guides/getting_started",
    ),
    _fmt(
        "MaxMind License Key",
        r"[A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk(?![A-Za-z0-9])",
        "https://support.maxmind.com/hc/en-us/articles/4407111582235-Generate-a-License-Key",
    ),
    _fmt(
        "Octopus Deploy API Key",
        r"API-[A-Z0-9]{26}(?![A-Za-z0-9])",
        "https://octopus.com/docs/octopus-rest-api/how-to-create-an-api-key",
    ),
    _fmt(
        "ReadMe API Key",
        r"rdme_[a-z0-9]{70}(?![A-Za-z0-9])",
        "https://docs.readme.com/main/reference/intro/authentication",
    ),
    _fmt(
        "Scalingo API Token",
        rf"tk-us-{_TAIL}{{48}}",
        "https://doc.scalingo.com/platform/user-management/api-tokens",
    ),
    _fmt(
        "Brevo API Key",
        r"x(?:keysib|smtpsib)-[a-f0-9]{64}-[A-Za-z0-9]{16}(?![A-Za-z0-9])",
        "https://developers.brevo.com/docs/getting-started",
    ),
    _fmt(
        "Shippo API Token",
        r"shippo_(?:live|test)_[a-fA-F0-9]{40}(?![A-Za-z0-9])",
        "https://docs.goshippo.com/docs/guides_general/authentication/",
    ),
    _fmt(
        "Typeform Token",
        r"tfp_[A-Za-z0-9_.=-]{59}",
        "https://www.typeform.com/developers/get-started/personal-access-token/",
    ),
    _fmt(
        "Yandex Cloud API Key",
        rf"AQVN{_TAIL}{{35,38}}",
        "https://yandex.cloud/en/docs/iam/concepts/authorization/api-key",
    ),
    _fmt(
        # Microsoft Entra ID's (Azure AD's) client secret: 40 characters, `Q~` after the fourth. No prefix:
        # the candidate pass finds it by `Q~`, which code rarely holds.
        "Azure AD Client Secret",
        r"[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])",
        "https://learn.microsoft.com/en-us/purview/sit-defn-azure-ad-client-secret",
    ),
    _fmt(
        "Cloudflare Origin CA Key",
        r"v1\.0-[a-f0-9]{24}-[a-f0-9]{146}(?![A-Za-z0-9])",
        "https://developers.cloudflare.com/fundamentals/api/get-started/ca-keys/",
    ),
    _fmt(
        "Sui Private Key",
        r"suiprivkey1[02-9ac-hj-np-z]{58,}",
        "https://github.com/sui-foundation/sips/blob/main/sips/sip-15.md",
    ),
    _fmt(
        "Aptos Private Key",
        r"(?:ed25519|secp256k1)-priv-0x[0-9a-fA-F]{64}(?![0-9a-fA-F])",
        "https://github.com/aptos-foundation/AIPs/blob/main/aips/aip-80.md",
    ),
    # A wallet's master key, from which every key of the wallet is derived: BIP-32's `xprv` and
    # `tprv`, and SLIP-132's `yprv`, `zprv`, `Yprv`, `Zprv`, `uprv`, `vprv`; 111 base58 characters.
    _fmt(
        "Extended Private Key",
        rf"[xyzYZtuvUV]prv{_BASE58}{{107}}(?![A-Za-z0-9])",
        "https://github.com/bitcoin/bips/blob/master/bip-0032.mediawiki#serialization-format",
    ),
    _fmt(
        "age Secret Key",
        r"AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}(?![A-Za-z0-9])",
        "https://age-encryption.org/v1",
    ),
    _fmt(
        "Nostr Private Key",
        r"nsec1[02-9ac-hj-np-z]{58}(?![A-Za-z0-9])",
        "https://github.com/nostr-protocol/nips/blob/master/19.md",
    ),
)


# The development keys every local chain publishes: Anvil's ten and Hardhat's twenty accounts, derived
# from the mnemonic `test test test test test test test test test test test junk`
# (https://book.getfoundry.sh/reference/anvil/), and the ten `ganache --deterministic` prints, from
# `myth like bonus scare over problem client lizard pioneer submit female collect`. No secret: they are
# in every tutorial.
_PUBLISHED_DEV_KEYS = frozenset(
    {
        "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
        "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
        "5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
        "7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
        "47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
        "8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
        "92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
        "4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
        "dbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
        "2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
        "f214f2b2cd398c806f84e317254e0f0b801d0643303237d97a22a48e01628897",
        "701b615bbdfb9de65240bc28bd21bbc0d996645a3dd57e7b12bc2bdf6f192c82",
        "a267530f49f8280200edf313ee7af6b827f2a8bce2897751d06a843f644967b1",
        "47c99abed3324a2707c28affff1267e45918ec8c3f20b8aa892e8b065d2942dd",
        "c526ee95bf44d8fc405a158bb884d9d1238d99f0612e9f33d006bb0789009aaa",
        "8166f546bab6da521a8369cab06c5d2b9e46670292d85c875ee9ec20e84ffb61",
        "ea6c44ac03bff858b476bba40716402b03e41b8e97e276d1baec7c37d42484a0",
        "689af8efa8c651a91ad287602527f3af2fe9f6501a7ac4b061667b5a93e037fd",
        "de9be858da4a475276426320d5e9262ecfc3ba460bfac56360bfa6c4c28b4ee0",
        "df57089febbacf7ba0bc227dafbffa9fc08a93fdc68e1e42411a14efcf23656e",
        "4f3edf983ac636a65a842ce7c78d9aa706d3b113bce9c46f30d7d21715b23b1d",
        "6cbed15c793ce57650b9877cf6fa156fbef513c4e6134f022a85b1ffdd59b2a1",
        "6370fd033278c143179d81c5526140625662b8daa446c22ee2d73db3707e620c",
        "646f1ce2fdad0e6deeeb5c7e8e5543bdde65e86029e2fd9fc169899c440a7913",
        "add53f9a7e588d003326d1cbf9e4a43c061aadd9bc938c843a79e7b4fd2ad743",
        "395df67f0c2d2d9fe1ad08d1bc8b6627011959b79c53d7dd6a3536a33ab8a4fd",
        "e485d098507f54e7733a205420dfddbe58db035fa577fc294ebd14db90767a52",
        "a453611d9419d0e56f499079478fd72c37b251a94bfde4d19872c44cf65386e3",
        "829e924fdf021ba3dbbc4225edfece9aca04b929d6e75613329ca6f1d31c0bb4",
        "b0057716d5917badaf911b193b12b910811c1497b5bada8d7711f758981c3773",
    }
)


WALLET_KIND = "Wallet Private Key"
SOLANA_KIND = "Solana Keypair"
_WALLET_KEY = r"""["'`](?:0[xX])?(?P<value>[0-9a-fA-F]{64})["'`]"""
_WALLET_LOADER = (
    r"""(?:(?:new[ \t]++(?:ethers\.)?|HD)Wallet(?:Provider)?|privateKeyToAccount|HexToECDSA"""
    r"""|keyFromPrivate|(?:Eth)?Account\.from_key|eth\.account\.from_key)[ \t]*+\((?:[ \t]*+\[)?"""
)
_WALLET_LIST = r"""(?:accounts|privateKeys)[ \t]*+:[ \t]*+\["""
# What turns a key's hex into the bytes a loader takes, around the key: `Buffer.from("…", "hex")`,
# `hexToBytes("0x…")`, CosmJS's `fromHex("…")`, go's `strings.TrimPrefix("0x…", "0x")`.
_HEX_TO_BYTES = (
    r"""(?:(?:Buffer\.from|toBuffer|hexToBytes|fromHex|getBytes|arrayify|strings\.TrimPrefix)"""
    r"""[ \t]*+\([ \t]*+)?"""
)


# The key as the fallback of an environment variable's read, given to the loader all the same:
# `new Wallet(process.env.PK || "0x…")` (or `process.env["PK"] ?? …`),
# `Account.from_key(os.getenv("PK") or "0x…")`, `Account.from_key(os.environ.get("PK", "0x…"))`.
def _env_or(dotted: str, quoted: str) -> str:
    """An environment variable's read and what falls back from it: `process.env.NAME ||` (or `??`, or
    `process.env["NAME"]`), `os.getenv("NAME") or`, `os.environ.get("NAME",`; the name written as `dotted`
    after a dot, as `quoted` between quotes."""
    return (
        rf"""(?:process\.env(?:\.{dotted}|\[[ \t]*+["']{quoted}["'][ \t]*+\])[ \t]*+(?:\|\||\?\?)"""
        rf"""|os\.(?:getenv|environ\.get)[ \t]*+\([ \t]*+["']{quoted}["'][ \t]*+(?:\)[ \t]*+or\b|,))"""
    )


_ENV_OR = _env_or(r"[A-Za-z_$][\w$]*+", r"""[^"'\n]{1,80}""")
# A name whose last word is `pk`, as an environment variable's is written: `PK`, `DEPLOYER_PK`.
_PK_NAME = r"(?:[A-Za-z0-9$]*+_)*+(?:P[Kk]|pk)"
# After a name's last word `pk`: its end (a quote that closes it as a key), a type annotation, the
# assignment, an environment read it falls back from, and the key with its `0x`, quoted or bare.
_ASSIGNED_0X_KEY = (
    r"""(?![A-Za-z0-9_$])["'`]?[ \t]*+(?::[ \t]*+[A-Za-z][\w.<>\[\]]{0,40}+[ \t]*+)?(?::=|=>|=|:)[ \t]*+"""
    rf"""(?:{_ENV_OR}[ \t]*+)?(?P<q>["'`])?0[xX](?P<value>[0-9a-fA-F]{{64}})"""
)
_PK_ASSIGNED = _ASSIGNED_0X_KEY + r"(?(q)(?P=q)|(?![0-9A-Za-z_]))"
# The words before `key` in the names deploy scripts and bots give a wallet's key: what the wallet does
# (`DEPLOYER_KEY`, `ownerKey`, `relayer_key`). Not any name ending in `key`: 32 bytes named `STORAGE_KEY`,
# `cacheKey` or `publicKey` are a slot, a digest or a public key as often (Aptos' and Sui's are 32 bytes).
_ROLES = (
    "deployer", "signer", "owner", "admin", "operator", "relayer", "sender", "minter", "funder", "faucet",
    "treasury", "executor", "keeper", "bot", "wallet", "account", "validator",
)  # fmt: skip
# An environment variable so named, as a `.env` and a CI's secrets spell it (`DEPLOYER_KEY`,
# `BOT_WALLET_KEY`).
_ROLE_KEY_NAME = rf"(?:[A-Z0-9$]*+_)*?(?:{'|'.join(r.upper() for r in _ROLES)})_KEY"
# After such a name, as after `pk` (`_PK_ASSIGNED`), but a bare `0x…` not before a `;`: Solidity's `bytes32
# constant OWNER_KEY = 0x…;` is a slot's or a role's hash, its keys `uint256` (the rule above).
_ROLE_KEY_ASSIGNED = _ASSIGNED_0X_KEY + r"(?(q)(?P=q)|(?![0-9A-Za-z_])(?![ \t]*+;))"
# What may not stand before a loader's name or a list's: `getWallet(`, `models.Wallet(`, JSON's
# `"accounts":`.
WALLET_NOT_AFTER = re.compile(r"""[\w$"']""")
# What may not stand before a curve's call: as above, and a `.` (`keyring.getPublicKey(`, `signed.sign(`).
_NOT_AFTER_CALL = re.compile(r"""[\w$"'.]""")


def starts_whole(not_after: re.Pattern[str], text: str, at: int) -> bool:
    """Whether the name that starts at `at` is whole: no character `not_after` matches stands before it."""
    return at == 0 or not_after.match(text, at - 1) is None


# A loader's call or a list that a formatter broke after its `(` or `[` (prettier past 80 columns:
# `new ethers.Wallet(` / `"0x…",` / `provider,` / `)`): the line that opens it, and a line below that is
# one key (for a list, `accounts: [` or `new HDWalletProvider([`, each such line after it too).
# Either line may end in a comment (`// deployer`, `# from the vault`, `/* relayer */`), and in `\r` (a
# file written with CRLF line ends).
_COMMENT_TO_END = r"""(?:(?://|#|/\*|--)[^\n]*+)?$"""
WALLET_OPENED = re.compile(rf"""(?:(?P<loader>{_WALLET_LOADER})|{_WALLET_LIST})[ \t\r]*+{_COMMENT_TO_END}""")
WALLET_KEY_LINE = re.compile(rf"""[ \t]*+{_WALLET_KEY}[ \t]*+,?[ \t\r]*+{_COMMENT_TO_END}""")


def unpublished_key(value: str) -> bool:
    """A wallet key that is neither a published development key nor a placeholder (`0x000…001`, a
    digit repeated): a random key has a dozen or more distinct hex digits."""
    lowered = value.lower()
    return lowered not in _PUBLISHED_DEV_KEYS and len(set(lowered)) >= 8


def _base58_bytes(value: str) -> bytes:
    """The bytes a base58 token (Bitcoin's alphabet) stands for: each leading `1` a zero byte."""
    number = 0
    for char in value:
        number = number * 58 + _BASE58_DIGITS.index(char)
    zeros = len(value) - len(value.lstrip("1"))
    return bytes(zeros) + number.to_bytes((number.bit_length() + 7) // 8, "big")


def is_wif(value: str) -> bool:
    """Whether `value` is a private key in Wallet Import Format: its base58 checksum holds over a
    version byte (0x80, or testnet's 0xef), 32 bytes of key and, when compressed, 0x01."""
    raw = _base58_bytes(value)
    payload, checksum = raw[:-4], raw[-4:]
    if len(payload) not in (33, 34) or payload[0] not in (0x80, 0xEF) or payload[33:] not in (b"", b"\x01"):
        return False
    return hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] == checksum


def is_solana_secret(value: str) -> bool:
    """Whether a base58 token is a Solana keypair's 64 bytes, as wallets export it and bots load it: an
    Ed25519 seed, then the public key that seed gives. A transaction's signature is 64 bytes in base58
    too, and has no such second half."""
    raw = _base58_bytes(value)
    if len(raw) != 64:
        return False
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(raw[:32]).public_key().public_bytes_raw() == raw[32:]


# A Stellar secret seed's version byte (SEP-23: 18 << 3, the `S` its base32 opens with).
_STELLAR_SEED = 18 << 3


def is_stellar_seed(value: str) -> bool:
    """Whether a base32 token is a Stellar secret seed: its version byte, 32 bytes of seed, and the
    CRC16-XModem of both, little-endian. An account's public key opens with `G` and another version."""
    try:
        raw = base64.b32decode(value)
    except (binascii.Error, ValueError):
        return False
    return (
        len(raw) == 35
        and raw[0] == _STELLAR_SEED
        and binascii.crc_hqx(raw[:-2], 0).to_bytes(2, "little") == raw[-2:]
    )


def keypair_bytes(value: str) -> bool:
    """Whether a list of 64 numbers is a keypair's bytes: each one a byte, and as varied as random bytes
    are (a table of a few values, or of small counts, is not a key)."""
    numbers = [int(number) for number in re.findall(r"\d+", value)]
    return max(numbers) <= 255 and len(set(numbers)) >= 32 and max(numbers) >= 128


def _set_value(value: str) -> bool:
    """A value written out, not a placeholder or a reference to one: `${DB_PASS}`, `{0}`, `%s`, `$(cat
    f)`, `<password>`, `********`, `YOUR_API_KEY` (capitals and underscores only) are not credentials."""
    return (
        len(value) >= _MIN_PLACED
        and value[0] not in _PLACEHOLDER_OPENERS
        and not any(mark in value for mark in _PLACEHOLDER_MARKS)
        and not _CAPITALS.fullmatch(value)
        and len(set(value)) > 2
    )


def _random_value(value: str) -> bool:
    """A token with letters and digits both (a bearer token, a SAS signature): prose after `Bearer`,
    `bearer tokens are`, is neither."""
    return _set_value(value) and any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


def _random_token(value: str) -> bool:
    """`_random_value`, and not a name whose words are joined by `_` or `.` (`user_2024_profile`)."""
    return _random_value(value) and not _SNAKE_NAME.fullmatch(value)


def _basic_credentials(value: str) -> bool:
    """Base64 of `user:password`, as HTTP Basic authentication sends it."""
    try:
        text = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return False
    user, colon, password = text.partition(":")
    return bool(colon) and bool(user) and len(password) >= 1 and text.isprintable()


def written_value(value: str) -> bool:
    """A credential written out where a tool's syntax sets one (a Redis directive, a SQL statement, a
    unit's environment): `_set_value`, and not a word or a name that stands for one (`changeme`,
    `your-password`, `db_password`, `settings.SECRET`), a bind parameter (`:pw`, `?`) or a path."""
    lowered = value.lower()
    return (
        _set_value(value)
        and value[0] not in ":?/~."
        and lowered not in _PLACEHOLDER_WORDS
        and not lowered.startswith(("your", "my_", "my-", "<"))
        and not _NAME.fullmatch(value)
        and not _NOT_A_VALUE.fullmatch(value)
        and "://" not in value
        and lowered not in _SETTING_WORDS
    )


def chosen_by_hand(value: str) -> bool:
    """Whether a value a tool's syntax sets reads as typed by a person (`keyboard cat`, `postgres`,
    `dev-secret-key`) rather than generated: letters and digits mixed, as `_random_value` reads a key.
    Such a value is still hidden from the models, but reported as a development default, below the
    level that fails a run by default."""
    return not _random_value(value)


def _written_unless_prose(value: str) -> bool:
    """`written_value`, and not a sentence (`put your unique phrase here`, as WordPress's sample config
    leaves its keys): a value with blanks counts only when it mixes letters and digits as a key does."""
    return written_value(value) and (" " not in value or _random_value(value))


def _signing_key(value: str) -> bool:
    """A key written out as a signing call's argument: `_set_value`, and not a word that stands for one
    (`secret`, `changeme`) or a name. `my-signing-key` is a key all the same: the call uses it."""
    return _set_value(value) and value.lower() not in _PLACEHOLDER_WORDS and not _NAME.fullmatch(value)


def _spaced_value(value: str) -> bool:
    """A value of a few words (`open sesame 42!`), written out (`written_value`): one without blanks is
    the other rule's, and a longer run of words is prose that names a password (`Password=the one you
    chose`)."""
    blanks = value.count(" ") + value.count("\t")
    return 0 < blanks <= _SPACED_BLANKS and written_value(value)


def _default_value(value: str) -> bool:
    """A fallback a program takes when the environment sets nothing: written out (`written_value`)
    and not one plain word (`localhost`, `postgres`, `secret`), which a development default is."""
    return written_value(value) and not value.isalpha()


_MIN_PLACED = 6
# The most blanks a value of words may hold (five words) before it reads as a sentence.
_SPACED_BLANKS = 4
_PLACEHOLDER_WORDS = frozenset(
    {"changeme", "change_me", "change-me", "changeit", "password", "passwd", "secret", "default", "dummy",
     "example", "sample", "placeholder", "redacted", "undefined", "notset", "not-set", "none", "null"}
)  # fmt: skip
# A name, not a value: `snake_case`, `dotted.names`, `CONSTANT_CASE` (a variable or a setting's key).
_NAME = re.compile(r"[a-z]+(?:[_.][a-z]+)+|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
_SNAKE_NAME = re.compile(r"[a-z0-9]+(?:[_.][a-z0-9]+)+")
_PLACEHOLDER_OPENERS = frozenset("${%<*[(@`\\")
_PLACEHOLDER_MARKS = ("${", "{{", "%(", "%s", "$(", "...", "\u2026", "example", "EXAMPLE", "xxxx", "XXXX")
_CAPITALS = re.compile(r"[A-Z_]+")
# What stands where a value would and is not one: a camelCase name (`apiKeyHeader`) or a relative path
# (`keys/dev.pem`, Vault's `kv/data/app`).
_NOT_A_VALUE = re.compile(r"[a-z]+(?:[A-Z][a-z0-9]*)+|[a-z][a-z0-9_.-]*(?:/[a-z][a-z0-9_.-]*)+")
# A setting's word, as XML elements and argument lists write them (`<rememberToken>enabled</…>`,
# `["env", "API_TOKEN=integration"]`).
_SETTING_WORDS = frozenset(
    {"true", "false", "yes", "no", "on", "off", "enabled", "disabled", "enable", "disable", "required",
     "optional", "integration", "unit", "local", "auto", "always", "never", "strict", "lax", "ignore"}
)  # fmt: skip


def _placed(
    kind: str,
    pattern: str,
    source: str,
    accept: Callable[[str], bool] = _set_value,
    more: str | None = None,
    not_after: re.Pattern[str] | None = None,
) -> KeyFormat:
    return KeyFormat(
        kind,
        re.compile(pattern),
        source,
        accept,
        re.compile(more) if more else None,
        not_after,
    )


# Credentials marked by their place rather than by a prefix: the value after a marker that only a
# credential follows (`Password=` inside a connection string, `<password>`, `Authorization: Bearer`,
# `curl -u user:`). Each is the marker's `value` group; markers are spelled in the cases code writes
# them (no IGNORECASE: the regex engine could not search for their literals then).
_PASSWORD = r"(?:Password|PASSWORD|password|Pwd|PWD|pwd)"
# A name that ends in a credential's word: `<password>`, `<keyPassword>`, `<db.secret>`, `<api-key>`,
# `<accessToken>`; not `<passwordPolicy>`.
_CREDENTIAL_WORD = (
    r"(?:[Pp]assword|PASSWORD|[Pp]asswd|[Pp]assphrase|[Ss]ecret|SECRET|[Aa]pi[-_]?[Kk]ey|API[-_]?KEY|[Tt]oken|"
    r"TOKEN)"
)
_SHELL_VALUE = r"""["']?(?P<value>[^\s"'`;|&<>()]+)"""
# A call's arguments: a user (a string literal or a name) and then a password written out as a string.
_USER_ARGUMENT = r"""(?:"[^"\n]{0,100}"|'[^'\n]{0,100}'|[A-Za-z_][\w.]{0,80})"""
_PASSWORD_VALUE = r"""(?P<q>["'])(?P<value>[^"'\n]{1,200})(?P=q)"""
# A string literal read to its closing quote: a backslash escapes the character after it, and the other
# quote is part of the value (`"Xk9m\"7qR"`, `'it"s'`). The three kinds of character are apart, so the
# repeat is taken whole.
_QUOTED_VALUE = r"""(?P<q>["'])(?P<value>(?:[^"'\\\n]|\\.|(?!(?P=q))["']){1,200}+)(?P=q)"""
# Runs of blanks are taken whole (`*+`): two runs that could share the same blanks cost the square of
# their length on a line that fails at its end.
_PASSWORD_ARGUMENT = rf"[ \t]*+{_USER_ARGUMENT}[ \t]*+,[ \t]*+{_PASSWORD_VALUE}[ \t]*+(?:,[ \t]*+)?\)"
# The name of an environment variable that holds a credential: `DB_PASSWORD`, `API_TOKEN`, `app-secret`,
# `SECRET_KEY`, `SMTP_PASS`.
_ENV_CREDENTIAL = (
    r"""[A-Za-z0-9_.\-]{0,80}(?:[Pp]assword|PASSWORD|[Pp]asswd|PASSWD|[Ss]ecret|SECRET|[Tt]oken|TOKEN|"""
    r"""(?:[Aa]pi|[Ss]ecret|[Pp]rivate|[Aa]ccess)_?[Kk]ey|(?:API|SECRET|PRIVATE|ACCESS)_?KEY|[_.](?:[Pp]ass|PASS))"""
)
# A whole name that says it holds a credential, as `_ENV_CREDENTIAL` reads one.
CREDENTIAL_NAME = re.compile(_ENV_CREDENTIAL)
NAME_VALUE_KIND = "Name-Value Credential"
# A URL's `user:password@`: the kind detect-secrets' plugin reports it as, and this module's format too.
BASIC_AUTH_KIND = "Basic Auth Credentials"
PLACED_FORMATS: tuple[KeyFormat, ...] = (
    _placed(
        "Connection String Password",
        # After `;`, a quote, or a URL query's `?` and `&` (`jdbc:mysql://db/shop?user=app&password=...`).
        rf"""(?:(?<=[;"'?&])|(?<=[;"'?&][ \t])){_PASSWORD}[ \t]?=[ \t]?"""
        rf"""(?P<value>[^;"'\s(){{}}&]+)(?![^;"'\s&])""",
        "https://learn.microsoft.com/en-us/dotnet/framework/data/adonet/connection-string-syntax",
    ),
    _placed(
        # ADO.NET and ODBC read a value to the next `;`, blanks and all (`Password=open sesame 42!;`,
        # `Pwd=open sesame 42!` at a string's end): a value with blanks where a `;`, a quote or the line's
        # end closes it. (The rule above takes a value without blanks, wherever it ends.)
        "Connection String Password",
        rf"""(?:(?<=[;"'])|(?<=[;"'][ \t])){_PASSWORD}[ \t]?=[ \t]?"""
        rf"""(?P<value>[^;"'\s(){{}}&][^;"'\n(){{}}&]{{0,200}}(?<![ \t]))(?=[ \t]*+(?:[;"']|$))""",
        "https://learn.microsoft.com/en-us/dotnet/framework/data/adonet/connection-string-syntax",
        _spaced_value,
    ),
    _placed(
        # libpq's `host=db dbname=shop password=...`: pairs apart by spaces, no comma (keyword arguments
        # of a call, `connect(host=h, password=p)`, are code, not a connection string).
        "Connection String Password",
        r"""(?:host|hostaddr|dbname|user|port)=[^\s"',()]+[ \t](?:[a-z_]+=[^\s"',()]+[ \t]){0,8}"""
        r"""password=(?P<value>[^\s"',;()]+)""",
        "https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING-KEYWORD-VALUE",
    ),
    _placed(
        "XML Password Element",
        # Written out, or in a CDATA section (`<password><![CDATA[…]]></password>`), read to its end.
        rf"<(?P<tag>[A-Za-z0-9_.:-]{{0,40}}{_CREDENTIAL_WORD})>(?P<c><!\[CDATA\[)?"
        r"(?P<value>(?(c)[^\]\n]{1,200}|[^<>\s]+))(?(c)\]\]>)</(?P=tag)>",
        "https://maven.apache.org/settings.html#servers",
        written_value,  # `<apiKey>your-api-key</apiKey>`, `<token>session_token</token>` name one
    ),
    _placed(
        "XML Password Setting",
        # NuGet's `<add key="ClearTextPassword" value=…/>`, Spring's `<property name="password" value=…/>`.
        rf'(?:key|name)="[^"<>]{{0,60}}{_CREDENTIAL_WORD}"[ \t]+value="(?P<value>[^"<>\s]+)"',
        "https://learn.microsoft.com/en-us/nuget/reference/nuget-config-file#packagesourcecredentials",
        written_value,
    ),
    _placed(
        "HTTP Bearer Token",
        r"(?:Bearer|bearer|BEARER)[ \t]+(?P<value>[A-Za-z0-9._~+/-]{16,}=*)",
        "https://datatracker.ietf.org/doc/html/rfc6750#section-2.1",
        _random_value,
    ),
    _placed(
        "HTTP Basic Credentials",
        r"(?:Basic|basic|BASIC)[ \t]+(?P<value>[A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])",
        "https://datatracker.ietf.org/doc/html/rfc7617#section-2",
        _basic_credentials,
    ),
    _placed(
        "curl User Password",
        rf"""curl[ \t](?:[^\n;|&]{{0,300}}?[ \t])?(?:-u[ \t]*|--user[ \t=]+)["']?[^\s:"'$]+:{_SHELL_VALUE}""",
        "https://curl.se/docs/manpage.html#-u",
    ),
    _placed(
        "MySQL Client Password",
        r"mysql(?:dump|admin|import|show|check|pump|sh)?[ \t](?:[^\n;|&]{0,300}?[ \t])?-p"
        r"""(?P<value>[^\s"'`;|&<>()]+)""",
        "https://dev.mysql.com/doc/refman/8.0/en/connection-options.html#option_general_password",
    ),
    _placed(
        "npm Registry Credentials",
        rf"(?<![^\s:])_(?:authToken|auth|password)[ \t]*=[ \t]*{_SHELL_VALUE}",
        "https://docs.npmjs.com/cli/v10/configuring-npm/npmrc#auth-related-configuration",
    ),
    _placed(
        "Command-Line Password",
        r"(?<![A-Za-z0-9_-])--(?:password|passwd|pass|token|api-key|apikey|secret)(?:[ \t]+|=)"
        + _SHELL_VALUE,
        "https://docs.docker.com/reference/cli/docker/login/#options",
        _random_value,  # prose names options too: "the --password option", "pass --secret separately"
    ),
    _placed(
        "sshpass Password",
        rf"sshpass[ \t]+(?:-[A-Za-oq-z][ \t]+)*-p[ \t]*{_SHELL_VALUE}",
        "https://manpages.debian.org/stable/sshpass/sshpass.1.en.html",
    ),
    _placed(
        "netrc Password",
        rf"machine[ \t]+\S+[ \t]+login[ \t]+\S+[ \t]+password[ \t]+{_SHELL_VALUE}",
        "https://www.gnu.org/software/inetutils/manual/html_node/The-_002enetrc-file.html",
    ),
    _placed(
        "Azure Shared Access Signature",
        # (`sig=` is the one literal every match holds: a pass for it finds the lines to read.)
        r"(?<=[?&])sig=(?P<value>[A-Za-z0-9%+/=_-]{20,})",
        "https://learn.microsoft.com/en-us/rest/api/storageservices/create-service-sas#specify-the-signature",
        _random_value,
    ),
    _placed(
        # requests' `auth=("user", "...")`, `HTTPBasicAuth("user", "...")`; aiohttp's and httpx's
        # `BasicAuth("user", "...")` (Go's `req.SetBasicAuth` too).
        "HTTP Authentication Pair",
        r"(?:(?<![A-Za-z0-9])auth[ \t]*=[ \t]*\(|(?:HTTPBasicAuth|HTTPDigestAuth|HTTPProxyAuth|BasicAuth|"
        rf"DigestAuth)\(){_PASSWORD_ARGUMENT}",
        "https://requests.readthedocs.io/en/latest/user/authentication/#basic-authentication",
        _random_value,  # tests log in with words (`"testpw"`); a password written out mixes in digits
    ),
    _placed(
        # .NET's `new NetworkCredential("user", "...")`, Apache HttpClient's `UsernamePasswordCredentials`.
        "HTTP Authentication Pair",
        rf"(?:NetworkCredential|UsernamePasswordCredentials)\({_PASSWORD_ARGUMENT}",
        "https://learn.microsoft.com/en-us/dotnet/api/system.net.networkcredential",
        _random_value,
    ),
    _placed(
        # smtplib's, ftplib's and imaplib's `login(user, password)`.
        "Login Call Password",
        rf"\.login\({_PASSWORD_ARGUMENT}",
        "https://docs.python.org/3/library/smtplib.html#smtplib.SMTP.login",
        _random_value,
    ),
    _placed(
        # MySQLdb's and PyMySQL's `connect(host, user, password, database)`, and ftplib's
        # `FTP(host, user, passwd)`: the third argument, after two written out.
        "Connect Call Password",
        # The modules stand behind the call's name, so three literals mark it (`connect(`, `FTP(`,
        # `FTP_TLS(`), not one for each module's spelling.
        r"(?:(?:(?<=MySQLdb\.)|(?<=pymysql\.)|(?<=mysql\.connector\.)|(?<=ftplib\.))(?:connect|FTP|FTP_TLS)"
        r"|(?<![\w.])FTP(?:_TLS)?)\("
        rf"[ \t]*+{_USER_ARGUMENT}[ \t]*+,[ \t]*+{_USER_ARGUMENT}[ \t]*+,[ \t]*+{_PASSWORD_VALUE}[ \t]*+[,)]",
        "https://pymysql.readthedocs.io/en/latest/modules/connections.html",
        _random_value,
    ),
    _placed(
        # JDBC's `DriverManager.getConnection(url, user, password)`, the same three arguments.
        "Connect Call Password",
        r"DriverManager\.getConnection\("
        rf"[ \t]*+{_USER_ARGUMENT}[ \t]*+,[ \t]*+{_USER_ARGUMENT}[ \t]*+,[ \t]*+{_PASSWORD_VALUE}[ \t]*+[,)]",
        "https://docs.oracle.com/en/java/javase/21/docs/api/java.sql/java/sql/DriverManager.html",
        _random_value,
    ),
    _placed(
        # A Kubernetes container's env in YAML's flow style: `- {name: DB_PASSWORD, value: ...}`.
        "Environment Variable Credential",
        rf"""\{{[ \t]*name:[ \t]*["']?{_ENV_CREDENTIAL}["']?[ \t]*,[ \t]*value:[ \t]*"""
        # Quoted or plain, a YAML value may hold spaces: it runs to its quote, the next key or the `}`.
        r"""["']?(?P<value>[^\s"',{}\[\]](?:[^"'\n,{}\[\]]{0,200}[^\s"',{}\[\]])?)["']?[ \t]*[,}]""",
        "https://kubernetes.io/docs/tasks/inject-data-application/define-environment-variable-container/",
    ),
    _placed(
        # A URL's `user:password@`, the user possibly empty (`redis://:…@cache:6379/0`, as Redis and
        # Celery write it), the password to the last `@` before the host (`urlsplit` reads it so:
        # `postgres://app:Zq8v@Lm3p@db` holds `Zq8v@Lm3p`). detect-secrets' plugin of the same kind
        # needs a user and stops at the first `@`.
        BASIC_AUTH_KIND,
        r"""://[^\s:/?#@"'`<>\\\[\]]{0,100}+:(?P<value>[^\s/?#"'`<>\\\[\],;]{1,200})@""",
        "https://datatracker.ietf.org/doc/html/rfc3986#section-3.2.1",
        written_value,
    ),
    _placed(
        # An API's credential in a URL's query: `?api_key=…`, `&access_token=…`, `?client_secret=…`,
        # `?key=…` (Google's, Trello's), `?appid=…` (OpenWeather's). The value is random, not a name.
        "URL Query Credential",
        r"(?i)(?:(?:(?<=[?&])|(?<=[?&]access[_-])|(?<=[?&]access)|(?<=[?&]auth[_-])|(?<=[?&]auth)"
        r"|(?<=[?&]private[_-])|(?<=[?&]private))token|(?:(?<=[?&])|(?<=[?&]client[_-])|(?<=[?&]client))secret"
        r"|(?:(?<=[?&])api|(?<=[?&])access|(?<=[?&])app)[_-]?key|(?<=[?&])key|(?<=[?&])appid)"
        r"=(?P<value>[a-z0-9_.~+/%=-]{12,})",
        "https://datatracker.ietf.org/doc/html/rfc6750#section-2.3",
        _random_token,
    ),
    _placed(
        # A credential's own header, written as curl sends it (`-H "X-Api-Key: …"`) or as code sets it
        # (`{"X-Auth-Token": "…"}`, `Header.Set("X-Api-Key", "…")`, `'Private-Token' => '…'`). A `key`
        # only after `api` or `access`: `X-Idempotency-Key` is no credential.
        "API Key Header",
        r"""(?i)(?<![a-z0-9_-])(?:x(?:-[a-z0-9]{1,24}){0,3}?-(?:token|secret)|x(?:-[a-z0-9]{1,24}){0,2}?"""
        r"""-(?:api|access)-key|api-key|private-token)["'`]?\]?[ \t]*+(?::|=>?|,)[ \t]*+["'`]?"""
        r"""(?P<value>[a-z0-9_.~+/=-]{12,})""",
        "https://swagger.io/docs/specification/v3_0/authentication/api-keys/",
        _random_token,
    ),
    _placed(
        # GitHub's and others' `Authorization: token …` (the scheme before OAuth's `Bearer`).
        "HTTP Token Authorization",
        r"""(?:Authorization|authorization|AUTHORIZATION)["'`]?\]?[ \t]*+(?::|=>?|,)[ \t]*+["'`]?"""
        r"(?:token|Token|TOKEN)[ \t]+(?P<value>[A-Za-z0-9_.~+/=-]{12,})",
        "https://docs.github.com/en/rest/authentication/authenticating-to-the-rest-api",
        _random_token,
    ),
    _placed(
        # `docker login -u me -p …`: the short option (`--password` is the command-line rule's).
        "Registry Login Password",
        r"(?:(?<=docker[ \t])|(?<=podman[ \t])|(?<=nerdctl[ \t])|(?<=buildah[ \t]))login\s"
        r"(?:[^\n;|&]{0,300}?[ \t])?-p[ \t]*+" + _SHELL_VALUE,
        "https://docs.docker.com/reference/cli/docker/login/#options",
        _random_value,
    ),
    _placed(
        "Discord Webhook Token",
        r"discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/(?P<value>[A-Za-z0-9_-]{60,})",
        "https://discord.com/developers/docs/resources/webhook#execute-webhook",
        _random_value,
    ),
    _placed(
        # A secp256k1 key (32 bytes, hex) given to what loads it: ethers' `new Wallet("0x…")`, web3.py's
        # `Account.from_key(…)`, viem's and web3.js's `privateKeyToAccount(…)`, go-ethereum's
        # `crypto.HexToECDSA(…)`, elliptic's `ec.keyFromPrivate(…)`, Truffle's `new HDWalletProvider(…)`.
        # Hex alone is every digest; the call is what makes it a key, so its name is whole and its own
        # (`new Wallet(`, not `getWallet(` or `models.Wallet(`; `Account.from_key(`, not
        # `Cache.from_key(`). Six literals at most, so that lines are found by them, not by a search of
        # the whole text (a quarter of a second over 200,000 lines).
        WALLET_KIND,
        rf"""{_WALLET_LOADER}[ \t]*+(?:{_ENV_OR}[ \t]*+)?{_HEX_TO_BYTES}{_WALLET_KEY}""",
        "https://docs.ethers.org/v6/api/wallet/#Wallet",
        unpublished_key,
        rf"""[ \t]*+,[ \t]*+{_WALLET_KEY}""",
        WALLET_NOT_AFTER,
    ),
    _placed(
        # The keys a Hardhat network lists (`accounts: ["0x…", …]`), or Truffle's `privateKeys:`: a
        # JavaScript config's list, not JSON's `"accounts":`, which lists 32-byte addresses.
        WALLET_KIND,
        rf"""{_WALLET_LIST}[ \t]*+{_WALLET_KEY}""",
        "https://hardhat.org/hardhat-runner/docs/config#json-rpc-based-networks",
        unpublished_key,
        rf"""[ \t]*+,[ \t]*+{_WALLET_KEY}""",
        WALLET_NOT_AFTER,
    ),
    _placed(
        # More of what loads a key, each a format of its own so that each is found by its own few
        # literals: ethers' `new SigningKey("0x…")`, ethereumjs-wallet's
        # `Wallet.fromPrivateKey(Buffer.from("…", "hex"))` (bitcoinjs's `ECPair.fromPrivateKey` too),
        # web3.js's `web3.eth.accounts.wallet.add("0x…")`, Solana's `Keypair.fromSeed(…)` (an Ed25519
        # key's 32-byte seed), CosmJS's `DirectSecp256k1Wallet.fromKey(fromHex("…"), prefix)`.
        WALLET_KIND,
        r"""(?:new[ \t]++(?:ethers\.)?SigningKey|fromPrivateKey|accounts\.wallet\.add|Keypair\.fromSeed"""
        r"""|DirectSecp256k1Wallet\.fromKey)"""
        rf"""[ \t]*+\([ \t]*+{_HEX_TO_BYTES}{_WALLET_KEY}""",
        "https://docs.ethers.org/v6/api/crypto/#SigningKey",
        unpublished_key,
        None,
        WALLET_NOT_AFTER,
    ),
    _placed(
        # ethers-rs' and alloy's signers read from hex: `let wallet: LocalWallet = "…".parse()?` (as in
        # ethers-rs' own README), `PrivateKeySigner::from_str("0x…")`.
        WALLET_KIND,
        rf"""(?:LocalWallet|PrivateKeySigner)[ \t]*+=[ \t]*+{_WALLET_KEY}[ \t]*+\.parse\b""",
        "https://github.com/gakonst/ethers-rs#quickstart",
        unpublished_key,
        None,
        WALLET_NOT_AFTER,
    ),
    _placed(
        WALLET_KIND,
        rf"""(?:LocalWallet|PrivateKeySigner)::from_str[ \t]*+\([ \t]*+{_WALLET_KEY}""",
        "https://alloy.rs/examples/wallets/private_key_signer",
        unpublished_key,
        None,
        WALLET_NOT_AFTER,
    ),
    _placed(
        # ethers-rs' and alloy's signers parsed with the type named after the call:
        # `"0x…".parse::<LocalWallet>()`.
        WALLET_KIND,
        rf"""{_WALLET_KEY}[ \t]*+\.parse::<[ \t]*+(?:LocalWallet|PrivateKeySigner)\b""",
        "https://github.com/gakonst/ethers-rs#quickstart",
        unpublished_key,
    ),
    _placed(
        # The wallets of other languages, loaded from a key's hex: web3j's `Credentials.create("0x…")`
        # (Java, Kotlin), web3dart's `EthPrivateKey.fromHex("0x…")`, Nethereum's `new Account("0x…")`.
        WALLET_KIND,
        r"""(?:Credentials\.create|EthPrivateKey\.fromHex"""
        rf"""|new[ \t]++(?:Nethereum\.Web3\.Accounts\.)?Account)[ \t]*+\([ \t]*+{_WALLET_KEY}""",
        "https://docs.web3j.io/latest/transactions/credentials",
        unpublished_key,
        None,
        WALLET_NOT_AFTER,
    ),
    _placed(
        # A private key's 32 bytes given to a class named for one, as hex or from it: cryptography's
        # `Ed25519PrivateKey.from_private_bytes(bytes.fromhex("…"))` (X25519's too), coincurve's
        # `PrivateKey.from_hex("…")` and `PrivateKey(bytes.fromhex("…"))`, eth-keys'
        # `keys.PrivateKey(decode_hex("0x…"))`, PyNaCl's `SigningKey(b"…", encoder=HexEncoder)`,
        # python-ecdsa's `SigningKey.from_string(bytes.fromhex("…"), curve=SECP256k1)`, Aptos's
        # `new Ed25519PrivateKey("0x…")` and `new Secp256k1PrivateKey("0x…")`.
        WALLET_KIND,
        r"""(?:(?:Ed25519|Secp256k1)?(?:PrivateKey|SigningKey)(?:\.from_hex|\.from_string)?"""
        r"""|(?:Ed|X)25519PrivateKey\.from_private_bytes)[ \t]*+\([ \t]*+"""
        r"""(?:(?:bytes\.fromhex|(?:binascii\.)?unhexlify|decode_hex|HexBytes)[ \t]*+\([ \t]*+)?"""
        rf"""b?{_WALLET_KEY}""",
        "https://cryptography.io/en/latest/hazmat/primitives/asymmetric/ed25519/",
        unpublished_key,
        None,
        WALLET_NOT_AFTER,
    ),
    _placed(
        # The same in Rust: `SecretKey::from_slice(&hex::decode("…")?)` (secp256k1),
        # `SigningKey::from_bytes(&hex!("…").into())` (k256, ed25519-dalek), `SecretKey::from_str("…")`.
        WALLET_KIND,
        r"""(?:Signing|Secret|Private)Key::from_[a-z]{3,5}+[ \t]*+\([ \t]*+&?[ \t]*+"""
        rf"""(?:(?:hex::decode|hex!)[ \t]*+\([ \t]*+)?{_WALLET_KEY}""",
        "https://docs.rs/secp256k1/latest/secp256k1/struct.SecretKey.html",
        unpublished_key,
        None,
        WALLET_NOT_AFTER,
    ),
    _placed(
        # A transaction or a message signed with a key written out: web3.py's
        # `w3.eth.account.sign_transaction(tx, "0x…")`, web3.js's `web3.eth.accounts.signTransaction(tx,
        # "0x…")` and `accounts.sign(data, "0x…")`.
        WALLET_KIND,
        r"""(?:account|Account|accounts)\.sign(?:_transaction|_message|Transaction|Hash)?[ \t]*+\([ \t]*+"""
        rf"""{_USER_ARGUMENT}[ \t]*+,[ \t]*+{_WALLET_KEY}""",
        "https://web3py.readthedocs.io/en/stable/web3.eth.account.html#sign-a-transaction",
        unpublished_key,
        None,
        WALLET_NOT_AFTER,
    ),
    _placed(
        # What derives from a private key, as noble's curves take it: `secp.getPublicKey("…")`,
        # `ed25519.getPublicKey("…")`, `x25519.getSharedSecret("…", peer)`, or the function imported
        # alone; not another object's method (`keyring.getPublicKey(fingerprint)`).
        WALLET_KIND,
        r"""(?:(?:secp256k1|secp|schnorr|ed25519|ed448|ed|x25519|x448)\.)?(?:getPublicKey|getSharedSecret)"""
        rf"""[ \t]*+\([ \t]*+{_WALLET_KEY}""",
        "https://github.com/paulmillr/noble-secp256k1",
        unpublished_key,
        None,
        _NOT_AFTER_CALL,
    ),
    _placed(
        # A message signed with a key written out, by noble's curves: `secp.sign(msgHash, "…")`,
        # `ed.sign(message, "…")`, `schnorr.sign(msg, "…")`. Only on a curve's object: `sign(` alone is
        # any function's name.
        WALLET_KIND,
        r"""(?:secp256k1|secp|schnorr|ed25519|ed448|ed)\.sign(?:Async)?[ \t]*+\([ \t]*+"""
        rf"""{_USER_ARGUMENT}[ \t]*+,[ \t]*+{_WALLET_KEY}""",
        "https://github.com/paulmillr/noble-secp256k1",
        unpublished_key,
        None,
        _NOT_AFTER_CALL,
    ),
    _placed(
        # cryptography's elliptic-curve key from its number: `ec.derive_private_key(int("…", 16),
        # ec.SECP256K1())`, or the number written in hex.
        WALLET_KIND,
        r"""derive_private_key[ \t]*+\([ \t]*+(?:int[ \t]*+\([ \t]*+["'](?:0[xX])?|0[xX])"""
        r"""(?P<value>[0-9a-fA-F]{64})(?![0-9a-fA-F])""",
        "https://cryptography.io/en/latest/hazmat/primitives/asymmetric/ec/#cryptography.hazmat.primitives.asymmetric.ec.derive_private_key",
        unpublished_key,
        None,
        WALLET_NOT_AFTER,
    ),
    _placed(
        # A Foundry script's key, a number literal: given to a cheatcode that takes a private key
        # (`vm.startBroadcast(0x…)`, `vm.addr(0x…)`, `vm.sign(0x…, digest)`), or set to a `uint256`
        # named for one (`uint256 deployerPrivateKey = 0x…;`). An address is 20 bytes, 40 digits.
        WALLET_KIND,
        r"""vm\.(?:startBroadcast|broadcast|addr|rememberKey|sign|signCompact)[ \t]*+\([ \t]*+"""
        r"""0[xX](?P<value>[0-9a-fA-F]{64})(?![0-9a-fA-F_])""",
        "https://book.getfoundry.sh/cheatcodes/start-broadcast",
        unpublished_key,
        None,
        WALLET_NOT_AFTER,
    ),
    _placed(
        WALLET_KIND,
        r"""uint256[ \t]++(?:(?:constant|immutable|private|internal|public)[ \t]++)*+"""
        r"""[A-Za-z0-9_$]*(?:[Pp]rivate_?[Kk]ey|PRIVATE_?KEY)[A-Za-z0-9_$]*+[ \t]*+=[ \t]*+"""
        r"""0[xX](?P<value>[0-9a-fA-F]{64})(?![0-9a-fA-F_])""",
        "https://book.getfoundry.sh/tutorials/solidity-scripting",
        unpublished_key,
        None,
        WALLET_NOT_AFTER,
    ),
    # A key given to a name whose last word is `pk` (`const PK = "0x…"`, `DEPLOYER_PK=0x…`, `deployerPk:
    # "0x…"`, `pk := "0x…"`), as a deploy script or its `.env` writes it. Only with `0x`: 32 bytes of bare hex
    # named `pk` are as often an Ed25519 or x-only public key. `pk` is a word of its own: not `apk`,
    # `SPK` or `pkg`.
    _placed(
        WALLET_KIND,
        rf"""pk{_PK_ASSIGNED}""",
        "https://docs.ethers.org/v6/api/wallet/#Wallet",
        unpublished_key,
        None,
        re.compile(r"[A-Za-z0-9$]"),
    ),
    _placed(
        WALLET_KIND,
        rf"""P[Kk]{_PK_ASSIGNED}""",
        "https://docs.ethers.org/v6/api/wallet/#Wallet",
        unpublished_key,
        None,
        re.compile(r"[A-Z$]"),
    ),
    _placed(
        # The same key as the fallback of an environment variable so named, whatever it is given to
        # (`const key = process.env.DEPLOYER_PK || "0x…"`, `os.getenv("PK", "0x…")`).
        WALLET_KIND,
        rf"""{_env_or(_PK_NAME, _PK_NAME)}[ \t]*+(?P<q>["'`])0[xX](?P<value>[0-9a-fA-F]{{64}})(?P=q)""",
        "https://docs.ethers.org/v6/api/wallet/#Wallet",
        unpublished_key,
        None,
        WALLET_NOT_AFTER,
    ),
    # A key given to a name whose last word is `key` after what the wallet does (`_ROLES`):
    # `DEPLOYER_KEY=0x…` in a `.env`, `const ownerKey = "0x…"`, `relayer_key: "0x…"`, `MyDeployerKey`.
    _placed(
        WALLET_KIND,
        rf"""(?:{"|".join(_ROLES)})(?:_key|Key){_ROLE_KEY_ASSIGNED}""",
        "https://docs.ethers.org/v6/api/wallet/#Wallet",
        unpublished_key,
        None,
        re.compile(r"[A-Za-z0-9$]"),
    ),
    _placed(
        WALLET_KIND,
        rf"""(?:{"|".join(r.capitalize() for r in _ROLES)})_?Key{_ROLE_KEY_ASSIGNED}""",
        "https://docs.ethers.org/v6/api/wallet/#Wallet",
        unpublished_key,
        None,
        re.compile(r"[A-Z$]"),
    ),
    _placed(
        WALLET_KIND,
        rf"""(?:{"|".join(r.upper() for r in _ROLES)})_KEY{_ROLE_KEY_ASSIGNED}""",
        "https://docs.ethers.org/v6/api/wallet/#Wallet",
        unpublished_key,
        None,
        re.compile(r"[A-Za-z0-9$]"),
    ),
    _placed(
        # The same key as the fallback of an environment variable so named, whatever it is given to
        # (`const key = process.env.DEPLOYER_KEY || "0x…"`, `os.getenv("OWNER_KEY", "0x…")`).
        WALLET_KIND,
        rf"""{_env_or(_ROLE_KEY_NAME, _ROLE_KEY_NAME)}[ \t]*+"""
        r"""(?P<q>["'`])0[xX](?P<value>[0-9a-fA-F]{64})(?P=q)""",
        "https://docs.ethers.org/v6/api/wallet/#Wallet",
        unpublished_key,
        None,
        WALLET_NOT_AFTER,
    ),
    _placed(
        # A Bitcoin key in Wallet Import Format: base58 of a version byte (0x80, testnet 0xef), the key,
        # a compression flag, and four bytes of the double SHA-256 before them. No literal marks it; the
        # checksum does (a random token passes one time in four billion). A token of token characters
        # alone: the candidate pass searches for it in the long runs of them.
        "Wallet Import Format Key",
        rf"""(?P<value>[5KL9c]{_BASE58}{{50,51}}+)(?![A-Za-z0-9])""",
        "https://en.bitcoin.it/wiki/Wallet_import_format",
        is_wif,
        None,
        _TOKEN_CHAR,
    ),
    _placed(
        # A Solana keypair as wallets export it and bots load it: its 64 bytes in base58
        # (`Keypair.fromSecretKey(bs58.decode("…"))`, solders' `Keypair.from_base58_string("…")`, a
        # `.env`'s value). No literal marks it; its second half does, the public key of its first.
        SOLANA_KIND,
        rf"""(?<![A-Za-z0-9_])(?P<value>{_BASE58}{{86,88}}+)(?![A-Za-z0-9])""",
        "https://solana-foundation.github.io/solana-web3.js/classes/Keypair.html#fromSecretKey",
        is_solana_secret,
    ),
    _placed(
        # A Stellar account's secret seed (`Keypair.fromSecret("S…")`): base32 of a version byte, the
        # seed and a checksum, which marks it as no literal does.
        "Stellar Secret Seed",
        r"""(?<![A-Za-z0-9_])(?P<value>S[A-Z2-7]{55})(?![A-Za-z0-9])""",
        "https://github.com/stellar/stellar-protocol/blob/master/ecosystem/sep-0023.md",
        is_stellar_seed,
    ),
    _placed(
        # A Solana keypair, 64 bytes as a list of numbers: the file `solana-keygen new` writes (one line,
        # no blanks), and what `Keypair.fromSecretKey(…)` (web3.js) or `Keypair::from_bytes(&[…])` and
        # `Keypair.from_bytes([…])` (Rust, Python) load.
        SOLANA_KIND,
        r"""(?:Keypair\.fromSecretKey|Keypair(?:::|\.)from_bytes)[ \t]*+\([ \t]*+"""
        r"""(?:(?:new[ \t]++Uint8Array|Uint8Array\.from|Buffer\.from)[ \t]*+\([ \t]*+|&(?:vec!)?)?"""
        r"""(?P<value>\[(?:[ \t]*+\d{1,3}+[ \t]*+,){63}[ \t]*+\d{1,3}+[ \t]*+,?[ \t]*+\])""",
        "https://solana-foundation.github.io/solana-web3.js/classes/Keypair.html#fromSecretKey",
        keypair_bytes,
    ),
    _placed(
        SOLANA_KIND,
        r"""(?P<value>\[(?:\d{1,3}+,){63}\d{1,3}+\])""",
        "https://docs.solanalabs.com/cli/wallets/file-system",
        keypair_bytes,
    ),
)
# `_ENV_CREDENTIAL` read case-insensitively, its words' prefixes checked behind them: the prefilter then
# looks for six literals (`password=`, `key=`, ...), not one for each spelling of each word.
_PAIR_NAME = (
    r"[A-Za-z0-9_.\-]{0,80}(?:password|passwd|secret|token|(?<=[_.])pass"
    r"|(?:(?<=api)|(?<=api_)|(?<=secret)|(?<=secret_)|(?<=private)|(?<=private_)|(?<=access)|(?<=access_))key)"
)
# A value as a statement writes it: quoted, or a bare token (`IDENTIFIED BY tiger`, `requirepass x`).
# A quoted value runs to its quote (`IDENTIFIED BY 'a b;c'`), a bare one to a blank or the statement's end.
_STATEMENT_VALUE = r"""(?P<q>["'])?(?P<value>(?(q)[^"'\n]{1,200}|[^\s"';,)]+))(?(q)(?P=q)|(?![^\s"';,)]))"""
# The pairs before a credential's in a unit's `Environment=` line, fewest first.
_UNIT_PAIRS = r"""(?:[A-Za-z_][A-Za-z0-9_]{0,80}+=[^\s"']{0,200}+[ \t]++){0,16}?"""
# A name that ends in a credential's word, as code and constants spell it (`DB_PASSWORD`,
# `mail.smtp.password`, `keyStorePassword`), and WordPress's keys and salts (`AUTH_KEY`, `NONCE_SALT`).
_CONSTANT_NAME = rf"(?:{_ENV_CREDENTIAL}|(?:SECURE_)?(?:AUTH|LOGGED_IN|NONCE)_(?:KEY|SALT))"
# A call's first argument, before a key given as its second: a name, an attribute, an item, a literal.
_FIRST_ARGUMENT = (
    r"""(?:[A-Za-z_]\w{0,40}+[ \t]*+=[ \t]*+)?(?:[A-Za-z_][\w.]{0,80}+(?:\[[^\[\]\n]{0,80}+\])?"""
    r"""|\{[^{}\n]{0,200}+\}|"[^"\n]{0,200}+"|'[^'\n]{0,200}+')"""
)
# A string literal a key is written in, with Python's prefixes (`b"…"`, `rb'…'`) and JavaScript's
# backquotes.
_KEY_LITERAL = r"""[rRbBuU]{0,2}+(?P<q>["'`])(?P<value>[^"'`\n]{1,200})(?P=q)"""
# A client's second argument after a first token: the secret after the key, written out; as a look
# ahead (no groups), what the key's match needs after it.
_BEFORE_SECRET = r"""[ \t]*+,[ \t]*+(?:api_secret[ \t]*+=[ \t]*+)?"""
_CLIENT_TOKEN = r"""[A-Za-z0-9]{32,128}"""
_SECOND_TOKEN = rf"""{_BEFORE_SECRET}(?P<q>["'])(?P<value>{_CLIENT_TOKEN})(?P=q)"""
_SECOND_TOKEN_AHEAD = rf"""(?={_BEFORE_SECRET}["']{_CLIENT_TOKEN}["'])"""
# Keys that sign, check or encrypt a message, or open an API, written out as a call's argument: a JWT's
# HMAC secret, an HMAC's key, a cipher's key, an SDK client's key. The call's own syntax says what the
# literal is, whatever it is named (often nothing at all).
ARGUMENT_FORMATS: tuple[KeyFormat, ...] = (
    _placed(
        # PyJWT's `jwt.encode(payload, "…", algorithm="HS256")` and `jwt.decode(token, "…", …)`, Node's
        # jsonwebtoken `jwt.sign(payload, '…')` and `jwt.verify(token, '…')`. (Opened by a literal: one
        # search finds it.)
        "Signing Key Argument",
        rf"""jwt\.(?:encode|decode|sign|verify)\([ \t]*+{_FIRST_ARGUMENT}[ \t]*+,[ \t]*+"""
        rf"""(?:key[ \t]*+=[ \t]*+)?{_KEY_LITERAL}""",
        "https://pyjwt.readthedocs.io/en/stable/api.html#jwt.encode",
        _signing_key,
    ),
    _placed(
        # Python's `hmac.new(b"…", msg, sha256)`, `hmac.digest(…)`, `hmac.HMAC(key=b"…")`; Go's
        # `hmac.New(sha256.New, []byte("…"))`. (One pattern from their common literal: one search.)
        "Signing Key Argument",
        r"""hmac\.(?:(?:new|digest|HMAC)\([ \t]*+(?:key[ \t]*+=[ \t]*+)?"""
        rf"""|New\([ \t]*+[\w.]{{1,40}}+[ \t]*+,[ \t]*+\[\]byte\([ \t]*+){_KEY_LITERAL}""",
        "https://docs.python.org/3/library/hmac.html#hmac.new",
        _signing_key,
    ),
    _placed(
        # Node's `crypto.createHmac("sha256", "…")`.
        "Signing Key Argument",
        r"""createHmac\([ \t]*+(?P<a>["'`])[\w-]{1,20}+(?P=a)[ \t]*+,[ \t]*+"""
        rf"""{_KEY_LITERAL}""",
        "https://nodejs.org/api/crypto.html#cryptocreatehmacalgorithm-key-options",
        _signing_key,
    ),
    _placed(
        # A cipher's key written out: PyCryptodome's `AES.new(b"…", AES.MODE_GCM)` (and Triple DES's
        # and ChaCha20's), cryptography's `Fernet(b"…")`. Six literals at most, as for the wallet
        # loaders: past that the format is searched over the whole text.
        "Encryption Key Argument",
        r"""(?:(?:AES|DES3|ChaCha20(?:_Poly1305)?)\.new|Fernet)\([ \t]*+"""
        rf"""(?:key[ \t]*+=[ \t]*+)?{_KEY_LITERAL}""",
        "https://pycryptodome.readthedocs.io/en/latest/src/cipher/aes.html",
        _signing_key,
    ),
    _placed(
        # Node's `crypto.createCipheriv("aes-256-cbc", "…", iv)` (and `createDecipheriv`), Java's
        # `new SecretKeySpec("…".getBytes(), "AES")`.
        "Encryption Key Argument",
        r"""(?:create(?:Cipheriv|Decipheriv)\([ \t]*+(?P<a>["'`])[\w-]{1,30}+(?P=a)[ \t]*+,[ \t]*+"""
        rf"""|SecretKeySpec\([ \t]*+){_KEY_LITERAL}""",
        "https://nodejs.org/api/crypto.html#cryptocreatecipherivalgorithm-key-iv-options",
        _signing_key,
    ),
    _placed(
        # An API's key given to its SDK's client: Azure's `new AzureKeyCredential("…")` (every Azure
        # service's key), OpenAI's clients in Go (`openai.NewClient("…")`), Java (`new
        # OpenAiService("…")`), .NET (`new OpenAIClient("…")`, `new ApiKeyCredential("…")`) and PHP
        # (`OpenAI::client("…")`), Cohere's `cohere.Client("…")`: an unprefixed key (Azure's, Cohere's,
        # DeepSeek's) has no other mark.
        "API Key Argument",
        r"""(?:AzureKeyCredential|ApiKeyCredential|openai\.NewClient|OpenAiService|OpenAIClient"""
        rf"""|OpenAI::client)\([ \t]*+{_KEY_LITERAL}""",
        "https://learn.microsoft.com/en-us/dotnet/api/azure.azurekeycredential",
        _random_token,
        None,
        WALLET_NOT_AFTER,
    ),
    _placed(
        "API Key Argument",
        rf"""cohere\.(?:Async)?Client(?:V2)?\([ \t]*+(?:api_key[ \t]*+=[ \t]*+)?{_KEY_LITERAL}""",
        "https://docs.cohere.com/reference/about",
        _random_token,
    ),
    _placed(
        # The same in Rust: async-openai's `OpenAIConfig::new().with_api_key("…")`. (Ruby's clients take
        # it as `access_token:` or `api_key:`, which the keyword rule reads.)
        "API Key Argument",
        rf"""\.with_api_key\([ \t]*+{_KEY_LITERAL}""",
        "https://docs.rs/async-openai/latest/async_openai/config/struct.OpenAIConfig.html#method.with_api_key",
        _random_token,
    ),
    _placed(
        # An exchange's API key and secret given to its client, both written out: python-binance's
        # `Client("…", "…")` and `AsyncClient.create("…", "…")`, Coinbase's and KuCoin's `Client`. Two
        # random tokens of 32 characters or more, the key and the secret: each is reported and hidden. Not
        # Twilio's account SID (`AC` and 32 hex digits) and token: a format of their own, below.
        "API Key Argument",
        r"""(?:Async)?Client(?:\.create)?\([ \t]*+(?:api_key[ \t]*+=[ \t]*+)?(?P<q>["'])"""
        rf"""(?!AC[0-9a-fA-F]{{32}}["'])(?P<value>{_CLIENT_TOKEN})(?P=q){_SECOND_TOKEN_AHEAD}""",
        "https://python-binance.readthedocs.io/en/latest/overview.html#initialise-the-client",
        _random_token,
        _SECOND_TOKEN,
        WALLET_NOT_AFTER,
    ),
    _placed(
        # The same secret after a key read from elsewhere: `Client(api_key, "…")`.
        "API Key Argument",
        rf"""(?:Async)?Client(?:\.create)?\([ \t]*+[\w.]{{0,60}}?(?:[Kk]ey|KEY){_SECOND_TOKEN}""",
        "https://python-binance.readthedocs.io/en/latest/overview.html#initialise-the-client",
        _random_token,
        None,
        WALLET_NOT_AFTER,
    ),
    _placed(
        # Twilio's auth token (32 hex digits) given to its client after the account's SID, written out
        # (`AC` and 32 hex digits) or named for one: `Client(account_sid, "…")` (Python),
        # `twilio(accountSid, "…")` and `require("twilio")(accountSid, "…")` (Node),
        # `Twilio.init(ACCOUNT_SID, "…")` (Java), `TwilioClient.Init(accountSid, "…")` (.NET),
        # `Twilio::REST::Client.new(account_sid, "…")` (Ruby).
        "Twilio Auth Token",
        r"""(?:Client(?:\.new)?|(?:require\([ \t]*+(?P<m>["']))?twilio(?(m)(?P=m)[ \t]*+\))|Twilio\.init"""
        r"""|TwilioClient\.Init)[ \t]*+\([ \t]*+"""
        r"""(?:["']AC[0-9a-fA-F]{32}["']|[\w.$]{0,60}?(?:[Ss]id|SID))[ \t]*+,[ \t]*+"""
        r"""(?P<q>["'])(?P<value>[0-9a-fA-F]{32})(?P=q)""",
        "https://www.twilio.com/docs/iam/api/authtoken",
        unpublished_key,
        None,
        WALLET_NOT_AFTER,
    ),
)
# Credentials that other tools' own syntax sets, wherever that syntax is written (a config file, a
# provisioning script, a string in code).
TOOL_FORMATS: tuple[KeyFormat, ...] = (
    _placed(
        # A directive at a line's start (redis.conf), a server option, or `CONFIG SET` in redis-cli.
        "Redis Password",
        r"(?:(?<![^\n])[ \t]*+|--|(?:CONFIG|config)[ \t]+(?:SET|set)[ \t]+)"
        # An argument list's `["redis-server", "--requirepass", "…"]` as well as a command line.
        r"(?:requirepass|masterauth|sentinel[ \t]+auth-pass[ \t]+[^\s]+)(?:[ \t]+|[\"'],[ \t]*+)"
        rf"{_STATEMENT_VALUE}",
        "https://redis.io/docs/latest/operate/oss_and_stack/management/security/#authentication",
        written_value,
    ),
    _placed(
        # A unit's `Environment=API_KEY=… DB_PASSWORD=…`, its pairs written bare: each credential pair,
        # the first found from the marker and each next one from where the last value ends (quoted
        # pairs are found below). Names and values are bounded and taken whole: a line of markers
        # and `=` is read once, not once from each marker to its end.
        "systemd Environment Credential",
        rf"""Environment={_UNIT_PAIRS}{_ENV_CREDENTIAL}=(?P<value>[^\s"']+)""",
        "https://www.freedesktop.org/software/systemd/man/latest/systemd.exec.html#Environment=",
        written_value,
        rf"""[ \t]++{_UNIT_PAIRS}{_ENV_CREDENTIAL}=(?P<value>[^\s"']+)""",
    ),
    _placed(
        # A quoted `"NAME=value"` pair: systemd's `Environment="A=x" "DB_PASSWORD=…"`, a Compose file's
        # `- "API_TOKEN=…"`, an argument list's `["env", "SECRET_KEY=…"]`.
        "Environment Variable Credential",
        rf"""(?i)(?<![\w\\])(?P<q>["']){_PAIR_NAME}=(?P<value>[^\s"'](?:[^"'\n]{{0,200}}[^\s"'])?)(?P=q)""",
        "https://www.freedesktop.org/software/systemd/man/latest/systemd.exec.html#Environment=",
        written_value,
    ),
    _placed(
        # MySQL's and Oracle's `CREATE USER … IDENTIFIED BY '…'`, also `IDENTIFIED WITH plugin BY`: in
        # capitals, or after the statement's verb (prose says "identified by" too).
        "SQL User Password",
        r"(?:(?:CREATE|ALTER|GRANT|CONNECT|create|alter|grant|connect)[ \t][^\n;]{0,200}?identified"
        r"|IDENTIFIED)(?:[ \t]+(?:WITH|with)[ \t]+[A-Za-z0-9_]+)?[ \t]+(?:BY|by)[ \t]+"
        rf"(?:(?:PASSWORD|password)[ \t]+)?{_STATEMENT_VALUE}",
        "https://dev.mysql.com/doc/refman/8.0/en/create-user.html",
        written_value,
    ),
    _placed(
        # PostgreSQL's `CREATE ROLE … PASSWORD '…'`, SQL Server's `CREATE LOGIN … WITH PASSWORD = '…'`.
        "SQL User Password",
        r"(?:CREATE|ALTER|create|alter)[ \t]+(?:USER|ROLE|LOGIN|user|role|login)[ \t][^\n;]{0,200}?"
        r"""(?<![\w-])(?:PASSWORD|password)[ \t]*+(?:=[ \t]*+)?(?P<q>['"])(?P<value>[^'"\n]{1,200})(?P=q)""",
        "https://www.postgresql.org/docs/current/sql-createrole.html",
        written_value,
    ),
    _placed(
        # Python's `os.getenv("DB_PASSWORD", "…")`, `os.environ.get("API_KEY") or "…"`, Ruby's
        # `ENV.fetch("API_TOKEN", "…")`: the value used when the environment sets none.
        "Environment Default Credential",
        r"""(?:getenv|environ\.get|environ\.setdefault|ENV\.fetch)\([ \t]*+(?P<n>["'])"""
        rf"""{_ENV_CREDENTIAL}(?P=n)[ \t]*+(?:,|\)[ \t]+or)[ \t]*+[rRbBuU]?{_PASSWORD_VALUE}""",
        "https://docs.python.org/3/library/os.html#os.getenv",
        _default_value,
    ),
    _placed(
        # Node's `process.env.DB_PASSWORD || "…"`, `process.env["API_KEY"] ?? '…'`.
        "Environment Default Credential",
        rf"""process\.env(?:\.{_ENV_CREDENTIAL}|\[(?P<n>["']){_ENV_CREDENTIAL}(?P=n)\])[ \t]*+(?:\|\||\?\?)"""
        r"""[ \t]*+(?P<q>["'`])(?P<value>[^"'`\n]{1,200})(?P=q)""",
        "https://nodejs.org/api/process.html#processenv",
        _default_value,
    ),
    _placed(
        # PHP's `define('DB_PASSWORD', '…')`, as wp-config.php sets the database's password and its keys.
        "PHP Constant Credential",
        rf"""define\([ \t]*+(?P<n>["']){_CONSTANT_NAME}(?P=n)[ \t]*+,[ \t]*+{_QUOTED_VALUE}""",
        "https://developer.wordpress.org/advanced-administration/wordpress/wp-config/",
        _written_unless_prose,
    ),
    _placed(
        # A Java bean's setter: HikariCP's `ds.setPassword("…")`, `setApiKey`, `setClientSecret`.
        "Setter Credential",
        r"\.set(?:[A-Z][a-z0-9]*+){0,6}?(?:Password|Passwd|Secret|Token|ApiKey|AccessKey|SecretKey"
        rf"|PrivateKey)\([ \t]*+{_QUOTED_VALUE}[ \t]*+\)",
        "https://github.com/brettwooldridge/HikariCP#gear-configuration-knobs-baby",
        written_value,
    ),
    _placed(
        # A property or a variable set by name: `props.put("mail.smtp.password", "…")`,
        # `System.setProperty("…Password", "…")`, Go's `os.Setenv("API_TOKEN", "…")`.
        "Property Credential",
        r"""\.(?:put|setProperty|set|add|Setenv|setenv|putenv)\([ \t]*+(?P<n>["'])"""
        rf"""{_ENV_CREDENTIAL}(?P=n)[ \t]*+,[ \t]*+{_QUOTED_VALUE}""",
        "https://jakarta.ee/specifications/mail/2.1/apidocs/jakarta.mail/jakarta/mail/package-summary",
        written_value,
    ),
    _placed(
        # Go's MySQL driver's `user:password@tcp(host:port)/db`: the password to the last `@` before the
        # address, as the driver reads it.
        "MySQL DSN Password",
        # (`@tcp` is the one literal every match holds: one pass finds the lines that may hold it.)
        r"""(?<![^\s"'`=])[^\s"'`:@/()]{1,64}+:(?P<value>[^\s"'`]{1,200})@tcp\d?\(""",
        "https://github.com/go-sql-driver/mysql#dsn-data-source-name",
        written_value,
    ),
    _placed(
        # A Terraform variable's default, on the variable's line: `variable "db_password" { default = "…" }`
        # (on lines of its own below the name, `gate.redact.detect` reads it).
        "Terraform Variable Default",
        rf"""variable[ \t]++"{_PAIR_NAME}"[ \t]*+\{{[^{{}}\n]{{0,200}}?(?<![\w-])default[ \t]*+=[ \t]*+"""
        rf"""{_QUOTED_VALUE}""",
        "https://developer.hashicorp.com/terraform/language/values/variables#default-values",
        written_value,
    ),
    _placed(
        # A variable given as a name and a value, in JSON, HCL or TOML: an ECS task definition's
        # `{"name": "DB_PASSWORD", "value": "…"}`, Terraform's `{ name = "DB_PASSWORD", value = "…" }`, a
        # Postman collection's `{"key": "apiKey", "value": "…"}`. The name is the credential's whole
        # (`DB_PASSWORD_FILE` names a place); written over lines, `gate.redact.detect` reads it.
        NAME_VALUE_KIND,
        r"""(?<![\w$.-])(?P<nq>["']?)(?:name|key|Name|Key)(?P=nq)[ \t]*+[:=][ \t]*+"""
        rf""""{_ENV_CREDENTIAL}"[ \t]*+,[ \t]*+"""
        rf"""(?P<vq>["']?)(?:value|Value)(?P=vq)[ \t]*+[:=][ \t]*+{_QUOTED_VALUE}""",
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/taskdef-envfiles.html",
        _written_unless_prose,  # a form's `{"name": "password", "value": "Enter a password"}` is a label
    ),
    _placed(
        # The same pair with the value first: JSON's keys have no order, and a Postman export or an
        # object a tool writes sorted puts `value` before `name` (`{"value": "…", "key": "apiKey"}`).
        NAME_VALUE_KIND,
        r"""(?<![\w$.-])(?P<vq>["']?)(?:value|Value)(?P=vq)[ \t]*+[:=][ \t]*+"""
        rf"""{_QUOTED_VALUE}[ \t]*+,[ \t]*+"""
        rf"""(?P<nq>["']?)(?:name|key|Name|Key)(?P=nq)[ \t]*+[:=][ \t]*+"{_ENV_CREDENTIAL}\"""",
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/taskdef-envfiles.html",
        _written_unless_prose,
    ),
    _placed(
        # A notebook's `%env API_KEY=…` (or `%env API_KEY …`), `%set_env`, and a shell escape's
        # `!export API_KEY=…`, in a cell's source as the notebook's JSON holds it.
        "Notebook Environment Credential",
        rf"""(?:%env|%set_env|!export)[ \t]++{_ENV_CREDENTIAL}(?:=|[ \t]++)(?P<value>[^\s"'`\\]+)""",
        "https://ipython.readthedocs.io/en/stable/interactive/magics.html#magic-env",
        written_value,
    ),
    *ARGUMENT_FORMATS,
)
# Every format the detector runs: the prefixed keys first (a value both find keeps the key's kind).
KEY_FORMATS: tuple[KeyFormat, ...] = (*PREFIXED_FORMATS, *PLACED_FORMATS, *TOOL_FORMATS)
