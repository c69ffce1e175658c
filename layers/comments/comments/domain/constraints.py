"""What a request field may hold, each rule stated once: as JSON Schema keywords (`pattern`,
`minLength`, `maxLength`) that the field's validator enforces and that the model's JSON Schema
publishes, so `/openapi.json` (generated from the request models) says exactly what the
functions check. Patterns are written for both readings a client may use: ECMA-262 (JSON
Schema's) and Python's `re` (explicit character classes with `\\uXXXX` escapes, no `\\s` or
`\\d`, anchored `^...$`); the validator applies them as a full match, which is ECMA's `^...$`.

Apart from the request models (`requests`) so that the stored models (`models`, whose article
settings take a time) use them without building every request model at import.
"""

import re
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StrictInt, StrictStr

# Control characters (Unicode category Cc), lone surrogates (Cs) and the bidi embedding, override
# and isolate controls: invisible, and used to make text read differently from what is stored
# (Trojan Source).
# Lone surrogates are refused too, but outside the patterns: they are not Unicode text, so a JSON
# Schema (whose strings are Unicode) cannot name them, and a JSON Schema engine in a UTF-8
# language refuses a pattern that does.
_OTHER_CONTROLS = r"\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_SURROGATES = r"[\ud800-\udfff]"
_ALL_CONTROLS = rf"\x00-\x0a{_OTHER_CONTROLS}"  # names, emails
_CONTROLS_BUT_TAB_NEWLINE = rf"\x00-\x08{_OTHER_CONTROLS}"  # free text and comment bodies
# What str.strip() takes away (str.isspace), less what is refused as a control anyway.
_SPACES = r"\x20\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"

#: Free text: anything but control characters (tab and newline allowed).
FREE_TEXT_PATTERN = rf"^[^{_CONTROLS_BUT_TAB_NEWLINE}]*$"
#: A comment body: free text with at least one character that is not white space.
BODY_PATTERN = (
    rf"^[\t\n{_SPACES}]*[^{_CONTROLS_BUT_TAB_NEWLINE}\t\n{_SPACES}][^{_CONTROLS_BUT_TAB_NEWLINE}]*$"
)
#: A display name: no control characters at all (not even tab or newline), not only white space.
NAME_PATTERN = rf"^[{_SPACES}]*[^{_ALL_CONTROLS}{_SPACES}][^{_ALL_CONTROLS}]*$"
# An email address in its common ASCII form, every one of which email-validator accepts (a unit
# test draws thousands to hold it so): a dot-atom local part; a domain of labels of letters,
# digits and inner hyphens (at most 63, none with `--` in third and fourth place: no IDNA
# labels) and a top-level domain of letters that is not a special-use name.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_LABEL = r"(?![A-Za-z0-9]{2}--)(?=[A-Za-z0-9-]{1,63}\.)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_SPECIAL_USE = "|".join(
    "".join(f"[{c.upper()}{c}]" for c in name)
    for name in ("arpa", "invalid", "local", "localhost", "onion", "test")
)
# Spaces around it are allowed (a form's input as typed) and not part of the address.
EMAIL_PATTERN = rf"^ *{_ATEXT}+(?:\.{_ATEXT}+)*@(?:{_LABEL}\.)+(?!(?:{_SPECIAL_USE}) *$)[A-Za-z]{{2,63}} *$"
EMAIL_MAX = 254
NAME_MAX = 80
# A time with its offset from UTC (ISO 8601 / RFC 3339, years 1900-2999, every date real):
_YEAR = "(?:19|2[0-9])[0-9]{2}"
_MONTH_DAY = (
    "(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    "|02-(?:0[1-9]|1[0-9]|2[0-8]))"
)
_LEAP_DAY = "(?:(?:19|2[0-9])(?:0[48]|[2468][048]|[13579][26])|2[048]00)-02-29"
TIME_PATTERN = (
    rf"^(?:{_YEAR}-{_MONTH_DAY}|{_LEAP_DAY})T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{{1,6}})?"
    "(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$"
)


@dataclass(frozen=True)
class TextRule:
    """A string field's rule as JSON Schema states it; `check` enforces it (with a message a
    writer can act on), and the field's JSON Schema carries it (`__get_pydantic_json_schema__`)."""

    pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    message: str = "is not valid"
    controls: str | None = None  # the control characters the pattern refuses (for the message)
    strip: bool = False  # the value is stored without surrounding white space
    _compiled: Any = field(default=None, repr=False, compare=False)

    def check(self, value: str) -> str:
        if self.max_length is not None and len(value) > self.max_length:
            raise ValueError(f"must be at most {self.max_length} characters")
        if self.min_length is not None and len(value) < self.min_length:
            raise ValueError(
                "must not be empty" if self.min_length == 1 else f"must be at least {self.min_length}"
            )
        if self.pattern is not None:
            if self._compiled is None:  # compiled on first use: nothing at import (cold start)
                object.__setattr__(self, "_compiled", re.compile(self.pattern))
            if self._compiled.fullmatch(value) is None:
                raise ValueError(self._why(value))
        if re.search(_SURROGATES, value):
            raise ValueError("must not contain control characters")
        return value.strip() if self.strip else value

    def _why(self, value: str) -> str:
        if self.controls is not None and re.search(f"[{self.controls}]", value):
            return "must not contain control characters"
        return self.message

    def keywords(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.min_length is not None:
            out["minLength"] = self.min_length
        if self.max_length is not None:
            out["maxLength"] = self.max_length
        if self.pattern is not None:
            out["pattern"] = self.pattern
        return out

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> dict[str, Any]:
        schema: dict[str, Any] = handler(core_schema)
        schema.update(self.keywords())
        return schema


def text(rule: TextRule, *extra: Any) -> Any:
    """A string field that follows `rule` (and then `extra` validators), publishing it."""
    return Annotated[StrictStr, AfterValidator(rule.check), *extra, rule]


def free_text(min_length: int | None = None, max_length: int | None = None) -> TextRule:
    return TextRule(
        FREE_TEXT_PATTERN, min_length, max_length, "is not valid", controls=_CONTROLS_BUT_TAB_NEWLINE
    )


NAME = TextRule(NAME_PATTERN, 1, NAME_MAX, "must not be empty", controls=_ALL_CONTROLS, strip=True)
BODY = TextRule(BODY_PATTERN, 1, None, "must not be empty", controls=_CONTROLS_BUT_TAB_NEWLINE)
EMAIL = TextRule(
    EMAIL_PATTERN, 1, EMAIL_MAX, "is not a valid email address", controls=_ALL_CONTROLS, strip=True
)

PAGE_TITLE_MAX = 300
PAGE_URL_MAX = 2048
#: The embedding page's title: a name's rule (no control characters, not only white space).
PAGE_TITLE = TextRule(
    NAME_PATTERN, 1, PAGE_TITLE_MAX, "must not be empty", controls=_ALL_CONTROLS, strip=True
)
#: The embedding page's canonical URL: https, no white space, control characters or #fragment
#: (the origin is checked against the site's allowed origins by the request's validator).
PAGE_URL = TextRule(
    rf"^https://[^#{_ALL_CONTROLS}{_SPACES}]+$",
    9,
    PAGE_URL_MAX,
    "must be a canonical https URL (no spaces, control characters or #fragment)",
)


def origin(url: str) -> str | None:
    """`scheme://host[:port]` of a URL, lower case, without the scheme's default port; None for
    anything that is not an absolute http(s) URL with a host."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    default = 443 if scheme == "https" else 80
    return f"{scheme}://{parts.hostname}" + (f":{port}" if port not in (None, default) else "")


def page_url_pattern(origins: "tuple[str, ...] | list[str]") -> str:
    """PAGE_URL's pattern narrowed to the site's https origins, for the published document of one
    deployment: what the validator accepts for `page.url` with these origins (the site's
    AllowedOrigins), and nothing else. Host letters match in either case and a port with
    leading zeros or none after its colon, as the validator compares `origin()`s; no https
    origin: nothing matches."""
    hosts = []
    for given in origins:
        normal = origin(given)
        if normal is None or not normal.startswith("https://"):
            continue
        host, _, port = normal.removeprefix("https://").partition(":")
        if not re.fullmatch(r"[a-z0-9.-]+", host):
            continue  # not a name a site is served from (an IPv6 literal, say): left out
        spelled = "".join(f"[{c}{c.upper()}]" if c.isalpha() else "\\." if c == "." else c for c in host)
        hosts.append(spelled + (f":0*{port}" if port else "(?::(?:0*443)?)?"))
    if not hosts:
        return "^(?!)$"
    return rf"^https://(?:{'|'.join(hosts)})(?:[/?][^#{_ALL_CONTROLS}{_SPACES}]*)?$"


TIME = TextRule(
    TIME_PATTERN, message="must be an ISO 8601 time with its offset, such as 2026-11-28T09:00:00Z"
)


def _whole(value: Any) -> Any:
    # JSON Schema's "integer" is any number with no fraction (5.0 is one); a string is not.
    return int(value) if isinstance(value, float) and value.is_integer() else value


def whole_number(ge: int, le: int) -> Any:
    """A JSON integer from `ge` to `le`: 5 or 5.0, never "5" or true (the bounds inside, so that
    the JSON Schema states them as minimum and maximum)."""
    return Annotated[StrictInt, Field(ge=ge, le=le), BeforeValidator(_whole)]
