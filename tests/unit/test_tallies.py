"""The relay's tallies from a change's images (which rules held a comment, on which day; what a
moderator decided), and how they are written (botocore's Stubber on a real client): a marker per
record, counters summed per item, the author's record put back on the revision it was read at."""

from datetime import date

import pytest
from botocore.stub import ANY, Stubber
from comments.adapters.comment_table import CommentTable
from comments.adapters.tallies import _chunks
from comments.domain.relay import StreamChange
from comments.domain.tallies import Tally, day_of, policy_stats, summed, tally
from comments.domain.trust import AuthorRecord, Decided
from tests_support import offline_dynamodb, stored_comment

NOW = 1_800_000_000


def _change(old, new) -> StreamChange:
    images = {}
    if old is not None:
        images["OldImage"] = old
    if new is not None:
        images["NewImage"] = new
    return StreamChange({"eventID": "e1", "dynamodb": images}, lambda image: dict(image))


def comment(status: str, hits: list[str], history: list[dict]) -> dict:
    values = stored_comment(status).model_dump()
    values.update(
        kind="comment",
        status=status,
        hits=[{"rule": r, "verdict": "hold", "message": "m"} for r in hits],
        history=history,
    )
    return values


HELD = {"at": "2026-11-20T23:59:00.000Z", "event": "submitted", "status": "pending"}


def test_a_held_comment_counts_for_each_rule_that_held_it_on_the_day_it_was_held():
    new = comment("pending", ["links", "shouting"], [HELD])
    assert tally(_change(None, new), None).rules == (
        ("2026-11-20", "links", "held"),
        ("2026-11-20", "shouting", "held"),
    )


def test_a_decision_counts_on_the_day_its_comment_was_held_and_moves_the_authors_record():
    old = comment("pending", ["links"], [HELD])
    decided = {
        "at": "2026-11-22T08:00:00.000Z",
        "event": "decided",
        "decision": "reject",
        "status": "rejected",
        "rules": ["links"],
    }
    new = comment("rejected", ["links"], [HELD, decided])
    result = tally(_change(old, new), None)
    assert result.rules == (("2026-11-20", "links", "rejected"),)
    author, outcome = result.author
    assert author == "a" * 32 and (outcome.outcome, outcome.comment_id) == ("rejected", new["id"])


def test_a_comment_sent_back_by_readers_counts_as_held_by_the_reports():
    old = comment(
        "published", [], [{"at": "2026-11-19T10:00:00.000Z", "event": "submitted", "status": "published"}]
    )
    reported = {"at": "2026-11-21T10:00:00.000Z", "event": "reported", "status": "pending"}
    new = comment("pending", ["reported"], [*old["history"], reported])
    assert tally(_change(old, new), None).rules == (("2026-11-21", "reported", "held"),)


def test_changes_that_hold_and_decide_nothing_count_nothing():
    published = comment(
        "published", [], [{"at": "2026-11-19T10:00:00.000Z", "event": "submitted", "status": "published"}]
    )
    assert not tally(_change(None, published), None)
    erased = comment(
        "rejected",
        ["links"],
        [HELD, {"at": "2026-11-22T08:00:00.000Z", "event": "decided", "decision": "reject"}],
    )
    erased["authorId"] = ""
    assert tally(_change(comment("pending", ["links"], [HELD]), erased), None).author is None


def test_days_are_utc_days():
    assert day_of("2026-11-20T23:59:59.999Z") == "2026-11-20"
    assert day_of("2026-11-21T00:30:00+02:00") == "2026-11-20"


def test_the_stats_sum_the_days_read_per_rule_most_held_first():
    asked: list[list[str]] = []

    class Store:
        def policy_stats(self, days):
            asked.append(days)
            return {
                "2026-11-28": {("links", "held"): 3, ("links", "approved"): 2, ("spam", "held"): 1},
                "2026-11-01": {("links", "held"): 1, ("links", "rejected"): 1},
            }

    report = policy_stats(Store(), date(2026, 11, 28), 30)
    assert (report["from"], report["to"], len(asked[0])) == ("2026-10-30", "2026-11-28", 30)
    assert report["rules"] == [
        {"rule": "links", "held": 4, "approved": 2, "rejected": 1, "approvedShare": 0.667},
        {"rule": "spam", "held": 1, "approved": 0, "rejected": 0, "approvedShare": None},
    ]
    assert summed({}) == []


# --- writing them -------------------------------------------------------------------------------


@pytest.fixture
def table():
    client = offline_dynamodb()
    stub = Stubber(client)
    with stub:
        yield CommentTable("t", client), stub
    stub.assert_no_pending_responses()


def marker(record: str) -> dict:
    return {
        "Put": {
            "TableName": "t",
            "Item": {
                "pk": {"S": f"CTR#{record}"},
                "kind": {"S": "counted"},
                "expiration": {"N": str(NOW + 2 * 86400)},
            },
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def author_read(stub, stored: AuthorRecord | None) -> None:
    from comments.adapters.dynamo import to_item

    items = [to_item({"pk": "AUT#au", "kind": "author", **stored.stored()})] if stored else []
    stub.add_response(
        "batch_get_item",
        {"Responses": {"t": items}},
        {"RequestItems": {"t": {"Keys": [{"pk": {"S": "AUT#au"}}], "ConsistentRead": True}}},
    )


def decision(n: int, outcome: str = "rejected") -> Tally:
    return Tally(
        rules=(("2026-11-20", "links", outcome),),
        author=("au", Decided(f"c{n}", outcome, NOW - 100 + n)),  # type: ignore[arg-type]
    )


def test_rule_counters_are_summed_per_day_and_the_new_authors_record_is_put_if_absent(table):
    comment_table, stub = table
    # Given two rejections of one author's comments in one batch, the author not yet recorded
    author_read(stub, None)
    expected = AuthorRecord().with_decision(decision(1).author[1]).with_decision(decision(2).author[1])
    stub.add_response(
        "transact_write_items",
        {},
        {
            "TransactItems": [
                marker("e1"),
                marker("e2"),
                {
                    "Update": {
                        "TableName": "t",
                        "Key": {"pk": {"S": "PST#2026-11-20"}},
                        "UpdateExpression": "ADD #c0 :c0 SET kind = :kind, expiration = :exp",
                        "ExpressionAttributeNames": {"#c0": "r_links"},
                        "ExpressionAttributeValues": {
                            ":c0": {"N": "2"},
                            ":kind": {"S": "policy_stats"},
                            ":exp": {"N": str(NOW + 100 * 86400)},
                        },
                    }
                },
                {"Put": {"TableName": "t", "Item": ANY, "ConditionExpression": "attribute_not_exists(pk)"}},
            ]
        },
    )
    # When they are applied
    applied = comment_table.apply_tallies([("e1", decision(1)), ("e2", decision(2))], NOW)
    # Then both records are applied in one transaction
    assert (applied.applied, applied.failed) == (["e1", "e2"], [])
    assert (expected.rejected, expected.revision) == (2, 2)


def test_an_author_changed_by_another_relay_meanwhile_is_read_again(table, monkeypatch):
    monkeypatch.setattr("time.sleep", lambda _s: None)
    comment_table, stub = table
    before = AuthorRecord().with_decision(Decided("c0", "approved", NOW - 500))
    # Given the author read at revision 1, but written by another relay before our put
    author_read(stub, before)
    stub.add_client_error(
        "transact_write_items",
        "TransactionCanceledException",
        modeled_fields={
            "CancellationReasons": [{"Code": "None"}, {"Code": "None"}, {"Code": "ConditionalCheckFailed"}]
        },
    )
    # When it is read again (now at revision 2), the put's condition is the new revision
    after = before.with_decision(Decided("cX", "approved", NOW - 400))
    author_read(stub, after)
    stub.add_response(
        "transact_write_items",
        {},
        {
            "TransactItems": [
                marker("e1"),
                ANY,
                {
                    "Put": {
                        "TableName": "t",
                        "Item": ANY,
                        "ConditionExpression": "revision = :read",
                        "ExpressionAttributeValues": {":read": {"N": "2"}},
                    }
                },
            ]
        },
    )
    # Then the record is applied on the second go
    assert comment_table.apply_tallies([("e1", decision(1))], NOW).applied == ["e1"]


def test_a_record_already_applied_is_skipped_and_not_reported_as_applied(table):
    comment_table, stub = table
    author_read(stub, None)
    stub.add_client_error(
        "transact_write_items",
        "TransactionCanceledException",
        modeled_fields={
            "CancellationReasons": [{"Code": "ConditionalCheckFailed"}, {"Code": "None"}, {"Code": "None"}]
        },
    )
    applied = comment_table.apply_tallies([("e1", decision(1))], NOW)
    assert (applied.applied, applied.failed) == ([], [])


def test_a_batch_is_cut_into_transactions_of_at_most_100_items():
    # 50 records, each moving its own article, its own author and one day's statistics
    tallies = [
        (
            f"e{n}",
            Tally(
                article=(f"a{n}", 1),
                rules=(("2026-11-20", "links", "held"),),
                author=(f"u{n}", Decided("c", "approved", 1)),
            ),
        )
        for n in range(50)
    ]
    chunks = _chunks(tallies)
    assert sum(len(c) for c in chunks) == 50
    for chunk in chunks:
        items = (
            len(chunk) + len({k for _, t in chunk for k in (f"CNT#{t.article[0]}", f"AUT#{t.author[0]}")}) + 1
        )
        assert items <= 100
