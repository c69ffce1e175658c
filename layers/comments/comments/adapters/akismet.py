"""The `akismet` classifier, through the `akismet` package (PyPI): on when the template's
AkismetSecretArn names a secret holding `{"key": "<Akismet API key>", "blog": "https://<site>"}`.

A submission is checked with the client's IP and User-Agent, sent at request time and never
stored; Akismet's answer ("spam", "ham", "discard") is kept on the comment, so that a
moderator's decision can be reported back (`report`: approved -> submit-ham, rejected ->
submit-spam, from the change stream). What was never stored cannot be sent then: the feedback
carries the text, the name and the time, not the IP.

Imported only when configured. Each call gives up within the time budget (httpx timeouts);
a timeout, Akismet's 429/5xx, or a key it refuses is `ClassifierUnavailable`. The key never
reaches a log line (the package's own configuration errors print it: they are not logged).
"""

import json
from collections.abc import Callable
from typing import Any

from comments.domain.classifiers import ClassifierUnavailable, Finding, ToScreen

#: The client class (tests put the package's TestSyncClient here) and the HTTP transport (tests
#: put an httpx.MockTransport here to inject faults); None: the package's SyncClient, the network.
client_class: Any = None
transport: Any = None


def config_of(raw: bytes) -> tuple[str, str]:
    """(key, blog URL) from the secret's JSON; ClassifierUnavailable("bad_key") if it is not that."""
    try:
        values = json.loads(raw)
        key, blog = str(values["key"]), str(values["blog"])
    except (ValueError, KeyError, TypeError):
        raise ClassifierUnavailable("bad_key") from None
    if not key or not blog.startswith(("https://", "http://")):
        raise ClassifierUnavailable("bad_key")
    return key, blog


class AkismetSpam:
    name = "akismet"

    def __init__(self, secret: Callable[[], bytes], budget_seconds: float) -> None:
        self._secret = secret
        self.budget_seconds = budget_seconds
        self._client: Any = None

    def client(self) -> Any:
        """The Akismet client, built on first use from the secret (read once per container; a
        secret that cannot be read is tried again on the next comment)."""
        if self._client is None:
            import akismet
            import httpx

            try:
                key, blog = config_of(self._secret())
            except ClassifierUnavailable:
                raise
            except Exception:
                raise ClassifierUnavailable("bad_key") from None
            http = httpx.Client(
                headers={"User-Agent": akismet.USER_AGENT},
                timeout=httpx.Timeout(self.budget_seconds),
                transport=transport,
            )
            make = client_class or akismet.SyncClient
            self._client = make(config=akismet.Config(key=key, url=blog), http_client=http)
        return self._client

    def _call(self, method: str, **arguments: Any) -> Any:
        import akismet
        import httpx

        try:
            return getattr(self.client(), method)(**arguments)
        except akismet.ConfigurationError:  # APIKeyError too: the key or blog URL refused
            raise ClassifierUnavailable("bad_key") from None
        except akismet.RequestError as exc:
            cause = exc.__cause__
            if isinstance(cause, httpx.TimeoutException):
                raise ClassifierUnavailable("timeout") from None
            if isinstance(cause, httpx.HTTPStatusError) and cause.response.status_code in (429, 503):
                raise ClassifierUnavailable("throttled") from None
            raise ClassifierUnavailable("error") from None
        except akismet.AkismetError:
            raise ClassifierUnavailable("error") from None

    def classify(self, comment: ToScreen) -> Finding:
        import akismet

        answer = self._call(
            "comment_check",
            user_ip=comment.sender.ip,
            user_agent=comment.sender.user_agent,
            comment_type="comment",
            comment_author=comment.name,
            comment_content=comment.body,
            comment_date_gmt=comment.created_at,
        )
        said = {akismet.CheckResponse.SPAM: "spam", akismet.CheckResponse.DISCARD: "discard"}.get(
            answer, "ham"
        )
        return Finding("akismet", said != "ham", said=said)

    def report(self, verdict: str, *, body: str, name: str, created_at: str) -> None:
        """Tell Akismet what a moderator decided: "ham" (approved) or "spam" (rejected)."""
        self._call(
            "submit_ham" if verdict == "ham" else "submit_spam",
            user_ip="",
            comment_type="comment",
            comment_author=name,
            comment_content=body,
            comment_date_gmt=created_at,
        )
