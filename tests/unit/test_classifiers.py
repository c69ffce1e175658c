"""The optional classifiers, offline: Amazon Comprehend through botocore's Stubber (and a local
server that never answers, for a timeout), Akismet through the `akismet` package's own test
clients (and httpx mock transports, for its faults). A classifier that fails or runs out of time
says nothing: the comment goes on, judged by the rules alone, and one metric and one log line
say so."""

import json
import socket
import threading
from pathlib import Path

import akismet
import boto3
import httpx
import pytest
from botocore.stub import Stubber
from comments.adapters import akismet as akismet_adapter
from comments.adapters.akismet import AkismetSpam
from comments.adapters.classifiers import ClassifierPanel
from comments.adapters.comprehend import ComprehendToxicity, segments
from comments.domain.classifiers import ClassifierUnavailable, Finding, Sender, ToScreen

ROOT = Path(__file__).resolve().parents[2]
COMMENT = ToScreen(
    article_id="budget-2026",
    comment_id="01JD6Z3YQ2W7V9K8M4N5P6R7S8",
    body="You are all idiots and I hope you suffer.",
    name="Robin",
    sender=Sender(ip="198.51.100.7", user_agent="Mozilla/5.0 (X11; Linux x86_64)"),
    created_at="2026-11-28T10:00:00.000Z",
)
SECRET = json.dumps({"key": "abc123def456", "blog": "https://news.example.org"}).encode()


def comprehend_client(endpoint: str = "http://127.0.0.1:9", timeout: float = 1.0):
    from botocore.config import Config

    return boto3.client(
        "comprehend",
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        endpoint_url=endpoint,
        config=Config(connect_timeout=timeout, read_timeout=timeout, retries={"total_max_attempts": 1}),
    )


def scored(toxicity: float, **labels: float) -> dict:
    return {"Toxicity": toxicity, "Labels": [{"Name": n, "Score": s} for n, s in labels.items()]}


# --- Comprehend ---------------------------------------------------------------------------------


def test_comprehend_scores_at_or_above_the_threshold_flag_the_comment_with_its_labels():
    client = comprehend_client()
    classifier = ComprehendToxicity(0.6, 1.0, client=client)
    with Stubber(client) as stub:
        stub.add_response(
            "detect_toxic_content",
            {"ResultList": [scored(0.91, INSULT=0.88, VIOLENCE_OR_THREAT=0.64, PROFANITY=0.12)]},
            {"TextSegments": [{"Text": COMMENT.body}], "LanguageCode": "en"},
        )
        finding = classifier.classify(COMMENT)
    assert finding == Finding("toxicity", True, ("INSULT", "VIOLENCE_OR_THREAT"), said="0.91")


def test_comprehend_below_the_threshold_flags_nothing():
    client = comprehend_client()
    with Stubber(client) as stub:
        stub.add_response("detect_toxic_content", {"ResultList": [scored(0.31, INSULT=0.35)]})
        finding = ComprehendToxicity(0.6, 1.0, client=client).classify(COMMENT)
    assert (finding.flagged, finding.labels) == (False, ())


def test_a_long_comment_is_sent_in_segments_comprehend_accepts():
    body = ("Ünïcode wörds " * 600).strip()
    pieces = segments(body)
    assert 1 < len(pieces) <= 10
    assert all(len(p.encode("utf-8")) <= 1000 for p in pieces)
    assert " ".join(pieces) == body[: len(" ".join(pieces))]


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("ThrottlingException", "throttled"),
        ("TooManyRequestsException", "throttled"),
        ("AccessDeniedException", "bad_key"),
        ("UnrecognizedClientException", "bad_key"),
        ("InternalServerException", "error"),
        ("TextSizeLimitExceededException", "error"),
    ],
)
def test_comprehend_faults_are_unavailability_with_their_reason(code, reason):
    client = comprehend_client()
    with Stubber(client) as stub:
        stub.add_client_error("detect_toxic_content", code)
        with pytest.raises(ClassifierUnavailable) as raised:
            ComprehendToxicity(0.5, 1.0, client=client).classify(COMMENT)
    assert raised.value.reason == reason


@pytest.fixture
def silent_server():
    """A local server that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_comprehend_that_does_not_answer_in_its_budget_is_a_timeout(silent_server):
    classifier = ComprehendToxicity(0.5, 0.3, client=comprehend_client(silent_server, timeout=0.3))
    with pytest.raises(ClassifierUnavailable) as raised:
        classifier.classify(COMMENT)
    assert raised.value.reason == "timeout"


# --- Akismet ------------------------------------------------------------------------------------


class SpamClient(akismet.TestSyncClient):
    comment_check_response = akismet.CheckResponse.SPAM


class DiscardClient(akismet.TestSyncClient):
    comment_check_response = akismet.CheckResponse.DISCARD


class HamClient(akismet.TestSyncClient):
    comment_check_response = akismet.CheckResponse.HAM


@pytest.mark.parametrize(
    ("client", "flagged", "said"),
    [(SpamClient, True, "spam"), (DiscardClient, True, "discard"), (HamClient, False, "ham")],
)
def test_akismet_answers_through_the_packages_test_clients(monkeypatch, client, flagged, said):
    monkeypatch.setattr(akismet_adapter, "client_class", client)
    finding = AkismetSpam(lambda: SECRET, 1.0).classify(COMMENT)
    assert finding == Finding("akismet", flagged, said=said)


def test_akismet_is_sent_the_ip_and_user_agent_at_request_time(monkeypatch):
    # Given Akismet behind a transport that records what it is sent
    sent: list[dict] = []

    def answer(request: httpx.Request) -> httpx.Response:
        from urllib.parse import parse_qs

        sent.append({k: v[0] for k, v in parse_qs(request.content.decode()).items()})
        return httpx.Response(200, text="false")

    monkeypatch.setattr(akismet_adapter, "transport", httpx.MockTransport(answer))
    # When a comment is checked
    finding = AkismetSpam(lambda: SECRET, 1.0).classify(COMMENT)
    # Then Akismet got the text, the name, the IP and the User-Agent (kept by nobody after)
    assert finding.said == "ham"
    [form] = sent
    assert form["user_ip"] == "198.51.100.7" and form["user_agent"].startswith("Mozilla/5.0")
    assert (form["comment_content"], form["comment_author"], form["comment_type"]) == (
        COMMENT.body,
        "Robin",
        "comment",
    )
    assert form["api_key"] == "abc123def456" and form["blog"] == "https://news.example.org"


def faulty(monkeypatch, handler) -> AkismetSpam:
    monkeypatch.setattr(akismet_adapter, "transport", httpx.MockTransport(handler))
    return AkismetSpam(lambda: SECRET, 0.5)


def timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("no answer", request=request)


@pytest.mark.parametrize(
    ("handler", "reason"),
    [
        (timeout, "timeout"),
        (lambda r: httpx.Response(503, text="busy"), "throttled"),
        (lambda r: httpx.Response(429, text="slow down"), "throttled"),
        (lambda r: httpx.Response(200, text="invalid"), "bad_key"),  # Akismet refuses the key
        (lambda r: httpx.Response(200, text="maybe"), "error"),
        (lambda r: httpx.Response(500, text="oops"), "error"),
    ],
)
def test_akismet_faults_are_unavailability_with_their_reason(monkeypatch, handler, reason):
    with pytest.raises(ClassifierUnavailable) as raised:
        faulty(monkeypatch, handler).classify(COMMENT)
    assert raised.value.reason == reason


@pytest.mark.parametrize(
    "secret", [b"not json", b'{"key": "k"}', b'{"key": "k", "blog": "news.example.org"}']
)
def test_a_secret_that_is_not_a_key_and_a_site_is_a_bad_key(secret):
    with pytest.raises(ClassifierUnavailable) as raised:
        AkismetSpam(lambda: secret, 0.5).classify(COMMENT)
    assert raised.value.reason == "bad_key"


def test_a_moderators_decision_is_reported_as_ham_or_spam_without_an_ip(monkeypatch):
    paths: list[tuple[str, str]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        from urllib.parse import parse_qs

        form = parse_qs(request.content.decode(), keep_blank_values=True)
        paths.append((request.url.path, form["user_ip"][0]))
        return httpx.Response(200, text="Thanks for making the web a better place.")

    monkeypatch.setattr(akismet_adapter, "transport", httpx.MockTransport(answer))
    classifier = AkismetSpam(lambda: SECRET, 0.5)
    classifier.report("ham", body="Fine words.", name="Robin", created_at="2026-11-28T10:00:00.000Z")
    classifier.report("spam", body="Buy now.", name="Robin", created_at="2026-11-28T10:00:00.000Z")
    assert paths == [("/1.1/submit-ham", ""), ("/1.1/submit-spam", "")]


# --- the panel: budgets, misses logged and counted ----------------------------------------------


class Slow:
    name = "toxicity"
    budget_seconds = 0.05

    def __init__(self) -> None:
        self.release = threading.Event()

    def classify(self, comment: ToScreen) -> Finding:
        self.release.wait(5)
        return Finding("toxicity", True, ("INSULT",))


class Answers:
    name = "akismet"
    budget_seconds = 1.0

    def __init__(self, outcome: Finding | Exception) -> None:
        self.outcome = outcome

    def classify(self, comment: ToScreen) -> Finding:
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


def test_a_classifier_past_its_budget_is_left_behind_and_the_others_still_answer():
    # Given a classifier that does not answer within its budget, and one that does
    slow = Slow()
    missed: list[tuple[str, str]] = []
    panel = ClassifierPanel(
        [slow, Answers(Finding("akismet", True, said="spam"))], lambda n, r: missed.append((n, r))
    )
    # When a comment is screened
    screened = panel.screen(COMMENT)
    slow.release.set()
    # Then the answer that came is kept, the slow one counts as a timeout, and it is reported
    assert screened.findings == (Finding("akismet", True, said="spam"),)
    assert screened.unavailable == (("toxicity", "timeout"),) == tuple(missed)


def test_a_failing_classifier_says_nothing_and_is_reported_with_its_reason():
    missed: list[tuple[str, str]] = []
    panel = ClassifierPanel(
        [Answers(ClassifierUnavailable("throttled")), Answers(RuntimeError("boom"))],
        lambda n, r: missed.append((n, r)),
    )
    screened = panel.screen(COMMENT)
    assert screened.findings == () and missed == [("akismet", "throttled"), ("akismet", "error")]


def test_a_miss_is_one_log_line_and_one_metric_without_the_comment(capsys, caplog):
    from comments.adapters.classifiers import report_unavailable

    report_unavailable("akismet", "bad_key")
    out = capsys.readouterr().out
    [line] = [r for r in caplog.records if r.name.endswith(".classifiers")]
    assert line.levelname == "WARNING" and (line.classifier, line.reason) == ("akismet", "bad_key")
    assert "rules alone decided" in line.getMessage()
    [metric] = [json.loads(line) for line in out.splitlines() if '"_aws"' in line]
    assert metric["ClassifierUnavailable"] == [1.0] and (metric["classifier"], metric["reason"]) == (
        "akismet",
        "bad_key",
    )
    assert "abc123" not in out and COMMENT.body not in out and "198.51.100.7" not in out


def test_nothing_of_the_classifiers_is_imported_unless_configured():
    # Given a fresh interpreter with the submit function loaded and its runtime asked for them
    import subprocess
    import sys

    code = (
        "import importlib.util, sys\n"
        "spec = importlib.util.spec_from_file_location('app', 'functions/submit/app.py')\n"
        "spec.loader.exec_module(importlib.util.module_from_spec(spec))\n"
        "from comments.api.runtime import Runtime, Settings\n"
        "assert Runtime(Settings(TABLE_NAME='t')).screen() is None\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('akismet', 'httpx') or 'comprehend' in m\n"
        "          or m in ('comments.adapters.classifiers', 'comments.domain.classifiers')]\n"
        "assert loaded == [], loaded\n"
        "rt = Runtime(Settings(TABLE_NAME='t', TOXICITY_THRESHOLD='0.5'))\n"
        "assert rt.classifiers() == ['toxicity'] and 'akismet' not in sys.modules\n"
    )
    env = {"POWERTOOLS_SERVICE_NAME": "comments", "AWS_DEFAULT_REGION": "us-east-1"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
        timeout=60,
    )
    # Then neither Akismet's client, httpx, nor the Comprehend adapter was imported; configured,
    # only the classifier asked for is
    assert result.returncode == 0, result.stderr


def test_the_relay_reports_decisions_to_akismet_within_its_budget_and_counts_what_it_left_out(monkeypatch):
    # Given three decisions to report, and each report taking two seconds (a fake clock)
    from comments.api import relay as relay_api
    from comments.api import runtime
    from comments.domain.relay import Feedback
    from tests_support import stored_comment

    sent, missed, clock = [], [], iter([0.0, 0.0, 2.0, 4.0])

    class Akismet:
        def report(self, verdict: str, **_: str) -> None:
            sent.append(verdict)

    rt = runtime.Runtime(runtime.Settings(TABLE_NAME="t"))
    monkeypatch.setattr(rt, "akismet", lambda: Akismet())
    monkeypatch.setattr("time.monotonic", lambda: next(clock))
    monkeypatch.setattr(
        "comments.adapters.classifiers.report_unavailable", lambda c, r: missed.append((c, r))
    )
    runtime.use(rt)
    try:
        # When the relay reports them with its 3-second budget
        result = relay_api.report_decisions(
            [Feedback("akismet", v, stored_comment()) for v in ("ham", "spam", "ham")]
        )
    finally:
        runtime.use(None)
    # Then the first two are sent, the third is left out and counted as a timeout
    assert (sent, result, missed) == (["ham", "spam"], (2, 1), [("akismet", "timeout")])
