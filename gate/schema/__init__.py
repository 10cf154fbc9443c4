"""The shapes the gate writes and reads back, each defined once as a pydantic model.

`report` is the JSON report of SPEC 5.6 (`schema_version: 1`) and its parts; `finding` is a finding as the
report and the trace carry it; `review_state` is what a review leaves for the next run of the same PR. Every
rendering (the JSON report, the trace, the review state, the GitHub view, SARIF) is built from these
models, every reader parses with them, and `ai-gate report schema` prints the JSON Schema generated from
them. This package sits at the bottom: it imports pydantic, the standard library and `gate.findings` only.
"""
