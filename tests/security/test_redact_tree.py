"""`redact_tree` hides every secret in a JSON-like value, keys and nested strings too, as `redact` hides
it in each string alone; a value with nothing to hide comes back as it is."""

from __future__ import annotations

from typing import Any

from gate.redact import REDACTED, redact, redact_tree

AWS = "AKIAIOSFODNN7EXAMPLE"
PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn\n-----END RSA PRIVATE KEY-----"


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [*_strings(k), *_strings(v)]]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return []


def _tree(secret: str) -> dict[str, Any]:
    return {
        "findings": [
            {"title": f"key {secret} in a title", "start_line": 3, "share": 0.25, "ok": True, "none": None},
            {"body": "line one\nline two", "path": "src/é\u202e.py", "voters": ("a", "b")},
        ],
        f"details {secret}": {"nested": [[f"x{secret}y", ""], ("\x00", "#12 @team")]},
        "empty": {},
    }


def test_each_string_is_redacted_as_on_its_own() -> None:
    for secret in (AWS, PEM):
        tree = _tree(secret)
        out = redact_tree(tree)
        assert _strings(out) == [redact(s) for s in _strings(tree)]
        assert secret not in repr(out) and REDACTED in repr(out)
        assert out["findings"][0]["share"] == 0.25 and out["findings"][1]["voters"] == ["a", "b"]


def test_a_value_with_nothing_to_hide_comes_back_as_it_is() -> None:
    tree = _tree("no-secret-here")
    assert redact_tree(tree) is tree
    assert _strings(tree) == [redact(s) for s in _strings(tree)]


def test_strings_scanned_ahead_are_redacted_as_if_scanned_then() -> None:
    from gate.redact import prescan
    from gate.redact.detect import forget_scans, scan_lines

    forget_scans()
    try:
        for secret in (AWS, PEM):
            tree = _tree(secret)
            # Scanned ahead: the tree's strings, and others (some with the key, some not).
            prescan([*_strings(tree), f"other {secret}", "nothing here", ""])
            assert _strings(redact_tree(tree)) == [redact(s) for s in _strings(tree)]
            assert secret not in repr(redact_tree(tree))
            # A line scanned ahead and one never seen, side by side: the hits of a scan from scratch.
            lines = [f"k = '{AWS}'", "nothing here", f"other {AWS}", f"new {AWS} line", "x = 1"]
            answered = list(scan_lines(lines))
            forget_scans()
            assert answered == list(scan_lines(lines))
    finally:
        forget_scans()


STRIPE_NAMED = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"


def test_a_remembered_value_is_hidden_in_values_and_data_keys_never_in_the_gates_own_keys() -> None:
    """A value remembered for the run can be a word of the gate's formats (`DB_PASSWORD=findings` in a
    commit message, or a real password that happens to be `start_line`): hidden where it is text, a
    file path used as a key included, and left in the keys the gate writes (report, trace, SARIF). A
    plain word is hidden where it stands as a value only, not in the gate's sentences or a file's name."""
    from gate.redact import memory

    before = set(memory._values)
    try:
        memory.remember(["findings", "start_line", "pay2ments"])
        tree = {
            "findings": [
                {"start_line": 3, "title": "findings start_line", "body": "findings", "$schema": "x"},
            ],
            "line_keys": {"pay2ments/refund.py:3-4": "ab12", "findings.py:1-2": "cd34"},
            # a file at the root named after a token is a key shaped as the gate's own: still data
            "files": {STRIPE_NAMED: 1, "chunk-12": 2, "partialFingerprints": 3},
        }
        assert redact_tree(tree) == {
            "findings": [
                {"start_line": 3, "title": f"findings {REDACTED}", "body": REDACTED, "$schema": "x"},
            ],
            "line_keys": {f"{REDACTED}/refund.py:3-4": "ab12", "findings.py:1-2": "cd34"},
            "files": {REDACTED: 1, "chunk-12": 2, "partialFingerprints": 3},
        }
    finally:  # the words stay out of the other tests' way
        with memory._lock:
            memory._values.intersection_update(before)
            memory._pattern = None
            memory._generation += 1


def test_the_gates_own_hashes_are_not_scanned_but_a_remembered_value_in_one_is_hidden() -> None:
    """A finding's `id` and `fingerprint` are hex hashes the gate computed: a report's thousands of them
    made most of its redaction's candidate lines, and hold no secret. They are not scanned; a value
    remembered for the run is hidden in one all the same, and a hash-shaped string anywhere else is
    scanned as ever."""
    from gate.redact import memory, strings_in

    before = set(memory._values)
    remembered = "9f3a61c0d2e4b5a7c8e9f0a1"
    try:
        memory.remember([remembered])
        own = {"id": "3867abe2de7ac1bc28fc038a", "fingerprint": "7fb7b545b0f09f2966d9f9b5"}
        tree = {"findings": [own, {"id": remembered, "title": "t"}], "note": own["id"]}
        hashes: list[str] = []
        assert own["id"] not in strings_in({"findings": [own]}, hashes) and own["id"] in hashes
        assert own["id"] in strings_in(tree)  # the same text outside a hash field is scanned
        assert redact_tree(tree) == {"findings": [own, {"id": REDACTED, "title": "t"}], "note": own["id"]}
    finally:
        with memory._lock:
            memory._values.intersection_update(before)
            memory._pattern = None
            memory._generation += 1
