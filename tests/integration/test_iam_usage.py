"""Least privilege, proven by running the code: every AWS call each function makes, in every flow
of the API (submit in all its outcomes, idempotent replays and failures, read, counts, relay,
moderation from claim to erase, author edit and delete, reports), is recorded with the resource
it touches. Each call must be granted by the template (or it would be AccessDenied in AWS), and
what the functions call must be exactly tests/unit/test_template_iam.py's table (so no grant in
the table is unused)."""

import importlib.util
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
from comments_dev.streams import stream_mappings
from conftest import MODERATOR


def _table_module():
    path = Path(__file__).resolve().parents[1] / "unit" / "test_template_iam.py"
    spec = importlib.util.spec_from_file_location("_iam_table", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


IAM = _table_module()
# Calls the Lambda service makes with the function's role, not the function's code.
BY_THE_SERVICE = {"RelayFunction": {("sqs:SendMessage", "RelayFailureQueue")}}
ARTICLE = "iam-usage"
LINKS = "See https://a.example.com https://b.example.com https://c.example.com"


class Recorder:
    def __init__(self, stack) -> None:
        self.stack = stack
        self.current = threading.local()
        self.calls: dict[str, set[tuple[str, str]]] = {}
        names = {v: k for k, v in stack.tables.items()}
        queues = {v: k for k, v in stack.queues.items()}
        secrets = {v: k for k, v in stack.secrets.items()}
        buses = {v: k for k, v in stack.buses.items()}
        self.names, self.queues, self.secrets, self.buses = names, queues, secrets, buses

    def grants(self, service: str, operation: str, params: dict[str, Any]) -> set[tuple[str, str]]:
        if service == "dynamodb":
            if operation == "TransactWriteItems":
                kinds = {
                    "Put": "PutItem",
                    "Update": "UpdateItem",
                    "Delete": "DeleteItem",
                    "ConditionCheck": "ConditionCheckItem",
                }
                return {
                    (f"dynamodb:{kinds[k]}", self.names[v["TableName"]])
                    for item in params["TransactItems"]
                    for k, v in item.items()
                }
            if operation == "BatchGetItem":
                return {("dynamodb:BatchGetItem", self.names[t]) for t in params["RequestItems"]}
            resource = self.names[params["TableName"]]
            if params.get("IndexName"):
                resource += f"/index/{params['IndexName']}"
            return {(f"dynamodb:{operation}", resource)}
        if service == "sqs":
            return {(f"sqs:{operation}", self.queues[params["QueueUrl"]])}
        if service == "secretsmanager":
            return {(f"secretsmanager:{operation}", self.secrets[params["SecretId"]])}
        if service == "comprehend":  # Detect* actions have no resource type: "*" is all there is
            return {(f"comprehend:{operation}", "*")}
        if service == "events":
            return {
                (f"events:{operation}", self.buses.get(e.get("EventBusName"), e.get("EventBusName")))
                for e in params["Entries"]
            }
        return {(f"{service}:{operation}", str(params))}

    def record(self, service: str, operation: str, params: dict[str, Any]) -> None:
        function = getattr(self.current, "name", None)
        if function:
            self.calls.setdefault(function, set()).update(self.grants(service, operation, params))


@pytest.fixture
def recorder(api, aws_stack, monkeypatch):
    from botocore.client import BaseClient
    from comments_dev.lambdas import Function

    rec = Recorder(aws_stack)
    original_call, original_invoke = BaseClient._make_api_call, Function.invoke

    def make_api_call(self, operation_name, api_params):
        rec.record(self.meta.service_model.service_name, operation_name, api_params)
        return original_call(self, operation_name, api_params)

    def invoke(self, event):
        # Each function is its own container in AWS: none inherits another's secret or clients.
        from comments.api import runtime

        runtime.use(None)
        rec.current.name = self.name
        try:
            return original_invoke(self, event)
        finally:
            rec.current.name = None

    monkeypatch.setattr(BaseClient, "_make_api_call", make_api_call)
    monkeypatch.setattr(Function, "invoke", invoke)
    return rec


def post(api, body: str = "A calm remark.", email: str | None = None, **kwargs):
    payload = {"name": "Iris", "email": email or f"i-{uuid.uuid4().hex[:8]}@example.org", "body": body}
    payload.update(kwargs.pop("extra", {}))
    return api.call("POST", f"/articles/{ARTICLE}/comments", payload, **kwargs)


def test_every_call_of_every_flow_is_granted_and_every_grant_is_used(api, aws_stack, recorder, monkeypatch):
    from tests_support import reset

    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "50")
    reset()
    [relay] = stream_mappings(aws_stack, {"RelayFunction": api.function("RelayFunction")})
    base = f"/articles/{ARTICLE}/comments"
    # Submit: published, held, rejected, invalid, idempotent first/replay/conflict, failed inside
    # the idempotent section (Powertools deletes its record), validate
    published = post(api).json
    held = post(api, LINKS).json["comment"]
    assert post(api, "What utter shit.").status == 422
    assert api.call("POST", base, {"name": 1}).status == 422
    assert post(api, "Keyed.", email="k@example.org", headers={"Idempotency-Key": "k1"}).status == 201
    assert post(api, "Keyed.", email="k@example.org", headers={"Idempotency-Key": "k1"}).status == 201
    assert post(api, "Other.", email="k@example.org", headers={"Idempotency-Key": "k1"}).status == 409
    assert (
        post(api, extra={"parentId": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, headers={"Idempotency-Key": "k2"}).status
        == 404
    )
    assert (
        api.call("POST", base + "/validate", {"name": "V", "email": "v@example.org", "body": "Fine."}).status
        == 200
    )
    # Read: pages with a cursor, counts
    post(api)
    page = api.call("GET", base, query="limit=1").json
    assert api.call("GET", base, query=f"limit=1&cursor={page['nextCursor']}").status == 200
    if any(r.path == "/articles/comment-counts" for r in api.routes):
        assert api.call("GET", "/articles/comment-counts", query=f"ids={ARTICLE},other").status == 200
    # Relay: the held comment to the queue, lifecycle events to the bus
    for _ in range(3):
        relay.poll_once()
    # Moderation: depth, claim, release, claim again, renew, detail (with its context), decide
    # with the claim and a ban, reopen (which lifts the ban), article settings, dead letters
    # listed and redriven, export, erase
    mod = {"claims": MODERATOR}
    assert api.call("GET", "/moderation/queue/depth", **mod).status == 200
    [item] = api.call("GET", "/moderation/queue", query="max=10", **mod).json["items"]
    assert (
        api.call("POST", f"/moderation/comments/{held['id']}/release", {"claim": item["claim"]}, **mod).status
        == 200
    )
    [item] = api.call("GET", "/moderation/queue", query="max=10", **mod).json["items"]
    renewed = api.call("POST", f"/moderation/comments/{held['id']}/renew", {"claim": item["claim"]}, **mod)
    assert renewed.status == 200
    assert api.call("GET", f"/moderation/comments/{held['id']}", **mod).status == 200
    decision = {"decision": "reject", "claim": renewed.json["claim"], "banAuthor": True, "note": "spam"}
    assert api.call("POST", f"/moderation/comments/{held['id']}/decision", decision, **mod).status == 200
    # Relay again: the decision moves the author's record and the policy statistics
    for _ in range(3):
        relay.poll_once()
    assert api.call("GET", "/moderation/policy/stats", query="days=7", **mod).status == 200
    reopened = api.call("POST", f"/moderation/comments/{held['id']}/reopen", {"note": "undo"}, **mod)
    assert reopened.status == 200 and reopened.json["banLifted"] is True
    assert api.call("PUT", "/moderation/articles/closed-one", {"closed": True}, **mod).status == 200
    sqs = aws_stack.client("sqs")
    sqs.send_message(QueueUrl=aws_stack.queues["ModerationDeadLetterQueue"], MessageBody="{}")
    assert api.call("GET", "/moderation/dlq", query="max=10", **mod).status == 200
    assert api.call("POST", "/moderation/dlq/redrive", **mod).status == 200
    assert api.call("POST", "/moderation/authors/export", {"email": "k@example.org"}, **mod).status == 200
    assert api.call("POST", "/moderation/authors/erase", {"email": "k@example.org"}, **mod).status == 200
    # Reports: three readers send a published comment back to moderation
    cid = published["comment"]["id"]
    for ip in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        assert api.call("POST", f"{base}/{cid}/reports", {"reason": "rude"}, source_ip=ip).status == 202
    # Author: edit and delete their own comment
    mine = post(api, "My first draft.").json
    token, mid = mine["editToken"], mine["comment"]["id"]
    assert api.call("PATCH", f"{base}/{mid}", {"editToken": token, "body": "My second draft."}).status == 200
    assert api.call("DELETE", f"{base}/{mid}", {"editToken": token}).status == 204

    for function in IAM.FUNCTIONS:
        used = recorder.calls.get(function, set()) | BY_THE_SERVICE.get(function, set())
        allowed = IAM.granted(function)
        # A granted wildcard action ("sqs:SendMessage*") covers what it matches.
        covered = {
            (a, r)
            for a, r in used
            if any(
                r == gr and (a == ga or (ga.endswith("*") and a.startswith(ga[:-1]))) for ga, gr in allowed
            )
        }
        assert used == covered, f"{function} would be denied: {sorted(used - covered)}"
        assert used == IAM.USES[function], (
            f"{function}: used but not in the table: {sorted(used - IAM.USES[function])}; "
            f"in the table but never used: {sorted(IAM.USES[function] - used)}"
        )


def test_the_classifiers_calls_are_exactly_their_conditional_grants(api, aws_stack, recorder, monkeypatch):
    """With ToxicityThreshold and AkismetSecretArn set, submit and edit call Comprehend and read
    the Akismet secret, and the relay reads that secret to report a decision: exactly the grants
    the template adds under HasToxicity and HasAkismet, and nothing else beyond the usual."""
    import json

    import akismet
    import boto3
    from botocore.stub import Stubber
    from comments.adapters import akismet as akismet_adapter
    from comments.adapters.comprehend import ComprehendToxicity
    from tests_support import reset

    # Given both classifiers configured: Comprehend behind a Stubber, Akismet's test client
    client = boto3.client(
        "comprehend",
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        endpoint_url="http://127.0.0.1:9",
    )
    stub = Stubber(client)
    for _ in range(2):
        stub.add_response("detect_toxic_content", {"ResultList": [{"Toxicity": 0.01, "Labels": []}]})
    secret = json.dumps({"key": "k", "blog": "https://news.example.org"})
    arn = aws_stack.client("secretsmanager").create_secret(Name="akismet-iam", SecretString=secret)["ARN"]
    recorder.secrets[arn] = "AkismetSecretArn"
    monkeypatch.setenv("TOXICITY_THRESHOLD", "0.5")
    monkeypatch.setenv("AKISMET_SECRET_ARN", arn)
    monkeypatch.setattr(ComprehendToxicity, "client", property(lambda self: client))

    class Spam(akismet.TestSyncClient):
        comment_check_response = akismet.CheckResponse.SPAM

    monkeypatch.setattr(akismet_adapter, "client_class", Spam)
    # The classifiers run on worker threads: each call is recorded for the function that asked.
    from concurrent.futures import ThreadPoolExecutor

    from comments.adapters.classifiers import ClassifierPanel

    class Pool(ThreadPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):
            name = recorder.current.name

            def named():
                recorder.current.name = name
                return fn(*args, **kwargs)

            return super().submit(named)

    monkeypatch.setattr(ClassifierPanel, "_workers", lambda self: Pool(max_workers=2))
    reset()
    [relay] = stream_mappings(aws_stack, {"RelayFunction": api.function("RelayFunction")})
    mod = {"claims": MODERATOR}
    with stub:
        # When a comment is submitted (held: Akismet calls it spam), edited, approved and relayed
        mine = post(api, "My first draft.").json
        token, mid = mine["editToken"], mine["comment"]["id"]
        edited = api.call(
            "PATCH", f"/articles/{ARTICLE}/comments/{mid}", {"editToken": token, "body": "Second."}
        )
        assert edited.status == 200
        decision = {"decision": "approve"}
        assert api.call("POST", f"/moderation/comments/{mid}/decision", decision, **mod).status == 200
        relay.drain()
    # Then each function's calls beyond its usual ones are exactly its conditional grants
    conditional = {
        "SubmitFunction": {
            ("comprehend:DetectToxicContent", "*"),
            ("secretsmanager:GetSecretValue", "AkismetSecretArn"),
        },
        "AuthorFunction": {
            ("comprehend:DetectToxicContent", "*"),
            ("secretsmanager:GetSecretValue", "AkismetSecretArn"),
        },
        "RelayFunction": {("secretsmanager:GetSecretValue", "AkismetSecretArn")},
    }
    for function, extra in conditional.items():
        used = recorder.calls.get(function, set())
        assert used - IAM.USES[function] == extra, function
        granted = {
            (st["Action"], IAM._ref(st["Resource"]))
            for condition, st in IAM.conditional_grants(function)
            if condition in ("HasToxicity", "HasAkismet")
        }
        assert extra == granted, function
