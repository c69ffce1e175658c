"""The embedded AWS emulator: moto in server mode, as a real process reached over HTTP by the
same boto3 code that runs in Lambda, with the table(s), queues and secret created from
template.yaml's own resource definitions."""

import os
import secrets
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

import boto3

from comments_dev import template

REGION = "us-east-1"
ACCOUNT = "123456789012"
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}


@dataclass
class MotoServer:
    """A moto server subprocess on a loopback port (`comments_dev.moto_server`: moto with
    transactions that do not copy the whole table).

    The port is never picked, released and bound again (another process could take it in
    between): this process binds and listens on it (port 0: any free one), and the child serves
    that very socket, handed over as an inherited file descriptor. The child also exits as soon
    as this process does (it watches its stdin, a pipe whose other end dies with us), so a
    crashed or killed parent leaves no moto behind."""

    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> "MotoServer":
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("127.0.0.1", self.port))
            listener.listen(256)
            self.port = int(listener.getsockname()[1])
            fd = listener.fileno()
            env = {**os.environ, **FAKE_CREDENTIALS}
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [
                    sys.executable,
                    "-m",
                    "comments_dev.moto_server",
                    "-H",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                    "--fd",
                    str(fd),
                    "--exit-with-parent",
                ],
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                pass_fds=(fd,),
            )
        finally:
            listener.close()  # the child holds its own copy
        try:
            self._wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self, timeout: float) -> None:
        """Until the child says it serves (one line on its stdout)."""
        import selectors

        assert self.process is not None and self.process.stdout is not None
        with selectors.DefaultSelector() as sel:
            sel.register(self.process.stdout, selectors.EVENT_READ)
            if sel.select(timeout):
                line = self.process.stdout.readline()
                if line.strip() == b"ready":
                    return
                raise RuntimeError("moto server exited at start")
        raise RuntimeError("moto server did not start in time")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self.process:
            for pipe in (self.process.stdin, self.process.stdout):
                if pipe:
                    pipe.close()


@dataclass
class Stack:
    """What the template's resources became on the emulator."""

    endpoint: str
    resolve: template.Resolver
    tables: dict[str, str] = field(default_factory=dict)  # logical id -> table name
    queues: dict[str, str] = field(default_factory=dict)  # logical id -> queue URL
    secrets: dict[str, str] = field(default_factory=dict)  # logical id -> ARN
    buses: dict[str, str] = field(default_factory=dict)  # logical id -> event bus name
    user_pools: dict[str, str] = field(default_factory=dict)  # logical id -> user pool id
    user_pool_clients: dict[str, str] = field(default_factory=dict)  # logical id -> app client id

    def client(self, service: str) -> Any:
        return client(self.endpoint, service)

    def environment(self) -> dict[str, str]:
        """What every local function sees besides its own template variables."""
        return {**FAKE_CREDENTIALS, "AWS_ENDPOINT_URL": self.endpoint}


def client(endpoint: str, service: str) -> Any:
    """A boto3 client for the emulator at `endpoint`, with the local stack's fake credentials."""
    creds = _creds()
    return boto3.client(  # type: ignore[call-overload]
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=creds["aws_access_key_id"],
        aws_secret_access_key=creds["aws_secret_access_key"],
        aws_session_token=creds["aws_session_token"],
    )


def _creds() -> dict[str, str]:
    return {
        "aws_access_key_id": FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        "aws_session_token": FAKE_CREDENTIALS["AWS_SESSION_TOKEN"],
    }


# The local stack's own origins, for the template's required AllowedOrigins (the dev server
# passes its real port's).
LOCAL_ORIGINS = ["http://127.0.0.1:3000", "http://localhost:3000"]


def create_stack(
    endpoint: str, parameters: dict[str, Any] | None = None, prefix: str = "", web_domain: str = "localhost"
) -> Stack:
    """Create every table, queue, secret and user pool of the template on the emulator, in
    dependency order, and return how to resolve the template's !Ref / !GetAtt against them.
    `web_domain` stands for the CloudFront distribution's domain (the dev server's host)."""
    params = {**template.parameter_defaults(), "AllowedOrigins": LOCAL_ORIGINS, **(parameters or {})}
    refs: dict[str, Any] = {
        **params,
        "AWS::Region": REGION,
        "AWS::AccountId": ACCOUNT,
        "AWS::URLSuffix": "amazonaws.com",
        "AWS::StackName": f"{prefix}local",
        "AWS::Partition": "aws",
        "HttpApi": "local",
    }
    stack = Stack(endpoint=endpoint, resolve=template.Resolver(refs))
    attrs = stack.resolve.attrs
    for name in template.resources("AWS::CloudFront::Distribution"):
        refs[name] = f"{prefix}{name}"
        attrs[(name, "DomainName")] = web_domain

    for name, res in template.resources("AWS::SecretsManager::Secret").items():
        length = int(res["Properties"].get("GenerateSecretString", {}).get("PasswordLength", 64))
        arn = stack.client("secretsmanager").create_secret(
            Name=f"{prefix}{name}", SecretString=secrets.token_urlsafe(length)[:length]
        )["ARN"]
        stack.secrets[name] = refs[name] = arn

    events = stack.client("events")
    for name, res in template.resources("AWS::Events::EventBus").items():
        bus = str(stack.resolve(res["Properties"]["Name"]))
        arn = events.create_event_bus(Name=bus)["EventBusArn"]
        stack.buses[name] = refs[name] = bus
        attrs[(name, "Arn")] = arn
        attrs[(name, "Name")] = bus

    queues = template.resources("AWS::SQS::Queue")
    sqs = stack.client("sqs")
    # Dead-letter queues first: others refer to them by ARN.
    for name in sorted(queues, key=lambda n: "RedrivePolicy" in queues[n]["Properties"]):
        props = stack.resolve(queues[name]["Properties"])
        attributes = {
            key: (str(props[key]).lower() if isinstance(props[key], bool) else str(props[key]))
            for key in ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds", "SqsManagedSseEnabled")
            if key in props
        }
        if "RedrivePolicy" in props:
            import json

            attributes["RedrivePolicy"] = json.dumps(props["RedrivePolicy"])
        url = sqs.create_queue(QueueName=f"{prefix}{name}", Attributes=attributes)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        stack.queues[name] = refs[name] = url
        attrs[(name, "Arn")] = arn
        attrs[(name, "QueueName")] = f"{prefix}{name}"
        attrs[(name, "QueueUrl")] = url

    ddb = stack.client("dynamodb")
    for name, res in template.resources("AWS::DynamoDB::Table").items():
        props = stack.resolve(res["Properties"])
        table_name = f"{prefix}{name}"
        kwargs: dict[str, Any] = {
            "TableName": table_name,
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
        }
        if props.get("GlobalSecondaryIndexes"):
            kwargs["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        if props.get("StreamSpecification"):
            kwargs["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
        if props.get("SSESpecification"):
            kwargs["SSESpecification"] = {"Enabled": bool(props["SSESpecification"].get("SSEEnabled"))}
        desc = ddb.create_table(**kwargs)["TableDescription"]
        if props.get("TimeToLiveSpecification"):
            ddb.update_time_to_live(
                TableName=table_name, TimeToLiveSpecification=props["TimeToLiveSpecification"]
            )
        stack.tables[name] = refs[name] = table_name
        attrs[(name, "Arn")] = desc["TableArn"]
        attrs[(name, "StreamArn")] = desc.get("LatestStreamArn")
    create_user_pools(stack, prefix)
    return stack


# Properties of AWS::Cognito::UserPool that CreateUserPool takes under another name or not at
# all (EnabledMfas is SetUserPoolMfaConfig's business).
_POOL_PROPERTIES_NOT_IN_THE_API = {"EnabledMfas", "UserPoolName"}


def create_user_pools(stack: Stack, prefix: str = "") -> None:
    """The template's Cognito user pools, app clients and groups, with their own properties
    (password policy, username attributes, explicit auth flows, token validity, ...): the
    emulator (comments_dev.moto_cognito) signs moderators in as the deployed pool would."""
    idp = stack.client("cognito-idp")
    refs, attrs = stack.resolve.refs, stack.resolve.attrs
    for name, res in template.resources("AWS::Cognito::UserPool").items():
        props = stack.resolve(res.get("Properties") or {})
        kwargs = {k: v for k, v in props.items() if k not in _POOL_PROPERTIES_NOT_IN_THE_API}
        pool = idp.create_user_pool(PoolName=f"{prefix}{name}", **kwargs)["UserPool"]
        if "SOFTWARE_TOKEN_MFA" in props.get("EnabledMfas", []):
            idp.set_user_pool_mfa_config(
                UserPoolId=pool["Id"],
                SoftwareTokenMfaConfiguration={"Enabled": True},
                MfaConfiguration=props.get("MfaConfiguration", "OFF"),
            )
        stack.user_pools[name] = refs[name] = pool["Id"]
        attrs[(name, "Arn")] = pool["Arn"]
        attrs[(name, "ProviderName")] = f"cognito-idp.{REGION}.amazonaws.com/{pool['Id']}"
        attrs[(name, "ProviderURL")] = f"https://cognito-idp.{REGION}.amazonaws.com/{pool['Id']}"
    for name, res in template.resources("AWS::Cognito::UserPoolClient").items():
        props = stack.resolve(res["Properties"])
        client = idp.create_user_pool_client(ClientName=f"{prefix}{name}", **props)["UserPoolClient"]
        stack.user_pool_clients[name] = refs[name] = client["ClientId"]
    for _name, res in template.resources("AWS::Cognito::UserPoolGroup").items():
        idp.create_group(**stack.resolve(res["Properties"]))


def tap_events(stack: Stack, name: str = "EventTap") -> str:
    """A queue that receives every event on the template's buses (a rule matching all comment
    events): how the local stack and the tests watch what a subscriber would get."""
    sqs = stack.client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events = stack.client("events")
    for bus in stack.buses.values():
        events.put_rule(Name=f"{name}-rule", EventBusName=bus, EventPattern='{"source": ["comments"]}')
        events.put_targets(Rule=f"{name}-rule", EventBusName=bus, Targets=[{"Id": "tap", "Arn": arn}])
    return str(url)


def moderators_group() -> str:
    """The group the template's moderation function requires (its MODERATORS_GROUP)."""
    ((_name, group),) = template.resources("AWS::Cognito::UserPoolGroup").items()
    return str(group["Properties"]["GroupName"])


def local_password(length: int = 20) -> str:
    """A password the template's policy accepts: letters, digits, upper and lower case."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(length))
        classes = (str.isupper, str.islower, str.isdigit)
        if all(any(test(c) for c in password) for test in classes):
            return password


def create_moderator(stack: Stack, email: str, password: str, *, permanent: bool = True) -> None:
    """A moderator in the template's pool and group, as `comments-moderate add-moderator` makes
    one but with a password of our choosing (no invitation email locally): permanent, or
    temporary (the first sign-in then asks for a new one)."""
    idp = stack.client("cognito-idp")
    pool_id = next(iter(stack.user_pools.values()))
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username=email,
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
        TemporaryPassword=password,
        MessageAction="SUPPRESS",
    )
    if permanent:
        idp.admin_set_user_password(UserPoolId=pool_id, Username=email, Password=password, Permanent=True)
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username=email, GroupName=moderators_group())
