"""The author's own comment, within the edit window: edit it (the whole policy runs again, the
stateful rules included, as for a submission) or take it back. Proven by the edit token only the
author received. Pure: storage and keys come in."""

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from comments.domain.errors import EditWindowClosed, Forbidden, NotFound, PolicyViolation
from comments.domain.hmac_keys import HmacKeys
from comments.domain.models import StoredComment, iso, parse_iso
from comments.domain.ports import CommentStore
from comments.domain.stateful_rules import decide, stored_hits

if TYPE_CHECKING:
    from comments.domain.classifiers import Screen, Sender
    from comments.policy.model import Policy

EDITABLE = ("published", "pending")


def _own_comment(
    store: CommentStore,
    keys: HmacKeys,
    policy: "Policy",
    article_id: str,
    comment_id: str,
    token: str,
    now: datetime,
) -> StoredComment:
    comment = store.get(comment_id)
    if comment is None or comment.articleId != article_id or comment.status not in EDITABLE:
        raise NotFound()
    if not comment.editTokenHash or not keys.edit_token_matches(token, comment.editTokenHash):
        raise Forbidden()
    if now > parse_iso(comment.createdAt) + timedelta(minutes=policy.edit_window_minutes):
        raise EditWindowClosed()
    return comment


def edit(
    policy: "Policy",
    store: CommentStore,
    keys: HmacKeys,
    *,
    article_id: str,
    comment_id: str,
    token: str,
    body: str,
    now: datetime,
    screen: "Screen | None" = None,
    sender: "Sender | None" = None,
) -> StoredComment:
    """Run the policy on the new text. A rejection leaves the original as it was; a hold moves a
    published comment back to pending (and so onto the queue); a pending comment stays pending
    until a moderator decides it. The previous text is kept in the history for moderators.

    The stateful rules are those of a submission (`stateful_rules.judge`): the author's ban and
    the article's pre-moderation, each as the policy switches it. The duplicate rule is about
    new comments and does not apply to an edit (no marker is read for it). The author's record
    (`new_author`, `author_history`, trust) and the configured classifiers (`screen`) apply as
    they do to a submission."""
    from comments.policy.engine import evaluate

    comment = _own_comment(store, keys, policy, article_id, comment_id, token, now)
    epoch = int(now.timestamp())
    state, _ = store.submission_state(article_id, comment.authorId, None, epoch)
    engine = evaluate(policy, body=body, name=comment.name)
    verdict = decide(policy, state, engine, now_epoch=epoch)
    if verdict.outcome == "reject":
        raise PolicyViolation([r.model_dump() for r in verdict.reasons()])
    kept = comment.classifiers
    if screen is not None:
        from comments.domain.classifiers import Sender, ToScreen

        screened = screen.screen(
            ToScreen(article_id, comment.id, body, comment.name, sender or Sender(ip=""), iso(now))
        )
        kept = screened.kept() or kept
        if screened.findings:
            verdict = decide(policy, state, engine, now_epoch=epoch, screened=screened)
            if verdict.outcome == "reject":
                raise PolicyViolation([r.model_dump() for r in verdict.reasons()])
    status = "published" if verdict.outcome == "publish" and comment.status == "published" else "pending"
    at = iso(now)
    hits = stored_hits(verdict)
    if comment.status == "pending":
        # Keep what held it (e.g. reader reports) alongside what the new text triggers.
        hits += [h for h in comment.hits if h["rule"] not in {x["rule"] for x in hits}]
    return store.transition(
        comment,
        expect=(comment.status,),
        status=status,
        entry={
            "at": at,
            "event": "edited",
            "status": status,
            "previousBody": comment.body,
            "rules": [h["rule"] for h in hits],
        },
        now=at,
        set_values={
            "body": body,
            "hits": hits,
            "verdict": verdict.outcome,
            "policyVersion": verdict.policy_version,
            **({"classifiers": kept} if kept else {}),
        },
    )


def delete(
    policy: "Policy",
    store: CommentStore,
    keys: HmacKeys,
    *,
    article_id: str,
    comment_id: str,
    token: str,
    now: datetime,
) -> StoredComment:
    """The comment leaves the public list; replies to it stay (readers see a placeholder)."""
    comment = _own_comment(store, keys, policy, article_id, comment_id, token, now)
    at = iso(now)
    return store.transition(
        comment,
        expect=(comment.status,),
        status="deleted",
        entry={"at": at, "event": "deleted", "status": "deleted"},
        now=at,
    )
