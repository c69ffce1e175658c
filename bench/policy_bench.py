"""How long the policy engine takes per comment, next to better_profanity on the same comments.

    .venv/bin/python -m bench.policy_bench

Comments are realistic mixed English (news-comment sentences, typographic quotes, a few
numbers), each with a few hits (a disguised swear word, an insult, a link), 200 and 2,000
characters long. Each call is timed with time.perf_counter_ns; the figure is the median over
several rounds. better_profanity (0.7) is far slower, so it gets fewer samples. The display name
is the same on every comment, as it is for one commenter: the engine remembers its answer per name
(a name it has not seen costs a few µs more). A second policy adds 10,000 made-up blocked words,
to show what a very long list costs; compiling it happens once, on first use.
"""

from __future__ import annotations

import gc
import json
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from comments.policy.engine import default_policy, evaluate, parse_policy
from comments.policy.model import Policy

_SENTENCES = (
    "The council\u2019s decision to close the library was made without asking a single resident.",
    "I have lived in this town for 32 years and the traffic has never been this bad.",
    "Good reporting, but the article leaves out what the minister actually said in 2019.",
    "Does anyone know whether the new rules apply to people who already have a permit?",
    "This is the third time this year that the trains have been cancelled on a Monday.",
    "My grandmother worked at the factory until it closed in 1984, and she still talks about it.",
    "The figures quoted here don\u2019t add up: 3,000 jobs out of 12,500 is not \u201cmost\u201d of them.",
    "Fair point, although I think the report was written before the budget was announced.",
    "Whoever approved this plan clearly never had to cycle to work in the rain.",
    "We need more nurses, not more managers; everyone on the ward will tell you the same.",
    "Thank you for covering this. Local news matters more than ever.",
    "The school run is chaos already, and another 400 houses will make it worse.",
    "Interesting that the company posted record profits in the same quarter it cut wages.",
    "I voted for them last time, but I won\u2019t be making that mistake again.",
    "Can the paper follow up on what happened to the money raised for the new playground?",
    "Prices at the market have gone up by about 20% since last spring.",
    "The photo of the harbour at sunset is lovely; who took it?",
    "It is not the job of volunteers to fix potholes the council is paid to repair.",
    "Honestly the best thing about this town is the people, whatever the headlines say.",
    "A classic case of announcing the same funding twice and hoping nobody notices.",
)
_HITS = (
    "What a load of sh1t.",
    "Only idiots believe this.",
    "More at https://www.example.org/report/2024 if you\u2019re interested.",
    "Absolute f*cking disgrace.",
    "The whole thing is a scam, see example.co.uk for details.",
)


def comments(length: int, count: int, *, seed: int = 7) -> list[str]:
    """`count` comments of exactly `length` characters, with a few hits (1 if short, 3 if long)."""
    rng = random.Random(seed + length)
    made = []
    for _ in range(count):
        hits = rng.sample(_HITS, 1 if length <= 300 else 3)
        filler: list[str] = []
        while len(" ".join(filler)) < length:
            filler.append(rng.choice(_SENTENCES))
        while True:  # place the hits among the sentences, all of them inside the first `length` characters
            parts = list(filler)
            for hit in hits:
                parts.insert(rng.randrange(len(parts)), hit)
            text = " ".join(parts)
            if all(0 <= text.find(hit) <= length - len(hit) for hit in hits):
                break
        made.append(text[:length])
    return made


def _median_us(check: Callable[[str], Any], texts: list[str], rounds: int) -> float:
    timings = []
    gc.disable()
    try:
        for _ in range(rounds):
            for text in texts:
                start = time.perf_counter_ns()
                check(text)
                timings.append(time.perf_counter_ns() - start)
    finally:
        gc.enable()
    return statistics.median(timings) / 1000


def large_policy(terms: int = 10_000, *, seed: int = 11) -> Policy:
    """The default policy plus `terms` made-up blocked words (5-10 letters, none an English word)."""
    rng = random.Random(seed)
    words: set[str] = set()
    while len(words) < terms:
        words.add(
            "".join(
                rng.choice("bcdfghjklmnpqrstvwxz") + rng.choice("aeiouy") for _ in range(rng.randint(3, 5))
            )
        )
    override = {"version": "bench-10k", "rules": {"profanity": {"extra_terms": sorted(words)}}}
    return parse_policy(json.dumps(override))


def run(*, rounds: int = 7, samples: int = 40, better_profanity_samples: int = 3) -> list[dict[str, Any]]:
    """One row per measurement: what, comment length, median µs per comment."""
    from better_profanity import profanity

    profanity.load_censor_words()
    policy = default_policy()
    rows: list[dict[str, Any]] = []
    start = time.perf_counter_ns()
    big = large_policy()
    evaluate(big, body="warm up", name="")
    rows.append(
        {
            "what": "compile the 10,000-term policy (once)",
            "length": None,
            "median_us": (time.perf_counter_ns() - start) / 1000,
        }
    )
    for length in (200, 2000):
        texts = comments(length, samples)
        for text in texts:  # warm up: compile the policy, load the public-suffix list
            evaluate(policy, body=text, name="Ada")
            evaluate(big, body=text, name="Ada")
        ours = _median_us(lambda text: evaluate(policy, body=text, name="Ada"), texts, rounds)
        ours_big = _median_us(lambda text: evaluate(big, body=text, name="Ada"), texts, rounds)
        theirs = _median_us(profanity.contains_profanity, texts[:better_profanity_samples], 3)
        rows.append({"what": "comments-policy evaluate (default lists)", "length": length, "median_us": ours})
        rows.append(
            {"what": "comments-policy evaluate (10,000-term list)", "length": length, "median_us": ours_big}
        )
        rows.append(
            {
                "what": "better_profanity contains_profanity",
                "length": length,
                "median_us": theirs,
                "ratio": theirs / ours,
            }
        )
    return rows


def main() -> None:
    for row in run():
        length = "" if row["length"] is None else f"{row['length']:>5} chars"
        ratio = f"  ({row['ratio']:,.0f}x the policy engine)" if "ratio" in row else ""
        print(f"{row['what']:<46} {length:>11} {row['median_us']:>14,.1f} µs{ratio}")


if __name__ == "__main__":
    main()
