"""The bench's arithmetic on small known inputs: item sizes and request units as DynamoDB
counts them, and the cost model's sums. No timing here, no AWS, no sockets."""

import math

import pytest

from bench import cost, units


def test_item_size_counts_names_and_values_as_dynamodb_does():
    # Given an item with a string, a number, a boolean, a list and a map
    item = {
        "pk": {"S": "C#01"},  # 2 + 4
        "n": {"N": "12345"},  # 1 + (5 digits -> 3 + 1)
        "ok": {"BOOL": True},  # 2 + 1
        "l": {"L": [{"S": "ab"}, {"N": "7"}]},  # 1 + 3 + (2 + 1) + (2 + 1)
        "m": {"M": {"k": {"S": "é"}}},  # 1 + 3 + (1 + 2 + 1)
    }

    # When it is measured
    size = units.item_size(item)

    # Then every part is counted once
    assert size == 6 + 5 + 3 + 10 + 8


def test_numbers_count_significant_digits_only():
    assert units.value_size({"N": "1000"}) == units.value_size({"N": "1"}) == 2
    assert units.value_size({"N": "1.50"}) == units.value_size({"N": "15"}) == 2
    assert units.value_size({"N": "123456789"}) == 6


@pytest.mark.parametrize(
    ("size", "transactional", "expected"),
    [
        (0, False, 1),
        (1, False, 1),
        (1024, False, 1),
        (1025, False, 2),
        (2657, False, 3),
        (857, True, 2),
        (2657, True, 6),
    ],
)
def test_write_units_round_up_per_kilobyte_and_double_in_a_transaction(size, transactional, expected):
    assert units.write_units(size, transactional) == expected


def test_read_units_per_four_kilobytes_half_when_eventually_consistent():
    assert units.read_units(0, consistent=True) == 1
    assert units.read_units(0, consistent=False) == 0.5
    assert units.read_units(4097, consistent=False) == 1
    assert units.read_units(8192, consistent=True) == 2


def test_an_index_entry_holds_the_keys_and_the_projected_attributes_only():
    # Given an INCLUDE index and a sparse KEYS_ONLY one
    article = units.Index("ArticleIndex", ("gsi1pk", "gsi1sk"), "INCLUDE", ("body",))
    author = units.Index("AuthorIndex", ("gsi2pk", "gsi2sk"), "KEYS_ONLY")
    item = {k: {"S": k} for k in ("pk", "gsi1pk", "gsi1sk", "body", "email")}

    # Then the entry keeps table key, index keys and projection; an item without the keys is not in it
    assert set(article.entry(item, ("pk",)) or {}) == {"pk", "gsi1pk", "gsi1sk", "body"}
    assert author.entry(item, ("pk",)) is None


def test_lambda_billing_stretches_compute_with_less_cpu_and_rounds_up_to_a_millisecond():
    a = cost.Assumptions(full_core_mb=1769)
    assert cost.billed_ms(1.0, 0.0, 1769, a) == 1
    assert cost.billed_ms(1.0, 10.0, 512, a) == math.ceil(1.0 * 1769 / 512 + 10.0)
    assert cost.billed_ms(1.0, 0.0, 3008, a) == 1  # no more than one full core for one thread


def test_lambda_cost_is_requests_plus_gigabyte_seconds():
    p = cost.Prices(lambda_request_per_million=0.20, lambda_arm_gb_second=0.0000133334)
    usd = cost.lambda_usd(1e6, 100, 1024, p)
    assert usd == pytest.approx(0.20 + 1e6 * 0.1 * 1 * 0.0000133334)


def test_the_bill_is_the_sum_of_its_lines_and_follows_the_write_units():
    # Given measured figures for a service that writes 10 units per published comment
    measured = cost.Measured(
        submit_compute_ms=1.0,
        submit_calls={o: {"single": 8, "transaction": 1} for o in ("published", "held", "rejected")},
        wru={"published": 10.0, "held": 10.0, "rejected": 4.0},
        rru={"published": 3.0, "held": 3.0, "rejected": 3.0},
        memory_mb={"SubmitFunction": 512, "RelayFunction": 256, "ModerationFunction": 512},
        init_ms={"SubmitFunction": 300.0},
    )
    a = cost.Assumptions(published=0.8, held=0.15, rejected=0.05)

    # When the bill is drawn up
    bill = cost.per_million(measured, assumptions=a)

    # Then the total is its lines, and the write line is the mix of units at the listed price
    assert bill.total == pytest.approx(sum(line.usd for line in bill.lines))
    writes = next(line for line in bill.lines if line.what.startswith("DynamoDB writes"))
    assert writes.usd == pytest.approx((0.8 * 10 + 0.15 * 10 + 0.05 * 4) * cost.Prices().ddb_wru_per_million)


def test_snapstart_restores_cost_more_than_the_init_they_save_for_a_small_function():
    restore, saved = cost.snapstart_per_cold_start(512, 300.0)
    assert restore > saved > 0
