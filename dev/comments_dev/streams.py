"""Play Lambda's DynamoDB event source mapping: poll the table's stream on the emulator, apply
the template's FilterCriteria, hand batches to the function, and on a partial batch failure
start again at the first failed record (ReportBatchItemFailures), so nothing is skipped."""

import json
import logging
import threading
from datetime import datetime
from typing import Any

from comments_dev import template
from comments_dev.emulator import REGION, Stack
from comments_dev.lambdas import Function

log = logging.getLogger("comments_dev.streams")


def matches(pattern: Any, value: Any) -> bool:
    """The subset of EventBridge-style filter patterns the template uses: nested objects, and
    lists of allowed literal values."""
    if isinstance(pattern, dict):
        if not isinstance(value, dict):
            return False
        return all(k in value and matches(p, value[k]) for k, p in pattern.items())
    if isinstance(pattern, list):
        return value in pattern
    return bool(pattern == value)


def _lambda_record(raw: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    record = json.loads(json.dumps(raw, default=_json_default))
    record["eventSourceARN"] = stream_arn
    record.setdefault("awsRegion", REGION)
    return record


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return int(value.timestamp())
    if isinstance(value, bytes):
        import base64

        return base64.b64encode(value).decode()
    raise TypeError(type(value).__name__)


class StreamMapping:
    """One DynamoDB event source of one function."""

    def __init__(self, stack: Stack, function: Function, table: str, props: dict[str, Any]) -> None:
        self.stack = stack
        self.function = function
        self.table = table
        self.batch_size = int(props.get("BatchSize", 100))
        self.filters = [
            json.loads(f["Pattern"]) for f in (props.get("FilterCriteria") or {}).get("Filters", [])
        ]
        self.stream_arn = stack.client("dynamodb").describe_table(TableName=table)["Table"]["LatestStreamArn"]
        self.streams = stack.client("dynamodbstreams")
        self.retry_delay = 0.5
        self._stop = threading.Event()
        self._iterator: str | None = None
        self._last: str | None = None  # the last sequence number handed over successfully
        self.invocations = 0
        self.failures = 0
        self.last_page = 0  # records the last poll read, wanted by the filter or not

    def _shard_iterator(self, kind: str, sequence: str | None = None) -> str:
        shard = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"][0]
        kwargs = {"StreamArn": self.stream_arn, "ShardId": shard["ShardId"], "ShardIteratorType": kind}
        if sequence:
            kwargs["SequenceNumber"] = sequence
        return str(self.streams.get_shard_iterator(**kwargs)["ShardIterator"])

    def drain(self, max_polls: int = 1000) -> int:
        """Poll until the stream has nothing new (or a poll fails): how many records went to the
        function (pages the filter leaves empty are read past)."""
        done = 0
        for _ in range(max_polls):
            got = self.poll_once()
            if got is None or not self.last_page:
                return done
            done += got
        return done

    def poll_once(self) -> int | None:
        """One poll: how many records went through, or None if the function failed some."""
        if self._iterator is None:
            self._iterator = (
                self._shard_iterator("AFTER_SEQUENCE_NUMBER", self._last)
                if self._last
                else self._shard_iterator("TRIM_HORIZON")
            )
        page = self.streams.get_records(ShardIterator=self._iterator, Limit=self.batch_size)
        records = page.get("Records", [])
        self.last_page = len(records)
        next_iterator = page.get("NextShardIterator")
        if not records:
            # moto replaces a table's stream shard object when it rolls back a cancelled
            # transaction, which strands open iterators: start a fresh one after the last record.
            self._iterator = None
            return 0
        wanted = [
            _lambda_record(r, self.stream_arn)
            for r in records
            if not self.filters or any(matches(f, r) for f in self.filters)
        ]
        if wanted:
            failed = self._invoke(wanted)
            if failed is not None:
                self.failures += 1
                self._iterator = self._shard_iterator("AT_SEQUENCE_NUMBER", failed)
                return None
        self._last = str(records[-1]["dynamodb"]["SequenceNumber"])
        self._iterator = next_iterator
        return len(wanted)

    def _invoke(self, records: list[dict[str, Any]]) -> str | None:
        """The sequence number to start again from, or None when the whole batch went through."""
        self.invocations += 1
        try:
            result = self.function.invoke({"Records": records}) or {}
        except Exception:
            log.exception("stream batch failed in %s", self.function.name)
            return str(records[0]["dynamodb"]["SequenceNumber"])
        failures = [f["itemIdentifier"] for f in result.get("batchItemFailures", [])]
        return min(failures, key=int) if failures else None

    def run(self, interval: float = 0.1) -> None:
        while not self._stop.is_set():
            try:
                done = self.poll_once()
            except Exception:
                log.exception("stream poll failed")
                done = None
            if done is None:
                self._stop.wait(self.retry_delay)
            elif done == 0:
                self._stop.wait(interval)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name=f"stream-{self.function.name}", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()


def stream_mappings(stack: Stack, functions: dict[str, Function]) -> list[StreamMapping]:
    mappings = []
    for name, fn in template.resources("AWS::Serverless::Function").items():
        for event in (fn["Properties"].get("Events") or {}).values():
            if event["Type"] != "DynamoDB":
                continue
            stream = event["Properties"]["Stream"]["Fn::GetAtt"]
            table = stack.tables[stream[0]]
            mappings.append(StreamMapping(stack, functions[name], table, event["Properties"]))
    return mappings
