"""Key formats recognised by their documented prefix, beside detect-secrets' own plugins.

Each row is (kind, pattern, source): the source is where the vendor (or GitHub secret scanning, which
works from the vendors' own descriptions) documents the format. A pattern starts with its literal
prefix, so one search over a whole text is cheap, and takes the token to its end; the lengths are the
documented ones or a little under, so a key cut short by a line wrap is still caught.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class KeyFormat:
    kind: str
    pattern: re.Pattern[str]
    source: str

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """Matches that start a token: `xsk_live_` is not a Stripe key, `some_npm_x` not an npm token.
        (Checked here rather than by a look-behind, which would cost the regex its literal-prefix scan.)"""
        for m in self.pattern.finditer(text):
            at = m.start()
            if at == 0 or not _TOKEN_CHAR.match(text, at - 1):
                yield m


_TOKEN_CHAR = re.compile(r"[A-Za-z0-9_]")


def _fmt(kind: str, pattern: str, source: str) -> KeyFormat:
    return KeyFormat(kind, re.compile(pattern), source)


_TAIL = r"[A-Za-z0-9_-]"

KEY_FORMATS: tuple[KeyFormat, ...] = (
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
        r"sntr[ysu]s?_[A-Za-z0-9_=+/-]{40,}",
        "https://docs.sentry.io/account/auth-tokens/",
    ),
    _fmt(
        "1Password Service Account Token",
        r"ops_eyJ[A-Za-z0-9_=-]{40,}",
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
)
