"""Schemathesis against the OpenAPI document the dev server publishes at /openapi.json (built by
dev/comments_dev/openapi.py from template.yaml's routes and the layer's pydantic models, which
carry every rule their validators enforce): generated valid and invalid requests to every route,
moderation routes with the moderator's token. No 5xx; every status, content type, header and
body matches the document; invalid input is refused with a 4xx; a moderation route never ignores
a missing token; and a request the document calls valid is never refused as malformed (400 or a
422 `validation_error`), except for the two signed values the document says only this service
issues (a cursor, a claim). A 422 `policy_violation` is the policy's verdict on a well-formed
comment (one character is valid input, and too short for the policy), not a refusal of it."""

from collections.abc import Iterator

import pytest
import schemathesis
from comments_dev import openapi
from comments_dev.launch import DevProcess, start_dev_server
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)


@schemathesis.check
def schema_valid_requests_are_not_refused_as_malformed(ctx, response, case) -> None:
    """Valid by the document: never a 400 or a 422 validation_error, but for a signed value this
    service did not issue (a cursor or a claim: the document says any other value is refused)."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return None
    if response.status_code not in (400, 415, 422):
        return None
    error = response.json().get("error") if "json" in response.headers.get("content-type", [""])[0] else None
    if error == "policy_violation":
        return None
    if response.status_code == 400 and _carries_a_signed_value(case):
        return None
    raise AssertionError(
        f"schema-valid request refused: {case.method} {case.formatted_path} -> "
        f"{response.status_code} {response.text[:300]}"
    )


def _carries_a_signed_value(case) -> bool:
    if case.path == "/articles/{articleId}/comments" and case.method == "GET":
        return bool((case.query or {}).get("cursor") is not None)
    if case.path.startswith("/moderation/comments/") and isinstance(case.body, dict):
        return case.body.get("claim") is not None
    return False


CHECKS = [
    not_a_server_error,
    schema_valid_requests_are_not_refused_as_malformed,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    ignored_auth,
]
EXAMPLES = 100  # per operation and mode, as the outside review ran it: 17 operations x 2 modes


# The site's origins (AllowedOrigins): https ones, so that a submission's `page.url` has URLs to be
# drawn from (the document publishes the URLs on them as the pattern `page.url` must match).
SITE = ("https://news.example", "https://Mirror-2.example:8443")


@pytest.fixture(scope="module")
def fuzzed_stack() -> Iterator[DevProcess]:
    """A dev server of its own: the fuzzer claims queue messages, closes articles and erases
    authors, which must not disturb the other end-to-end tests."""
    proc = start_dev_server({"RATE_LIMIT_PER_MINUTE": "0", "ALLOWED_ORIGINS": ",".join(SITE)})
    yield proc
    proc.stop()


# The document as the dev server builds it (the same function serves /openapi.json; the test
# below checks they are the same). Schemathesis' own pytest plugin does not run on pytest 9, so
# each operation is driven through its Hypothesis strategy here.
SCHEMA = schemathesis.openapi.from_dict(openapi.document(origins=SITE))
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


@pytest.mark.slow
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_every_route_conforms_to_the_published_document(operation, mode, fuzzed_stack: DevProcess) -> None:
    headers, checks = {}, CHECKS
    if operation.path.startswith("/moderation"):
        headers["Authorization"] = f"Bearer {fuzzed_stack.moderator_token}"
        if mode is GenerationMode.NEGATIVE:
            # Negative cases may "break" the Authorization header, which this call then sets to
            # the valid token: schemathesis would still expect a refusal. ignored_auth and
            # test_attackers_http.py cover the missing and bad tokens instead.
            checks = [c for c in CHECKS if c is not negative_data_rejection]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:
        case.call_and_validate(base_url=fuzzed_stack.base_url, headers=headers, checks=checks, timeout=30)

    run()


def test_the_served_document_is_the_built_one(fuzzed_stack: DevProcess) -> None:
    import requests

    served = requests.get(f"{fuzzed_stack.base_url}/openapi.json", timeout=10)
    assert served.status_code == 200 and served.headers["X-Content-Type-Options"] == "nosniff"
    doc = served.json()
    built = openapi.document(origins=SITE)
    assert doc["paths"] == built["paths"] and doc["components"] == built["components"]
    assert doc["servers"] == [{"url": fuzzed_stack.base_url}]


def test_the_document_lists_every_route_of_the_template(fuzzed_stack: DevProcess) -> None:
    import requests
    from comments_dev import template

    doc = requests.get(f"{fuzzed_stack.base_url}/openapi.json", timeout=10).json()
    assert doc["openapi"].startswith("3.")
    documented = {f"{m.upper()} {p}" for p, ops in doc["paths"].items() for m in ops}
    deployed = {r.route_key for r in template.http_routes() if r.path != "$default"}
    assert documented == deployed
    for route in template.http_routes():
        if route.path == "$default":
            continue
        op = doc["paths"][route.path][route.method.lower()]
        assert bool(op.get("security")) == bool(route.authorizer), route.route_key
        assert all(200 <= int(s) < 600 and not 500 <= int(s) < 503 for s in op["responses"]), route.route_key
