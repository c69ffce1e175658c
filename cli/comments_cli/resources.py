"""Where the operator tools find the service: its table, queues and secret, against AWS or the
local emulator (`make dev`), and the runtime the service's own code runs on for them.

Each resource comes from the first that gives it:
  1. a flag (--table, --queue, --dlq, --secret-arn);
  2. the environment the functions read (TABLE_NAME, QUEUE_URL, DEAD_LETTER_QUEUE_URL, SECRET_ARN);
  3. --stack NAME: the CloudFormation stack's outputs;
  4. with AWS_ENDPOINT_URL set (the emulator) and no --stack: the one table/queue/secret whose
     name ends with the template's logical id (more than one is an error, never a guess).
Credentials and region are boto3's (with --profile / --region); nothing here changes the
process environment.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from comments.api.runtime import Runtime

# What each resource is called: the flag, the variable the layer reads, the template's stack
# output, and the end of its name on the emulator (the template's logical id).
RESOURCES = {
    "table": ("--table", "TABLE_NAME", "TableName", "CommentsTable"),
    "queue": ("--queue", "QUEUE_URL", "ModerationQueueUrl", "ModerationQueue"),
    "dlq": ("--dlq", "DEAD_LETTER_QUEUE_URL", "ModerationDeadLetterQueueUrl", "ModerationDeadLetterQueue"),
    "secret": ("--secret-arn", "SECRET_ARN", "ServiceSecretArn", "ServiceSecret"),
}
EMULATOR_REGION = "us-east-1"  # where comments_dev.emulator creates the stack


class ConfigError(Exception):
    """Configuration missing or ambiguous: a message for the operator, no traceback."""


@dataclass
class Resources:
    values: dict[str, str] = field(default_factory=dict)  # "table" -> name/URL/ARN
    origin: dict[str, str] = field(default_factory=dict)  # "table" -> where it came from

    def get(self, key: str) -> str | None:
        return self.values.get(key)


def aws_session(profile: str | None, region: str | None, environ: Mapping[str, str] = os.environ) -> Any:
    """boto3's session for the tool: the profile and region flags; on the emulator, its region
    and, if the operator has no credentials at all, the emulator's dummy ones."""
    import boto3

    emulator = bool(environ.get("AWS_ENDPOINT_URL"))
    if emulator and not region and not (environ.get("AWS_DEFAULT_REGION") or environ.get("AWS_REGION")):
        region = EMULATOR_REGION
    session = boto3.Session(profile_name=profile, region_name=region)
    if emulator and session.get_credentials() is None:
        session = boto3.Session(
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106 - the emulator's dummy credentials
            region_name=region or session.region_name,
        )
    return session


def resolve(
    flags: Mapping[str, str | None],
    stack: str | None,
    session: Any,
    environ: Mapping[str, str] = os.environ,
    keys: tuple[str, ...] = tuple(RESOURCES),
) -> Resources:
    """Flags, then environment, then --stack outputs, then discovery on the emulator, for the
    resources `keys` names (a tool that needs no queue does not look for one)."""
    found = Resources()
    for key in keys:
        flag, env, _output, _suffix = RESOURCES[key]
        value = flags.get(key)
        if value:
            found.values[key], found.origin[key] = value, flag
        elif environ.get(env):
            found.values[key], found.origin[key] = environ[env], env
    missing = [k for k in keys if k not in found.values]
    if missing and stack:
        outputs = stack_outputs(session, stack)
        for key in missing:
            output = RESOURCES[key][2]
            if outputs.get(output):
                found.values[key], found.origin[key] = outputs[output], f"stack {stack}"
    elif missing and environ.get("AWS_ENDPOINT_URL"):
        found.values.update((k, v) for k, v in discover(session, missing).items())
        found.origin.update((k, "emulator") for k in missing if k in found.values)
    return found


def stack_outputs(session: Any, stack: str) -> dict[str, str]:
    reply = session.client("cloudformation").describe_stacks(StackName=stack)
    outputs = reply["Stacks"][0].get("Outputs", [])
    return {o["OutputKey"]: o["OutputValue"] for o in outputs}


def _names(session: Any, keys: list[str]) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    if "table" in keys:
        tables: list[str] = []
        for page in session.client("dynamodb").get_paginator("list_tables").paginate():
            tables += page.get("TableNames", [])
        names["table"] = tables
    if "queue" in keys or "dlq" in keys:
        urls: list[str] = []
        for page in session.client("sqs").get_paginator("list_queues").paginate():
            urls += page.get("QueueUrls", [])
        names["queue"] = names["dlq"] = urls
    if "secret" in keys:
        arns: list[str] = []
        for page in session.client("secretsmanager").get_paginator("list_secrets").paginate():
            arns += [
                s["ARN"] for s in page.get("SecretList", []) if s.get("Name", "").endswith("ServiceSecret")
            ]
        names["secret"] = arns
    return names


def discover(session: Any, keys: list[str]) -> dict[str, str]:
    """The emulator's resources by the end of their names (the template's logical ids). More
    than one candidate (several stacks on one emulator) is refused, never guessed."""
    names = _names(session, keys)
    found: dict[str, str] = {}
    for key in keys:
        flag, env, _output, suffix = RESOURCES[key]
        if key == "secret":
            candidates = names["secret"]
        else:
            candidates = [n for n in names[key] if n.rstrip("/").rsplit("/", 1)[-1].endswith(suffix)]
        if len(candidates) > 1:
            shown = ", ".join(sorted(c.rsplit("/", 1)[-1].rsplit(":", 1)[-1] for c in candidates)[:5])
            raise ConfigError(
                f"the emulator has {len(candidates)} resources ending with {suffix} ({shown}); "
                f"choose one with {flag} or {env}"
            )
        if candidates:
            found[key] = candidates[0]
    return found


def require(resources: Resources, *keys: str, environ: Mapping[str, str] = os.environ) -> None:
    missing = [k for k in keys if not resources.get(k)]
    if "secret" in missing and environ.get("COMMENTS_DEV_SECRET"):
        missing.remove("secret")  # local work: the secret itself instead of Secrets Manager
    if missing:
        wanted = ", ".join(f"{RESOURCES[k][0]} (or {RESOURCES[k][1]})" for k in missing)
        raise ConfigError(
            f"missing configuration: {wanted}. Give them, or --stack NAME for a deployed stack, "
            "or set AWS_ENDPOINT_URL to work against the local emulator (make dev)"
        )


def runtime(
    resources: Resources,
    session: Any,
    *,
    claim_seconds: int | None = None,
    queue_wait_seconds: int = 0,
    policy_parameter: str | None = None,
    environ: Mapping[str, str] = os.environ,
) -> Runtime:
    """The service's own runtime on these resources: the same domain code and adapters as the
    functions, with the operator's credentials."""
    from comments.api.runtime import Runtime, Settings

    values: dict[str, Any] = {
        "table_name": resources.get("table") or "",
        "queue_url": resources.get("queue"),
        "dead_letter_queue_url": resources.get("dlq"),
        "secret_arn": resources.get("secret"),
        "dev_secret": environ.get("COMMENTS_DEV_SECRET") or None,
        "policy_parameter": policy_parameter or environ.get("POLICY_PARAMETER") or None,
    }
    if claim_seconds is not None:
        values["claim_seconds"] = claim_seconds
    elif environ.get("CLAIM_SECONDS"):
        values["claim_seconds"] = int(environ["CLAIM_SECONDS"])
    return Runtime(Settings(**values), session=session, queue_wait_seconds=queue_wait_seconds)


# -- what the tools share: their resource flags, their runtime, and how AWS errors read --------------
# The exit codes every tool has (each adds its own between them).
EXIT_OK, EXIT_UNEXPECTED, EXIT_USAGE, EXIT_AWS, EXIT_INTERRUPTED = 0, 1, 2, 5, 130

_HELP = {
    "table": ("NAME", "DynamoDB comments table"),
    "queue": ("URL", "SQS moderation queue URL"),
    "dlq": ("URL", "SQS moderation dead-letter queue URL"),
    "secret": ("ARN", "Secrets Manager ARN of the service secret"),
}


def whole_number(low: int, high: int, unit: str = "") -> Callable[[str], int]:
    """An argparse type: a whole number (ASCII digits) from `low` to `high`, of `unit` if given."""
    what = f"a whole number of {unit}" if unit else "a whole number"

    def parse(raw: str) -> int:
        if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
            raise argparse.ArgumentTypeError(f"must be {what} from {low} to {high}")
        return int(raw)

    return parse


def configuration_help(keys: tuple[str, ...]) -> str:
    """The epilog paragraph that says where each resource comes from."""
    flags = ", ".join(RESOURCES[k][0] for k in keys)
    envs = ", ".join(RESOURCES[k][1] for k in keys)
    outputs = ", ".join(RESOURCES[k][2] for k in keys)
    suffixes = ", ".join(RESOURCES[k][3] for k in keys)
    lines = (
        "configuration, each resource from the first that gives it:",
        f"  1. flags {flags}",
        f"  2. environment {envs}",
        f"  3. --stack NAME: the CloudFormation stack's outputs {outputs}",
        "  4. with AWS_ENDPOINT_URL set (the local emulator of `make dev`) and no --stack: the one",
        f"     resource whose name ends with {suffixes}",
        "  AWS credentials and region are boto3's usual ones (AWS_PROFILE, --profile, --region, ...).",
    )
    wrap = textwrap.TextWrapper(96, subsequent_indent="     ", break_long_words=False, break_on_hyphens=False)
    return "".join(wrap.fill(line) + "\n" for line in lines)


def add_arguments(parser: Any, keys: tuple[str, ...]) -> None:
    """The flags that find the service (`keys` of RESOURCES), and --stack, --profile, --region,
    --debug: every tool's."""
    for key in keys:
        metavar, text = _HELP[key]
        parser.add_argument(RESOURCES[key][0], dest=key, metavar=metavar, help=text)
    parser.add_argument(
        "--stack", metavar="NAME", help="read the resources from this CloudFormation stack's outputs"
    )
    parser.add_argument("--profile", help="AWS profile (else boto3's default chain)")
    parser.add_argument("--region", help="AWS region (else boto3's default chain)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")


def tool_runtime(
    args: Any,
    keys: tuple[str, ...],
    policy_parameter: str | None = None,
    environ: Mapping[str, str] = os.environ,
) -> Runtime:
    """The runtime of a tool given `add_arguments`' flags: found as comments-moderate finds it."""
    session = aws_session(args.profile, args.region, environ)
    flags = {k: getattr(args, k, None) for k in RESOURCES}
    found = resolve(flags, args.stack, session, environ, keys)
    require(found, *keys, environ=environ)
    return runtime(found, session, policy_parameter=policy_parameter, environ=environ)


def aws_problem(exc: BaseException) -> str | None:
    """One line for an AWS failure (credentials, region, permissions, endpoint, a missing
    resource, the secret), or None if it is not one."""
    from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

    if isinstance(exc, NoCredentialsError):
        return "no AWS credentials: configure them (aws configure / aws sso login) or use --profile"
    if isinstance(exc, NoRegionError):
        return "no AWS region: set AWS_REGION or use --region"
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        op = getattr(exc, "operation_name", "") or "request"
        return f"AWS error in {op}: {err.get('Code', 'Error')}: {err.get('Message', '')}".rstrip(": ")
    if isinstance(exc, BotoCoreError):
        return f"AWS error: {exc}"
    if isinstance(exc, GetParameterError):
        return f"cannot read the service secret: {exc}"
    return None


def guarded(
    prog: str,
    action: Callable[[], int],
    explain: Callable[[Exception], tuple[int, str]],
    *,
    debug: bool = False,
    interrupted: str = "interrupted",
) -> int:
    """Run a tool's work: whatever goes wrong is one line on stderr and an exit code (130 for
    Ctrl-C), never a traceback, unless --debug asks for it."""
    try:
        return action()
    except KeyboardInterrupt:
        print(f"\n{prog}: {interrupted}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        if debug:
            raise
        code, message = explain(exc)
        print(f"{prog}: {message}", file=sys.stderr)
        return code


def explained(exc: Exception) -> tuple[int, str]:
    """The exit code and line of a failure a tool has no words of its own for: configuration,
    AWS, or unexpected (`guarded`'s `explain`, or where a tool's own ends)."""
    if isinstance(exc, ConfigError):
        return EXIT_USAGE, str(exc)
    if (aws := aws_problem(exc)) is not None:
        return EXIT_AWS, aws
    return EXIT_UNEXPECTED, f"unexpected error: {type(exc).__name__}: {exc} (--debug shows the traceback)"
