"""The pages readers see on `make dev`: the demo article with the comment widget under it, and the
public comment policy generated from the live policy data. Pure functions: they read only the
files under web/ and return HTML. Everything that comes from a file or from policy data is
escaped; the templates' placeholders are filled in one pass, so no value is ever read as markup
or as another placeholder."""

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, Protocol

WEB_DIR = Path(__file__).resolve().parents[2] / "web"
DEMO_ARTICLE_ID = "russia-syria-2017"
ARTICLE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,127}")
_PLACEHOLDER = re.compile(r"\{\{([A-Z_]+)\}\}")
# Lines of the scraped article that are page furniture, not article text: the page renders its own.
_PAGE_FURNITURE = ("add new comment", "read our comment policy")


class RuleExplanation(Protocol):
    rule: str
    title: str
    verdict: Literal["hold", "reject"]
    explanation: str


class PolicyView(Protocol):
    version: str
    edit_window_minutes: int
    report_threshold: int


def fill(template: str, values: Mapping[str, str]) -> str:
    """Replace every `{{NAME}}` with values[NAME] (already HTML) in one pass; a placeholder with
    no value is a bug in the template, so it raises KeyError."""
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


def parse_article(text: str) -> tuple[str, list[str]]:
    """The title (first non-empty line) and the paragraphs (blocks between blank lines) of an
    article text file, without the scraper's leftovers: a paragraph that only repeats the title,
    and the comment-form furniture at the end."""
    blocks = [" ".join(block.split()) for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())]
    blocks = [block for block in blocks if block]
    if not blocks:
        raise ValueError("the article text is empty")
    title, paragraphs = blocks[0], blocks[1:]
    paragraphs = [p for p in paragraphs if p.replace(title, "").strip()]
    while paragraphs and paragraphs[-1].lower().startswith(_PAGE_FURNITURE):
        paragraphs.pop()
    return title, paragraphs


def article_page(api_url: str, article_id: str = DEMO_ARTICLE_ID) -> str:
    """The demo news article (web/article.txt laid out by web/article.html) with the comment
    widget pointed at `api_url` for `article_id`."""
    if not ARTICLE_ID.fullmatch(article_id):
        raise ValueError(f"not a valid article id: {article_id!r}")
    title, paragraphs = parse_article((WEB_DIR / "article.txt").read_text(encoding="utf-8"))
    template = (WEB_DIR / "article.html").read_text(encoding="utf-8")
    body = "\n".join(f"      <p>{html.escape(p, quote=False)}</p>" for p in paragraphs)
    return fill(
        template,
        {
            "TITLE": html.escape(title),
            "BODY_HTML": body,
            "API_URL": html.escape(api_url.rstrip("/"), quote=True),
            "ARTICLE_ID": html.escape(article_id, quote=True),
        },
    )


_OUTCOME = {
    "reject": ("Not published", "You are told why straight away, and your text stays in the form."),
    "hold": ("Held for a moderator", "The comment waits for a moderator and appears only once approved."),
}

_POLICY_TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Comment policy | The Daily Dispatch</title>
<link rel="stylesheet" href="/static/site.css">
<link rel="stylesheet" href="/static/policy.css">
</head>
<body>
<main>
  <p><a href="/">Back to the article</a></p>
  <h1>Comment policy</h1>
  <p class="version">Policy version <strong>{{VERSION}}</strong>. This page is generated from the rules the
  comment service applies, so it always says what the service does.</p>
  <p>We want the comments under our articles to be a place where readers can disagree without
  abuse. Every comment is checked against the rules below the moment it is posted, and the form
  tells you while you type if your comment breaks one of them. When a comment breaks several
  rules, you are told about all of them. A rule that stops a comment outright wins over one that
  sends it to a moderator.</p>

  <h2 id="rules">What we check, and what happens</h2>
  <ul class="rules">
{{RULES}}
  </ul>

  <h2 id="moderation">Moderation</h2>
  <p>A comment held for a moderator is not lost: it waits in a queue until a moderator reads it,
  then it is either published or rejected. Moderators may also ban an author who keeps breaking
  these rules; comments from a banned author are no longer published.</p>

  <h2 id="editing">Editing and deleting your comment</h2>
  <p>For {{EDIT_WINDOW}} after posting, you can edit or delete your own comment from the same
  browser: the comment form keeps a private key for it there. An edit is checked against the same
  rules as a new comment. An edit that breaks a rule is not saved, and your comment stays as it
  was; an edit that needs a moderator's look leaves the page until a moderator approves it. When
  you delete a comment, the replies to it stay.</p>

  <h2 id="reporting">Reporting a comment</h2>
  <p>If you think a published comment breaks these rules, use its <strong>Report</strong> button
  and tell us why. Each reader's report counts once. When {{REPORT_THRESHOLD}} take a comment
  off the page until a moderator has looked at it again.</p>

  <h2 id="privacy">Your details</h2>
  <p>Your name is shown with your comment. Your email address is never shown to readers; we use
  it only to recognise an author for moderation. You can ask us for a copy of your comments, or to
  erase them and your details for good.</p>
</main>
</body>
</html>
"""


def _minutes(n: int) -> str:
    return f"{n} minute" if n == 1 else f"{n} minutes"


def _reports(n: int) -> str:
    return "one reader reports a comment, we" if n == 1 else f"{n} different readers report a comment, we"


def _rule_html(rule: RuleExplanation) -> str:
    outcome, meaning = _OUTCOME.get(rule.verdict, _OUTCOME["hold"])
    return (
        f'    <li class="rule {html.escape(rule.verdict)}" id="rule-{html.escape(rule.rule)}">\n'
        f"      <h3>{html.escape(rule.title)}</h3>\n"
        f"      <p>{html.escape(rule.explanation)}</p>\n"
        f'      <p><span class="outcome">{outcome}.</span> {meaning}</p>\n'
        f"    </li>"
    )


def policy_page(policy: Any, rules: Iterable[RuleExplanation] | None = None) -> str:
    """The public comment policy: each rule in plain words, what happens when a comment breaks
    it, how moderation, editing and reporting work, and the policy version. `rules` defaults to
    `comments.policy.engine.describe(policy)`."""
    if rules is None:
        from comments.policy.engine import describe

        rules = describe(policy)
    explained: Sequence[RuleExplanation] = list(rules)
    return fill(
        _POLICY_TEMPLATE,
        {
            "VERSION": html.escape(str(policy.version)),
            "RULES": "\n".join(_rule_html(rule) for rule in explained),
            "EDIT_WINDOW": html.escape(_minutes(int(policy.edit_window_minutes))),
            "REPORT_THRESHOLD": html.escape(_reports(int(policy.report_threshold))),
        },
    )
