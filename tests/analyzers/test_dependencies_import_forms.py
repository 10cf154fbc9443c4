"""Imports the dependencies analyzer used to pass over: modules of a namespace shared by many
distributions (google.*, azure.*), JS imports whose specifier sits on a line of its own, and Deno's
`npm:` specifiers. Real git repositories, the loopback registries."""

from __future__ import annotations

from pathlib import Path

from gate.analyzers.dependencies import DependenciesAnalyzer
from gate.findings import Severity
from gate.run import StageResult
from tests.analyzers.gitrepo import Files, change, context, registry_config
from tests.fakes.registries import FakeNpm, FakePyPI


def run(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm, before: Files, after: Files) -> StageResult:
    changeset = change(tmp_path, before, after)
    return DependenciesAnalyzer().run(context(changeset, config=registry_config(pypi.url, npm.url)))


def absent(result: StageResult) -> dict[str, tuple[Severity, str, int | None]]:
    out = {}
    for f in result.findings:
        if f.rule == "absent-package":
            assert f.location is not None
            out[f.title.split("'")[1]] = (f.severity, f.location.path, f.location.start_line)
    return out


def test_namespace_modules_are_looked_up_by_their_distribution(tmp_path: Path, pypi: FakePyPI, npm: FakeNpm):
    for name in ("requests", "google-cloud-storage", "azure-identity", "protobuf", "google-auth"):
        pypi.add(name)
    before = {"requirements.txt": "requests==2.31.0\ngoogle-cloud-bigquery==3.0\n"}
    after = {
        "app/net.py": (
            "import requests\n"
            "from google.cloud import vertexagents\n"
            "import azure.ai.copilotkit\n"
            "from google.cloud import storage\n"
            "from google.cloud import bigquery\n"
            "from azure.identity import DefaultAzureCredential\n"
            "from google.protobuf import message\n"
            "from google.auth.transport.requests import Request\n"
            # Each name of a namespace import may be a distribution of its own.
            "from google.cloud import storage as gcs, ghostagents\n"
            "import azure.newthing.client\n"
        )
    }
    result = run(tmp_path, pypi, npm, before, after)
    assert absent(result) == {
        "google-cloud-vertexagents": (Severity.HIGH, "app/net.py", 2),
        "azure-ai-copilotkit": (Severity.HIGH, "app/net.py", 3),
        "google-cloud-ghostagents": (Severity.HIGH, "app/net.py", 9),
        "azure-newthing": (Severity.HIGH, "app/net.py", 10),
    }
    [newthing] = [f for f in result.findings if "azure-newthing" in f.title]
    assert "imports 'azure-newthing' (imported as 'azure.newthing.client')" in newthing.body
    assert "Nor has it 'azure-newthing-client'" in newthing.body
    # Declared (google-cloud-bigquery) is not asked for; the namespaces themselves never are.
    assert not {"google-cloud-bigquery", "google", "google-cloud", "azure", "azure-ai"} & set(pypi.requests)
    assert {"google-cloud-storage", "azure-identity", "protobuf", "google-auth"} <= set(pypi.requests)


def test_js_specifiers_on_a_line_of_their_own_and_deno_npm_specifiers(
    tmp_path: Path, pypi: FakePyPI, npm: FakeNpm
):
    for name in ("lodash", "@std/fmt-real", "react"):
        npm.add(name)
    before = {"package.json": '{"name": "shop", "dependencies": {"lodash": "^4.17.21"}}\n'}
    after = {
        "src/a.js": (
            "import _ from 'lodash'\n\nexport async function load() {\n"
            "  const { render } = await import(\n    'react-chartkit-pro'\n  )\n"
            '  const other = require(  // the legacy build\n    "legacy-chart-ghost",\n  )\n'
            "  return [render, other]\n}\n"
        ),
        "src/b.js": "import {\n  formatMoney,\n  parseMoney,\n}\n  from 'money-formatter-utils-x'\n",
        "src/c.ts": (
            'import cli from "npm:hallucinated-deno-cli@1"\n'
            'import { fmt } from "npm:@std/fmt-real@^1.0/colors"\n'
            'import React from "npm:react"\n'
            'export * as s\n  from "npm:@ghost-scope/deno-ghost@2.1.0"\n'
            'import path from "node:path"\n'
        ),
    }
    result = run(tmp_path, pypi, npm, before, after)
    assert absent(result) == {
        "react-chartkit-pro": (Severity.HIGH, "src/a.js", 5),
        "legacy-chart-ghost": (Severity.HIGH, "src/a.js", 8),
        "money-formatter-utils-x": (Severity.HIGH, "src/b.js", 5),
        "hallucinated-deno-cli": (Severity.HIGH, "src/c.ts", 1),
        "@ghost-scope/deno-ghost": (Severity.HIGH, "src/c.ts", 5),
    }
    assert {"@std/fmt-real", "react"} <= set(npm.requests)
