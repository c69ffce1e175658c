"""Email addresses and phone numbers in a comment body.

Phone numbers are told from years, dates, prices and counts by their shape: an international
number starts with "+" or "00" (8 to 15 digits); a national one starts with a 0 in a group of its
own digits (10 or 11 digits: "020 7946 0958", "0612345678"); a North American one is grouped
3-3-4 ("555-123-4567", "(555) 123-4567"). "1939-1945", "3,000,000" and "01.02.2024" are none
of these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from comments.policy.normalise import MatchText

# All run on the skeleton (ASCII, lower case); possessive where a run could backtrack.
_EMAIL = re.compile(
    r"(?<![a-z0-9._%+-])[a-z0-9._%+-]++@(?:[a-z0-9-]++\.)+[a-z]{2,63}(?![a-z0-9-])"
    r"|(?<![a-z0-9._%+-])[a-z0-9._%+-]++ ?[(\[{<] ?at ?[)\]}>] ?[a-z0-9-]++"
    r"(?: ?(?:[(\[{<] ?dot ?[)\]}>]|\.) ?[a-z0-9-]++)++"
)
# "name (at) example (dot) com", "name [at] example.com"
_SPELLED_AT = re.compile(r"at ?[)\]}>]")
_BRACKETS = ")]}>"
# Starts with a character set, so the engine skips straight to the next digit, "+" or "(".
_PHONE = re.compile(r"[+(0-9](?<![\w+.,/-].)\+?(?:[ .\-()]{0,3}+[0-9])++")
_DATE = re.compile(r"\d{1,2}([./-])\d{1,2}\1\d{2,4}")
_DIGIT_VIEW = bytes(
    0x30 if chr(code).isdigit() else 0x5F if chr(code) in " .-()+" else 0x78 for code in range(256)
)
_EIGHT_DIGITS = re.compile(rb"0(?:_{0,3}+0){7}")


@dataclass(frozen=True, slots=True)
class Found:
    kind: str  # "email" | "phone"
    start: int  # skeleton offsets
    end: int


def find_emails(text: MatchText) -> list[Found]:
    skeleton = text.skeleton
    if "@" not in skeleton and not (any(b in skeleton for b in _BRACKETS) and _SPELLED_AT.search(skeleton)):
        return []
    return [Found("email", m.start(), m.end()) for m in _EMAIL.finditer(skeleton)]


def find_phones(text: MatchText) -> list[Found]:
    # Digits as "0", separators as "_", anything else as "x": eight digits close together show
    # up as a literal search for "0", which prose has few of.
    if not _EIGHT_DIGITS.search(text.ascii.translate(_DIGIT_VIEW)):
        return []
    found = []
    for match in _PHONE.finditer(text.skeleton):
        if _is_phone_number(match.group()):
            found.append(Found("phone", match.start(), match.end()))
    return found


def _is_phone_number(written: str) -> bool:
    if _DATE.match(written.lstrip("(")):
        return False
    groups = re.findall(r"\d+", written)
    digits = "".join(groups)
    if written.startswith(("+", "(+")):
        return 8 <= len(digits) <= 15
    if digits.startswith("00"):
        return 10 <= len(digits) <= 15 and len(groups[0]) >= 2
    if digits.startswith("0"):
        return 10 <= len(digits) <= 11 and len(groups[0]) >= 2
    sizes = [len(group) for group in groups]
    return sizes in ([3, 3, 4], [1, 3, 3, 4])
