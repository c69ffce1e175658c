"""`make checkov`: checkov's verdict on template.yaml against the checks docs/security.md accepts.

    python .ci/checkov_gate.py build/checkov.json docs/security.md

Fails (exit 1) on a check that fails and is not listed in docs/security.md's table of accepted
failures (each with its reason), and on a listed check that no longer fails (the list must stay
true). checkov runs from its own virtualenv (.venv-checkov): installed into the project's, it
would move boto3, botocore and packaging to older versions than the functions are tested with.
"""

import json
import re
import sys
from pathlib import Path


def failing(report: Path) -> dict[str, set[str]]:
    data = json.loads(report.read_text() or "{}")
    runs = data if isinstance(data, list) else [data]
    out: dict[str, set[str]] = {}
    for run in runs:
        for check in run.get("results", {}).get("failed_checks", []):
            out.setdefault(check["check_id"], set()).add(check["resource"].rsplit(".", 1)[-1])
    return out


def accepted(doc: Path) -> set[str]:
    return set(re.findall(r"^\| `(CKV2?_AWS_\d+)`", doc.read_text(), flags=re.MULTILINE))


def main(argv: list[str]) -> int:
    report, doc = Path(argv[0]), Path(argv[1])
    found, listed = failing(report), accepted(doc)
    unlisted = {c: r for c, r in found.items() if c not in listed}
    stale = listed - set(found)
    for check, resources in sorted(unlisted.items()):
        where = ", ".join(sorted(resources))
        print(f"checkov: {check} fails ({where}) and {doc} gives no reason", file=sys.stderr)
    for check in sorted(stale):
        print(f"checkov: {check} is listed in {doc} but no longer fails: take it off", file=sys.stderr)
    if unlisted or stale:
        return 1
    total = sum(len(r) for r in found.values())
    print(f"checkov: {total} failures, of {len(found)} checks, each listed in {doc} with its reason")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
