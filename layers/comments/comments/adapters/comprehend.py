"""The `toxicity` classifier: Amazon Comprehend's DetectToxicContent (English), on when the
template's ToxicityThreshold is above 0. A comment scored at or above the threshold is held; the
labels at or above it (INSULT, HATE_SPEECH, ...) become the reason's words (policy data
`rules.toxicity.labels`).

Imported only when configured. The client gives up within the time budget (one attempt, connect
and read timeouts of the budget): a throttled, slow or refused call is `ClassifierUnavailable`.
"""

from typing import Any

from comments.domain.classifiers import ClassifierUnavailable, Finding, ToScreen

#: DetectToxicContent's limits: at most 10 segments of at most 1 KB (UTF-8) each.
MAX_SEGMENTS = 10
SEGMENT_BYTES = 1000
_THROTTLED = frozenset({"ThrottlingException", "TooManyRequestsException", "LimitExceededException"})
_REFUSED = frozenset(
    {
        "AccessDeniedException",
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "ExpiredTokenException",
    }
)


def segments(text: str) -> list[str]:
    """The text in pieces Comprehend accepts, cut between words where it can (whatever is past
    ten pieces is not scored: 10 KB is twice the longest comment in ASCII)."""
    pieces: list[str] = []
    rest = text.strip()
    while rest and len(pieces) < MAX_SEGMENTS:
        encoded = rest.encode("utf-8")
        if len(encoded) <= SEGMENT_BYTES:
            pieces.append(rest)
            break
        head = encoded[:SEGMENT_BYTES].decode("utf-8", "ignore")
        cut = head.rfind(" ")
        piece = head[:cut] if cut > SEGMENT_BYTES // 2 else head
        pieces.append(piece)
        rest = rest[len(piece) :].lstrip()
    return pieces or ["."]


class ComprehendToxicity:
    name = "toxicity"

    def __init__(
        self, threshold: float, budget_seconds: float, session: Any = None, client: Any = None
    ) -> None:
        self.threshold = threshold
        self.budget_seconds = budget_seconds
        self._session = session
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            from comments.adapters import aws

            self._client = aws.client(
                "comprehend",
                self._session,
                retries={"mode": "standard", "total_max_attempts": 1},
                connect_timeout=self.budget_seconds,
                read_timeout=self.budget_seconds,
            )
        return self._client

    def classify(self, comment: ToScreen) -> Finding:
        from botocore.exceptions import (
            ClientError,
            ConnectTimeoutError,
            EndpointConnectionError,
            ReadTimeoutError,
        )

        try:
            reply = self.client.detect_toxic_content(
                TextSegments=[{"Text": piece} for piece in segments(comment.body)], LanguageCode="en"
            )
        except (ConnectTimeoutError, ReadTimeoutError):
            raise ClassifierUnavailable("timeout") from None
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in _THROTTLED:
                raise ClassifierUnavailable("throttled") from None
            if code in _REFUSED:
                raise ClassifierUnavailable("bad_key") from None
            raise ClassifierUnavailable("error") from None
        except EndpointConnectionError:
            raise ClassifierUnavailable("error") from None
        return self.finding(reply.get("ResultList") or [])

    def finding(self, results: list[dict[str, Any]]) -> Finding:
        """Flagged when a segment's toxicity reaches the threshold; its labels that reach it
        (or else its strongest label) say what was found, strongest first."""
        score = max((float(r.get("Toxicity") or 0) for r in results), default=0.0)
        strongest: dict[str, float] = {}
        for result in results:
            for label in result.get("Labels") or []:
                name, value = str(label.get("Name", "")), float(label.get("Score") or 0)
                if name and value > strongest.get(name, -1.0):
                    strongest[name] = value
        flagged = score >= self.threshold
        ranked = sorted(strongest, key=lambda n: -strongest[n])
        labels: list[str] = []
        if flagged:
            labels = [n for n in ranked if strongest[n] >= self.threshold] or ranked[:1]
        return Finding("toxicity", flagged, tuple(labels), said=f"{score:.2f}")
