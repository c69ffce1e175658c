"""Keys derived from the one service secret: author identity, client identity, cursors, claims
and edit tokens.

Pure: the root secret comes in (the runtime reads it from Secrets Manager, or locally from the
environment); nothing here does I/O. Each purpose gets its own key (HMAC of the purpose with the
root), so a leak of one derived value reveals nothing about another.
"""

import base64
import hashlib
import hmac
from collections.abc import Callable


class HmacKeys:
    """Every keyed hash and signature the service makes, from one root secret: the secret
    itself, or a function that reads it, called the first time a key is needed (a request that
    signs and checks nothing never reads it)."""

    def __init__(self, root: bytes | Callable[[], bytes]) -> None:
        self._source = root
        self._root: bytes | None = None
        self._keys: dict[str, bytes] = {}
        if isinstance(root, bytes):
            self._root = self._checked(root)

    @staticmethod
    def _checked(root: bytes) -> bytes:
        if not root:
            raise ValueError("the service secret is empty")
        return root

    def _key(self, purpose: str) -> bytes:
        key = self._keys.get(purpose)
        if key is None:
            if self._root is None:
                assert callable(self._source)
                self._root = self._checked(self._source())
            key = self._keys[purpose] = hmac.new(self._root, purpose.encode(), hashlib.sha256).digest()
        return key

    def _mac(self, purpose: str, message: str) -> bytes:
        # hmac.digest: OpenSSL's one-shot HMAC, the same bytes as hmac.new(...).digest() without
        # building an HMAC object in Python (a few µs on each of a submission's keyed hashes).
        return hmac.digest(self._key(purpose), message.encode(), "sha256")

    def author_id(self, email: str) -> str:
        """Who wrote it, without the email: a keyed hash of the normalised address."""
        return self._mac("author", email.strip().casefold()).hex()[:32]

    def imported_author_id(self, source: str, identity: str) -> str:
        """An imported author who left no email: a keyed hash of who the source says they are
        (a Disqus username, a WordPress user id, a name), apart from every email's author id."""
        return self._mac("imported-author", f"{source}\x1f{identity}").hex()[:32]

    def imported_entropy(self, source: str, source_id: str) -> bytes:
        """The random part of an imported comment's id: a keyed hash of where it came from, so
        that importing the same comment again gives the same id (and the id says nothing of the
        source's own id)."""
        return self._mac("imported-comment", f"{source}\x1f{source_id}")[:10]

    def client_id(self, source_ip: str) -> str:
        """The client (API Gateway's sourceIp), as a keyed hash: never the IP itself."""
        return self._mac("client", source_ip).hex()[:32]

    def edit_token(self, comment_id: str) -> str:
        """The author's secret for PATCH/DELETE. Derived, so it is never stored (not even in the
        idempotency record); the comment keeps only `edit_token_hash` of it."""
        return base64.urlsafe_b64encode(self._mac("edit-token", comment_id)).rstrip(b"=").decode()

    def request_comment_id(self, article_id: str, idempotency_key: str) -> str:
        """The id of the comment a keyed submission stores: the same for every retry of the
        request, unguessable without the secret (26 Crockford base32 characters, as any comment
        id; not time-ordered, which nothing needs: lists sort by time stored)."""
        from comments.domain.ids import crockford

        digest = self._mac("request-comment", f"{article_id}\n{idempotency_key}")
        return crockford(int.from_bytes(digest[:16], "big"))

    def edit_token_hash(self, token: str) -> str:
        return self._mac("edit-token-hash", token).hex()

    def edit_token_matches(self, token: str, stored_hash: str) -> bool:
        return hmac.compare_digest(self.edit_token_hash(token), stored_hash)

    def sign(self, purpose: str, payload: bytes) -> str:
        """payload.mac, both base64url: for cursors and claims that must not be forged."""
        mac = hmac.new(self._key(purpose), payload, hashlib.sha256).digest()[:16]
        return f"{_b64(payload)}.{_b64(mac)}"

    def unsign(self, purpose: str, token: str) -> bytes | None:
        try:
            body, mac = token.split(".", 1)
            payload = _unb64(body)
            expected = hmac.new(self._key(purpose), payload, hashlib.sha256).digest()[:16]
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
