"""Claims, renewals, releases and expiry on the moderation domain, with an in-memory store and a
queue that counts receives and dead-letters as SQS's redrive policy does: looking is free."""

from datetime import UTC, datetime

import pytest
from comments.domain import moderation
from comments.domain.errors import AlreadyDecided, BadRequest, ClaimExpired, NotFound
from comments.domain.hmac_keys import HmacKeys
from comments.domain.relay import held_message
from comments.domain.requests import DecisionIn
from moderation_fakes import Clock, FakeSqs, FakeStore
from tests_support import stored_comment

KEYS = HmacKeys(b"unit-test-secret")
CLAIM = 60
MIA = moderation.Moderator(id="m-1", name="mia")
MAX = moderation.Moderator(id="m-2", name="max")


class Desk:
    """One held comment, queued as the relay queues it, and two moderators' consoles."""

    def __init__(self) -> None:
        self.clock = Clock()
        self.queue = FakeSqs(self.clock)
        self.store = FakeStore()
        self.comment = self.store.add(stored_comment("pending", "See https://a.example https://b.example"))
        self.queue.send(held_message(self.comment).model_dump_json(), {"commentId": self.comment.id})

    @property
    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock.now, UTC)

    def claim(self, n: int = 10, seconds: int = CLAIM) -> list[moderation.ClaimedItem]:
        return moderation.claim_next(self.store, self.queue, KEYS, n, seconds, self.now)

    def renew(self, item: moderation.ClaimedItem) -> str:
        return moderation.renew(self.store, self.queue, KEYS, item.comment.id, item.claim, CLAIM, self.now)

    def release(self, item: moderation.ClaimedItem) -> bool:
        return moderation.release(self.store, self.queue, KEYS, item.comment.id, item.claim)

    def receives(self) -> list[int]:
        return [m.receives for m in self.queue.messages.values()]


@pytest.fixture
def desk() -> Desk:
    return Desk()


def test_a_claim_hides_the_comment_until_it_expires_then_it_comes_back(desk):
    # Given a claimed comment
    [item] = desk.claim()
    assert item.comment.id == desk.comment.id
    # When another moderator looks before the claim's end, then after it
    desk.clock.advance(CLAIM - 1)
    assert desk.claim() == []
    desk.clock.advance(2)
    [again] = desk.claim()
    # Then it is theirs only once the claim lapsed, and no message was ever received twice
    assert again.comment.id == desk.comment.id
    assert desk.receives() == [0]  # the one message left: the new claim's copy, unseen
    assert desk.queue.dead_letters == []


def test_a_claim_replaces_the_message_it_received(desk):
    [item] = desk.claim()
    # one message: the copy delayed by the claim, named by the token the comment now keeps
    [copy] = desk.queue.messages.values()
    assert copy.visible_at == desk.clock.now + CLAIM and copy.receives == 0
    assert copy.attributes["queueToken"] == desk.store.get(desk.comment.id).queueToken
    assert moderation.open_claim(KEYS, item.claim, desk.comment.id).token == copy.attributes["queueToken"]


def test_a_release_gives_the_comment_back_at_once_and_its_old_copy_is_dropped(desk):
    [item] = desk.claim()
    desk.clock.advance(10)
    assert desk.release(item) is True
    [again] = desk.claim()
    assert again.comment.id == desk.comment.id
    # the first claim's delayed copy surfaces (before the second claim's), is not the live one,
    # and is deleted
    desk.clock.advance(CLAIM - 10 + 1)
    assert desk.claim() == []
    assert desk.receives() == [0] and desk.queue.dead_letters == []


def test_a_renewal_keeps_the_comment_past_the_first_claims_end(desk):
    [item] = desk.claim()
    desk.clock.advance(CLAIM - 5)
    renewed = desk.renew(item)
    desk.clock.advance(10)  # past the first claim's end, within the renewed one
    assert desk.claim() == []
    # the renewed claim is the one that decides and releases; the old one is no longer live
    assert desk.release(item) is False
    assert desk.release(item.model_copy(update={"claim": renewed})) is True


def test_a_lapsed_claim_taken_by_someone_else_cannot_be_renewed(desk):
    [mine] = desk.claim()
    desk.clock.advance(CLAIM + 1)
    [theirs] = desk.claim()
    with pytest.raises(ClaimExpired):
        desk.renew(mine)
    assert desk.release(mine) is False
    assert desk.renew(theirs)


def test_a_lapsed_claim_nobody_took_can_still_be_renewed(desk):
    [mine] = desk.claim()
    desk.clock.advance(CLAIM + 1)  # its copy is visible now, but no one received it
    desk.renew(mine)
    assert desk.claim() == []  # the visible copy is stale: dropped on receipt


def test_renewing_or_releasing_a_decided_comment(desk):
    [item] = desk.claim()
    moderation.decide(desk.store, desk.comment.id, DecisionIn(decision="approve"), MIA, desk.now)
    with pytest.raises(AlreadyDecided):
        desk.renew(item)
    assert desk.release(item) is False
    desk.clock.advance(CLAIM + 1)
    assert desk.claim() == [] and desk.queue.messages == {}


def test_a_claim_is_bound_to_its_comment_and_cannot_be_forged(desk):
    [item] = desk.claim()
    other = desk.store.add(stored_comment("pending").model_copy(update={"id": "01JD6Z3YQ2W7V9K8M4N5P6R7S9"}))
    with pytest.raises(BadRequest):
        moderation.release(desk.store, desk.queue, KEYS, other.id, item.claim)
    with pytest.raises(BadRequest):
        desk.renew(item.model_copy(update={"claim": item.claim[:-2] + "xx"}))
    unknown = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
    with pytest.raises(NotFound):
        moderation.release(
            desk.store, desk.queue, KEYS, unknown, moderation.make_claim(KEYS, "t", unknown, 0)
        )


def test_twenty_rounds_of_claims_releases_and_expiries_from_two_consoles_dead_letter_nothing(desk):
    # Given two moderators who look at one held comment and never decide, twenty times over
    for _ in range(20):
        [first] = desk.claim()  # mia's console
        assert desk.claim() == []  # max's console sees nothing while it is claimed
        assert desk.release(first) is True  # mia skips
        [second] = desk.claim()  # max takes it
        desk.clock.advance(CLAIM + 1)  # and closes his laptop: the claim lapses
    # When one of them finally decides it
    [last] = desk.claim()
    done = moderation.decide(desk.store, desk.comment.id, DecisionIn(decision="reject"), MAX, desk.now)
    assert done.status == "rejected"
    desk.clock.advance(CLAIM + 1)
    assert desk.claim() == []
    # Then nothing was dead-lettered, no message was received more than once, nothing is left
    assert desk.queue.dead_letters == []
    assert desk.queue.messages == {}
    assert last.comment.id == second.comment.id == desk.comment.id


def test_only_a_message_that_fails_processing_reaches_the_dead_letters(desk):
    desk.queue.send("not json")
    for _ in range(7):
        desk.claim()
        desk.clock.advance(CLAIM + 1)
    assert [m.body for m in desk.queue.dead_letters] == ["not json"]


def test_a_message_delivered_twice_is_claimed_once(desk):
    # the relay's message sent again (SQS and the stream deliver at least once)
    desk.queue.send(held_message(desk.comment).model_dump_json(), {"commentId": desk.comment.id})
    items = desk.claim()
    assert [i.comment.id for i in items] == [desk.comment.id]
    desk.clock.advance(1)
    assert desk.claim() == []
    assert len(desk.queue.messages) == 1  # the claim's copy, the one live message


def test_storage_failing_mid_claim_leaves_the_received_message_to_come_back(desk):
    desk.store.fail_moves = 1
    with pytest.raises(ConnectionError):
        desk.claim()
    desk.clock.advance(CLAIM + 1)
    # the copy sent before the failure is not live; the message in hand comes back, still live
    [item] = desk.claim()
    assert item.comment.id == desk.comment.id
    assert desk.queue.dead_letters == []


def test_a_decided_comment_leaves_the_queue_when_its_copy_comes_round(desk):
    moderation.decide(desk.store, desk.comment.id, DecisionIn(decision="approve"), MIA, desk.now)
    assert desk.claim() == []
    assert desk.queue.messages == {}


def test_stale_copies_in_the_way_do_not_hide_the_live_ones(desk):
    # Given three stale copies of a renewed claim coming round before the live ones
    [item] = desk.claim()
    for _ in range(3):
        item = item.model_copy(update={"claim": desk.renew(item)})
    desk.clock.advance(CLAIM + 1)
    other = desk.store.add(
        desk.comment.model_copy(update={"id": "01JD6Z3YQ2W7V9K8M4N5P6R7SZ", "queueToken": None})
    )
    desk.queue.send(held_message(other).model_dump_json(), {"commentId": other.id})
    # When a console asks for two comments, receiving at most three times
    assert moderation.claim_next(desk.store, desk.queue, KEYS, 2, CLAIM, desk.now, receives=1) == []
    items = moderation.claim_next(desk.store, desk.queue, KEYS, 2, CLAIM, desk.now, receives=3)
    # Then it gets the live ones behind them
    assert sorted(i.comment.id for i in items) == sorted([desk.comment.id, other.id])
