"""Keys derived from the service secret: author identity, client identity, cursors, claims and
edit tokens.

Pure: the secret comes in (the runtime reads it from Secrets Manager, or locally from the
environment); nothing here does I/O. Each purpose gets its own key (HMAC of the purpose with the
root), so a leak of one derived value reveals nothing about another.

**Key versions** (rotation without losing what the old key made; docs/security.md has the
procedure). The secret is either one root key (a plain string: version 1, as the template
generates it) or a JSON object naming every version and the current one:

    {"current": 2, "keys": {"1": "<the first root key>", "2": "<a new root key>"}}

New values are made with the current version; every value carries the version that made it,
so the version is kept with what it keyed: a value of version 1 is written as it always was (no
mark: data and tokens from before versions existed keep working unchanged), a value of version
N > 1 ends in `.N` (`<hash>.2`, `<token>.2`, `<payload>.<mac>.2`). Checking a token or a
signature uses the version it names; a lookup by email (bans, duplicate markers, export,
erasure) asks for the author id under every version (`author_ids`). A version that is no longer
in the secret verifies nothing: its tokens and signatures are refused like forged ones, and its
keyed hashes can no longer be found by email.
"""

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping

LEGACY_VERSION = 1  # a value with no version mark was made with version 1


class HmacKeys:
    """Every keyed hash and signature the service makes, from the secret's versioned roots.
    `HmacKeys(root)` is one version (1); `HmacKeys.from_secret(text)` reads the secret's form."""

    def __init__(
        self,
        root: bytes | None = None,
        *,
        versions: Mapping[int, bytes] | None = None,
        current: int | None = None,
    ) -> None:
        roots = dict(versions or {})
        if root is not None:
            roots.setdefault(LEGACY_VERSION, root)
        if not roots or any(not r for r in roots.values()):
            raise ValueError("the service secret is empty")
        self.current = max(roots) if current is None else current
        if self.current not in roots:
            raise ValueError(f"the current key version {self.current} is not among the keys")
        self._roots = roots
        # Every other version, newest first: what a lookup by email also asks for.
        self.older = tuple(sorted((v for v in roots if v != self.current), reverse=True))
        self.first = min(roots)  # for ids that must not change with a rotation
        self._keys: dict[tuple[str, int], bytes] = {}

    @classmethod
    def from_secret(cls, secret: str | bytes) -> "HmacKeys":
        """A plain string is the one root key (version 1); a JSON object names its versions."""
        text = secret.decode() if isinstance(secret, bytes) else secret
        if not text.lstrip().startswith("{"):
            return cls(text.encode())
        try:
            doc = json.loads(text)
            versions = {int(v): str(k).encode() for v, k in dict(doc["keys"]).items()}
            current = int(doc["current"])
        except (ValueError, KeyError, TypeError, AttributeError):
            raise ValueError(
                'the service secret is JSON but not {"current": N, "keys": {"N": "<key>", ...}}'
            ) from None
        if any(v < 1 for v in versions):
            raise ValueError("key versions are whole numbers from 1")
        return cls(versions=versions, current=current)

    @property
    def versions(self) -> tuple[int, ...]:
        """Every version this secret holds, the current one first."""
        return (self.current, *self.older)

    # -- the version mark ------------------------------------------------------------------------
    @staticmethod
    def _mark(value: str, version: int) -> str:
        return value if version == LEGACY_VERSION else f"{value}.{version}"

    @staticmethod
    def version_of(value: str) -> tuple[str, int]:
        """(the value without its mark, the version that made it)."""
        body, dot, mark = value.rpartition(".")
        if dot and mark.isascii() and mark.isdigit() and mark[0] != "0":
            return body, int(mark)
        return value, LEGACY_VERSION

    # -- keys --------------------------------------------------------------------------------------
    def _key(self, purpose: str, version: int) -> bytes:
        key = self._keys.get((purpose, version))
        if key is None:
            root = self._roots[version]
            key = self._keys[(purpose, version)] = hmac.new(root, purpose.encode(), hashlib.sha256).digest()
        return key

    def _mac(self, purpose: str, message: str, version: int) -> bytes:
        # hmac.digest: OpenSSL's one-shot HMAC, the same bytes as hmac.new(...).digest() without
        # building an HMAC object in Python (a few µs on each of a submission's keyed hashes).
        return hmac.digest(self._key(purpose, version), message.encode(), "sha256")

    # -- identities ----------------------------------------------------------------------------------
    def author_id(self, email: str, version: int | None = None) -> str:
        """Who wrote it, without the email: a keyed hash of the normalised address."""
        v = self.current if version is None else version
        return self._mark(self._mac("author", email.strip().casefold(), v).hex()[:32], v)

    def imported_author_id(self, source: str, identity: str) -> str:
        """An imported author who left no email: a keyed hash of who the source says they are
        (a Disqus username, a WordPress user id, a name), apart from every email's author id."""
        v = self.current
        return self._mark(self._mac("imported-author", f"{source}\x1f{identity}", v).hex()[:32], v)

    def imported_entropy(self, source: str, source_id: str) -> bytes:
        """The random part of an imported comment's id: a keyed hash of where it came from, so
        that importing the same comment again gives the same id (and the id says nothing of the
        source's own id). Under the first version the secret holds, so that a rotation does not
        give a file imported again new ids."""
        return self._mac("imported-comment", f"{source}\x1f{source_id}", self.first)[:10]

    def request_comment_id(self, article_id: str, idempotency_key: str) -> str:
        """The id of the comment a keyed submission stores: the same for every retry of the
        request, unguessable without the secret (26 Crockford base32 characters, as any comment
        id; not time-ordered, which nothing needs: lists sort by time stored). Under the first
        version the secret holds, so that a retry across a rotation names the same comment."""
        from comments.domain.ids import crockford

        digest = self._mac("request-comment", f"{article_id}\n{idempotency_key}", self.first)
        return crockford(int.from_bytes(digest[:16], "big"))

    def author_ids(self, email: str) -> tuple[str, ...]:
        """The author under every version, the current first: what a lookup by email asks for."""
        return tuple(self.author_id(email, v) for v in self.versions)

    def client_id(self, source_ip: str, version: int | None = None) -> str:
        """The client (API Gateway's sourceIp), as a keyed hash: never the IP itself."""
        v = self.current if version is None else version
        return self._mark(self._mac("client", source_ip, v).hex()[:32], v)

    def client_ids(self, source_ip: str) -> tuple[str, ...]:
        return tuple(self.client_id(source_ip, v) for v in self.versions)

    # -- edit tokens -----------------------------------------------------------------------------------
    def edit_token(self, comment_id: str, version: int | None = None) -> str:
        """The author's secret for PATCH/DELETE. Derived, so it is never stored (not even in the
        idempotency record); the comment keeps only `edit_token_hash` of it."""
        v = self.current if version is None else version
        raw = base64.urlsafe_b64encode(self._mac("edit-token", comment_id, v)).rstrip(b"=").decode()
        return self._mark(raw, v)

    def edit_token_hash(self, token: str) -> str:
        """The hash a comment keeps of its token, under the version the token names."""
        _, v = self.version_of(token)
        if v not in self._roots:
            raise ValueError(f"key version {v} is not in the service secret")
        return self._mark(self._mac("edit-token-hash", token, v).hex(), v)

    def edit_token_matches(self, token: str, stored_hash: str) -> bool:
        _, v = self.version_of(stored_hash)
        if v not in self._roots or self.version_of(token)[1] != v:
            return False
        return hmac.compare_digest(self.edit_token_hash(token), stored_hash)

    def edit_token_for(self, comment_id: str, stored_hash: str) -> str:
        """The token a stored comment's hash was made from (a replayed response sends it again)."""
        _, v = self.version_of(stored_hash)
        return self.edit_token(comment_id, v if v in self._roots else None)

    # -- signatures --------------------------------------------------------------------------------------
    def sign(self, purpose: str, payload: bytes) -> str:
        """payload.mac, both base64url (and the version's mark): for cursors and claims that must
        not be forged."""
        mac = hmac.new(self._key(purpose, self.current), payload, hashlib.sha256).digest()[:16]
        return self._mark(f"{_b64(payload)}.{_b64(mac)}", self.current)

    def unsign(self, purpose: str, token: str) -> bytes | None:
        try:
            signed, v = self.version_of(token) if token.count(".") == 2 else (token, LEGACY_VERSION)
            if v not in self._roots:
                return None
            body, mac = signed.split(".", 1)
            payload = _unb64(body)
            expected = hmac.new(self._key(purpose, v), payload, hashlib.sha256).digest()[:16]
            if hmac.compare_digest(expected, _unb64(mac)):
                return payload
        except (ValueError, UnicodeError):
            pass
        return None


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    if not text.isascii():
        raise ValueError("not base64")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
