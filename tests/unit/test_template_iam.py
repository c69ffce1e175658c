"""Least privilege, read off template.yaml: each function has its own role with only inline
statements (or SAM policy templates whose expansion is known), no `*` action, no `*` resource
except where AWS requires it (the managed policies SAM attaches for logs, X-Ray and the DynamoDB
stream), and exactly the actions its code uses on exactly the resources it uses them on.

`USES` is what each function's code calls (read from the code, and checked by running it:
tests/integration/test_iam_usage.py records every AWS call each function makes in every flow
and compares it with this table and with the template)."""

import re
from typing import Any

import pytest
from comments_dev import template

T = "CommentsTable"
ARTICLES = "CommentsTable/index/ArticleIndex"
AUTHORS = "CommentsTable/index/AuthorIndex"
MQ, DLQ, RFQ = "ModerationQueue", "ModerationDeadLetterQueue", "RelayFailureQueue"
SECRET, BUS = "ServiceSecret", "CommentEventsBus"

# function -> {(action, resource)}; resources by logical id (index ARNs as "<table>/index/<name>").
# The comment, its marker, counter, rate windows and idempotency receipt are Puts and Updates in
# one transaction (which needs the item actions); GetItem reads a reply's parent and a replayed
# comment; nothing is ever deleted on the way in.
SUBMIT = {
    ("dynamodb:GetItem", T),
    ("dynamodb:PutItem", T),
    ("dynamodb:UpdateItem", T),
}
USES: dict[str, set[tuple[str, str]]] = {
    "SubmitFunction": SUBMIT | {("dynamodb:BatchGetItem", T), ("secretsmanager:GetSecretValue", SECRET)},
    "ReadFunction": {
        ("dynamodb:Query", ARTICLES),
        ("dynamodb:BatchGetItem", T),
        ("secretsmanager:GetSecretValue", SECRET),
    },
    "RelayFunction": {
        ("sqs:SendMessage", MQ),
        ("sqs:SendMessage", RFQ),
        ("events:PutEvents", BUS),
        ("dynamodb:BatchGetItem", T),
        ("dynamodb:PutItem", T),
        ("dynamodb:UpdateItem", T),
    },
    "ModerationFunction": {
        ("dynamodb:GetItem", T),
        ("dynamodb:BatchGetItem", T),
        ("dynamodb:PutItem", T),
        ("dynamodb:UpdateItem", T),
        ("dynamodb:DeleteItem", T),
        ("dynamodb:Query", AUTHORS),
        ("sqs:ReceiveMessage", MQ),
        ("sqs:DeleteMessage", MQ),
        ("sqs:GetQueueAttributes", MQ),
        ("sqs:SendMessage", MQ),
        ("sqs:ReceiveMessage", DLQ),
        ("sqs:DeleteMessage", DLQ),
        ("sqs:GetQueueAttributes", DLQ),
        ("secretsmanager:GetSecretValue", SECRET),
    },
    "AuthorFunction": {
        ("dynamodb:GetItem", T),
        ("dynamodb:BatchGetItem", T),
        ("dynamodb:UpdateItem", T),
        ("secretsmanager:GetSecretValue", SECRET),
    },
    "ReportFunction": {
        ("dynamodb:GetItem", T),
        ("dynamodb:PutItem", T),
        ("dynamodb:UpdateItem", T),
        ("secretsmanager:GetSecretValue", SECRET),
    },
}

# What SAM's policy templates expand to (aws-sam-translator's policy_templates.json).
SAM_TEMPLATES = {
    "SQSSendMessagePolicy": lambda p: [(["sqs:SendMessage*"], _ref(p["QueueName"]))],
    "EventBridgePutEventsPolicy": lambda p: [(["events:PutEvents"], _ref(p["EventBusName"]))],
    "SQSPollerPolicy": lambda p: [
        (
            [
                "sqs:ChangeMessageVisibility",
                "sqs:ChangeMessageVisibilityBatch",
                "sqs:DeleteMessage",
                "sqs:DeleteMessageBatch",
                "sqs:GetQueueAttributes",
                "sqs:ReceiveMessage",
            ],
            _ref(p["QueueName"]),
        )
    ],
}
# Where AWS needs "*": the managed policies SAM attaches itself (CloudWatch Logs; X-Ray for
# Tracing: Active; the stream reads of a DynamoDB event source). Not in `Policies`, not granted here.
SAM_MANAGED = {"AWSLambdaBasicExecutionRole", "AWSXRayDaemonWriteAccess", "AWSLambdaDynamoDBExecutionRole"}


def _ref(value: Any) -> str:
    """The logical resource an intrinsic names (with its index suffix), or the raw string."""
    if isinstance(value, dict):
        ((key, arg),) = value.items()
        if key == "Fn::If" and arg[0] == "CreateServiceSecret":
            # The stack's own secret, or the kept secret of a deleted stack (a parameter): the
            # same secret either way.
            return _ref(arg[1])
        if key == "Ref":
            return str(arg)
        if key == "Fn::GetAtt":
            return str(arg[0] if isinstance(arg, list) else arg.split(".")[0])
        if key == "Fn::Sub":
            text = arg if isinstance(arg, str) else arg[0]
            m = re.fullmatch(r"\$\{(\w+)(?:\.\w+)?\}(/index/\w+)?", text)
            if m:
                return m.group(1) + (m.group(2) or "")
            return text
    return str(value)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def statements(function: str) -> list[tuple[list[str], list[str], dict[str, Any]]]:
    """(actions, resources, raw statement) of every grant in the function's `Policies`."""
    props = template.resources("AWS::Serverless::Function")[function]["Properties"]
    out = []
    for policy in props.get("Policies") or []:
        assert isinstance(policy, dict), f"{function}: managed policy {policy!r}"
        if "Statement" in policy:
            for st in policy["Statement"]:
                if "Fn::If" in st:  # granted only with a template condition: see conditional_grants
                    continue
                out.append(
                    (
                        [str(a) for a in _as_list(st.get("Action"))],
                        [_ref(r) for r in _as_list(st.get("Resource"))],
                        st,
                    )
                )
        else:
            ((name, params),) = policy.items()
            assert name in SAM_TEMPLATES, f"{function}: unknown policy template {name}"
            for actions, resource in SAM_TEMPLATES[name](params):
                out.append((actions, [resource], {"Effect": "Allow", "Template": name}))
    return out


def granted(function: str) -> set[tuple[str, str]]:
    return {(a, r) for actions, resources, _ in statements(function) for a in actions for r in resources}


FUNCTIONS = sorted(template.resources("AWS::Serverless::Function"))
PENDING: dict[str, str] = {}  # template changes not applied yet: none


def _pending(function: str) -> Any:
    if function in PENDING:
        return pytest.param(function, marks=pytest.mark.xfail(reason=PENDING[function], strict=True))
    return function


def test_every_function_is_covered_by_the_table():
    assert set(FUNCTIONS) == set(USES)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_each_function_has_its_own_role_with_inline_grants_only(function):
    props = template.resources("AWS::Serverless::Function")[function]["Properties"]
    assert "Role" not in props and "PermissionsBoundary" not in props
    for policy in props.get("Policies") or []:
        assert isinstance(policy, dict), f"managed policy {policy!r}"
        assert "Statement" in policy or next(iter(policy)) in SAM_TEMPLATES


@pytest.mark.parametrize("function", FUNCTIONS)
def test_only_allow_statements_with_plain_actions_and_resources(function):
    for _, _, st in statements(function):
        assert st.get("Effect") == "Allow"
        assert not {"NotAction", "NotResource", "NotPrincipal", "Principal"} & set(st), st


@pytest.mark.parametrize("function", [_pending(f) if f == "RelayFunction" else f for f in FUNCTIONS])
def test_no_wildcard_action(function):
    for actions, _, _ in statements(function):
        for action in actions:
            assert "*" not in action and "?" not in action, f"{function}: {action}"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_no_wildcard_resource(function):
    known = set(template.load()["Resources"])
    for _, resources, _ in statements(function):
        for resource in resources:
            assert "*" not in resource, f"{function}: {resource}"
            assert resource.split("/")[0] in known, (
                f"{function}: {resource} is not a resource of the template"
            )


@pytest.mark.parametrize("function", [_pending(f) for f in FUNCTIONS])
def test_exactly_the_actions_the_code_uses(function):
    grants = granted(function)
    assert grants >= USES[function], f"missing: {sorted(USES[function] - grants)}"
    assert grants == USES[function], f"granted but unused: {sorted(grants - USES[function])}"


def test_the_only_broad_grants_are_the_managed_policies_sam_attaches():
    """Logs, X-Ray and DynamoDB stream reads need "*" in AWS's managed policies; SAM attaches
    them by itself (Tracing: Active, a DynamoDB event), and nothing else is attached."""
    glob = template.load().get("Globals", {}).get("Function", {})
    assert glob.get("Tracing") in (None, "Active", "PassThrough")
    for function in FUNCTIONS:
        props = template.resources("AWS::Serverless::Function")[function]["Properties"]
        assert "ManagedPolicyArns" not in props
        events = {e["Type"] for e in (props.get("Events") or {}).values()}
        assert events <= {"HttpApi", "DynamoDB", "SQS", "Schedule"}, events


def conditional_grants(function: str) -> list[tuple[str, dict[str, Any]]]:
    """(condition, statement) of the grants that exist only when a template condition holds."""
    props = template.resources("AWS::Serverless::Function")[function]["Properties"]
    out = []
    for policy in props.get("Policies") or []:
        for st in policy.get("Statement", []) if isinstance(policy, dict) else []:
            if "Fn::If" in st:
                condition, when_true, when_false = st["Fn::If"]
                assert when_false == {"Ref": "AWS::NoValue"}, (
                    f"{function}: a conditional grant must be all or nothing"
                )
                out.append((condition, when_true))
    return out


# function -> the template conditions its conditional grants depend on, in order.
CONDITIONAL = {
    "SubmitFunction": ["HasPolicyParameter", "HasToxicity", "HasAkismet"],
    "AuthorFunction": ["HasPolicyParameter", "HasToxicity", "HasAkismet"],
    "ReportFunction": ["HasPolicyParameter"],
    "RelayFunction": ["HasAkismet"],
}
# What each condition grants: exactly one action, on exactly one resource.
CONDITIONAL_USES = {
    "HasPolicyParameter": (
        "ssm:GetParameter",
        "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${PolicyParameterName}",
    ),
    "HasToxicity": ("comprehend:DetectToxicContent", "*"),
    "HasAkismet": ("secretsmanager:GetSecretValue", "AkismetSecretArn"),
}


@pytest.mark.parametrize("function", FUNCTIONS)
def test_each_conditional_grant_is_one_action_only_when_configured(function):
    # Given the grants a function has only when a template condition holds: the live policy
    # (POLICY_PARAMETER: submit, report, author edits), Comprehend's toxicity check and Akismet
    grants = conditional_grants(function)
    # Then they are exactly the expected ones, each one action on one resource
    assert [condition for condition, _ in grants] == CONDITIONAL.get(function, [])
    for condition, st in grants:
        action, resource = CONDITIONAL_USES[condition]
        assert st["Effect"] == "Allow" and st["Action"] == action
        assert _ref(st["Resource"]) == resource


def test_the_toxicity_grant_is_the_only_star_and_only_in_the_stacks_own_region():
    # Given Comprehend's DetectToxicContent, which has no resource type (AWS accepts only "*")
    for function in ("SubmitFunction", "AuthorFunction"):
        [st] = [st for condition, st in conditional_grants(function) if condition == "HasToxicity"]
        # Then the grant is narrowed by an IAM condition to the stack's region
        assert st["Condition"] == {"StringEquals": {"aws:RequestedRegion": {"Ref": "AWS::Region"}}}
    # and the toxicity check is on only with a threshold above 0
    assert template.load()["Conditions"]["HasToxicity"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "ToxicityThreshold"}, 0]}]
    }
