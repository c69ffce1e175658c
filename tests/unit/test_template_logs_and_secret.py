"""What template.yaml keeps and logs: the service secret lives as long as the table it keyed; the
HTTP API writes an access log with no client address; every log group the stack writes to is
the stack's own, with a retention."""

import json

import pytest
from comments_dev import template

RESOURCES = template.load()["Resources"]
FUNCTIONS = template.resources("AWS::Serverless::Function")


def test_the_secret_is_kept_like_the_table():
    table, secret = RESOURCES["CommentsTable"], RESOURCES["ServiceSecret"]
    for policy in ("DeletionPolicy", "UpdateReplacePolicy"):
        assert table[policy] == "Retain"
        assert secret[policy] == "Retain", policy


def test_a_recreated_stack_can_use_the_kept_secret():
    # ExistingServiceSecretArn: the secret every function reads, is granted, and the stack outputs
    doc = template.load()
    assert doc["Parameters"]["ExistingServiceSecretArn"]["Default"] == ""
    chosen = {
        "Fn::If": ["CreateServiceSecret", {"Ref": "ServiceSecret"}, {"Ref": "ExistingServiceSecretArn"}]
    }
    assert doc["Globals"]["Function"]["Environment"]["Variables"]["SECRET_ARN"] == chosen
    assert doc["Outputs"]["ServiceSecretArn"]["Value"] == chosen
    assert RESOURCES["ServiceSecret"]["Condition"] == "CreateServiceSecret"
    grants = json.dumps([f["Properties"].get("Policies") for f in FUNCTIONS.values()])
    assert '{"Ref": "ServiceSecret"}' not in grants.replace(json.dumps(chosen), "")


def test_the_generated_secret_is_never_regenerated_by_an_update():
    # A rotation replaces the value with a JSON document of key versions; the template's own
    # generation settings must stay as they are (a change would generate a new value).
    assert RESOURCES["ServiceSecret"]["Properties"]["GenerateSecretString"] == {
        "PasswordLength": 64,
        "ExcludePunctuation": True,
    }


def _access_log() -> dict:
    return RESOURCES["HttpApi"]["Properties"]["AccessLogSettings"]


def test_the_api_has_an_access_log_with_what_an_operator_needs():
    fields = json.loads(_access_log()["Format"])
    assert _access_log()["DestinationArn"] == {"Fn::GetAtt": ["HttpApiAccessLogs", "Arn"]}
    assert fields["requestId"] == "$context.requestId"
    assert fields["routeKey"] == "$context.routeKey"
    assert fields["status"] == "$context.status"
    assert fields["responseLatencyMs"] == "$context.responseLatency"
    assert fields["integrationError"] == "$context.integrationErrorMessage"


def test_the_access_log_holds_no_client_address_or_identity():
    text = _access_log()["Format"]
    for forbidden in ("sourceIp", "identity.", "userAgent", "authorizer", "path"):
        assert forbidden not in text, forbidden


def log_groups() -> dict[str, dict]:
    return {name: r for name, r in RESOURCES.items() if r["Type"] == "AWS::Logs::LogGroup"}


def test_every_log_group_has_a_retention():
    assert log_groups()
    for name, group in log_groups().items():
        assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}, name
    assert template.load()["Parameters"]["LogRetentionDays"]["Default"] == 30


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_every_function_logs_to_a_group_of_the_stack(function):
    # Not Lambda's implicit /aws/lambda/<name> group, which would be created on first use
    # without a retention (and outlive the stack).
    group = FUNCTIONS[function]["Properties"]["LoggingConfig"]["LogGroup"]
    assert group == {"Ref": f"{function}Logs"} and f"{function}Logs" in log_groups()


def test_each_log_group_is_used_by_exactly_one_writer():
    writers = [f["Properties"]["LoggingConfig"]["LogGroup"]["Ref"] for f in FUNCTIONS.values()]
    writers.append(_access_log()["DestinationArn"]["Fn::GetAtt"][0])
    assert sorted(writers) == sorted(log_groups())


def test_submit_reserved_concurrency_is_an_option_off_by_default():
    props = FUNCTIONS["SubmitFunction"]["Properties"]
    assert props["ReservedConcurrentExecutions"] == {
        "Fn::If": [
            "HasSubmitReservedConcurrency",
            {"Ref": "SubmitReservedConcurrency"},
            {"Ref": "AWS::NoValue"},
        ]
    }
    assert template.load()["Parameters"]["SubmitReservedConcurrency"]["Default"] == 0
