"""`comments-deploy-web --stack NAME` (`make deploy-web STACK=NAME`): put web/ where the stack
serves it, after `sam deploy`.

Uploads the comment widget, its stylesheet and the moderator console to the stack's web bucket
(behind its CloudFront distribution), and writes /config.json from the stack's outputs, so one
copy of web/ serves any stack with no rebuild:

- each script and stylesheet under a versioned name, static/<name>.<content hash>.<ext>, cached
  for a year (a new version is a new name);
- the console page, moderation/index.html, pointing at those names, and /config.json (the API,
  the user pool, its app client, the regional Cognito endpoint, the password policy): cached
  for a minute at most;
- the widget also under its stable names (static/comments-widget.js and .css: the stack's
  WidgetUrl), cached for five minutes, so a site's embed code never changes;
- then CloudFront forgets its copies of the short-lived files.

Needs s3:PutObject on the bucket, cloudfront:CreateInvalidation, cognito-idp:DescribeUserPool
and cloudformation:DescribeStacks; with AWS_ENDPOINT_URL it works against the local emulator.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from comments_cli.resources import ConfigError, aws_session, stack_outputs

PROG = "comments-deploy-web"
WEB = Path("web")
# What the stack serves: the widget and the console (the demo article and policy pages are make dev's).
ASSETS = (
    "comments-widget.js",
    "comments-widget.css",
    "moderation.js",
    "moderation-auth.js",
    "moderation-api.js",
    "moderation-cards.js",
    "moderation-claims.js",
    "moderation-decisions.js",
    "moderation-filters.js",
    "moderation-keys.js",
    "moderation.css",
)
WIDGET = ("comments-widget.js", "comments-widget.css")
CONSOLE_PAGE = "moderation.html"
CONSOLE_KEY = "moderation/index.html"
CONFIG_KEY = "config.json"
FOREVER = "public, max-age=31536000, immutable"
WIDGET_STABLE = "public, max-age=300"
SHORT = "public, max-age=60"
CONSOLE = "no-cache"
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
OUTPUTS = {
    "bucket": "WebBucketName",
    "distribution": "WebDistributionId",
    "api_url": "ApiUrl",
    "user_pool_id": "ModeratorsUserPoolId",
    "client_id": "ModeratorsUserPoolClientId",
}


@dataclass
class Target:
    bucket: str
    distribution: str | None
    api_url: str
    user_pool_id: str
    client_id: str
    outputs: dict[str, str] = field(default_factory=dict)

    @property
    def region(self) -> str:
        return self.user_pool_id.split("_", 1)[0]


@dataclass(frozen=True)
class Upload:
    key: str
    body: bytes
    content_type: str
    cache_control: str


def versioned_name(name: str, body: bytes) -> str:
    stem, dot, ext = name.rpartition(".")
    return f"{stem}.{hashlib.sha256(body).hexdigest()[:12]}{dot}{ext}"


def cognito_endpoint(region: str) -> str:
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"https://cognito-idp.{region}.{suffix}/"


def console_config(target: Target, password_policy: dict[str, Any]) -> dict[str, Any]:
    """/config.json: the keys the dev server's own config has (comments_dev.web.console_config)."""
    return {
        "apiUrl": target.api_url.rstrip("/"),
        "region": target.region,
        "userPoolId": target.user_pool_id,
        "clientId": target.client_id,
        "cognitoEndpoint": cognito_endpoint(target.region),
        "passwordPolicy": password_policy,
    }


def plan(web: Path, config: dict[str, Any]) -> list[Upload]:
    """Every object to put, in a safe order: versioned files first, then what points at them."""
    uploads: list[Upload] = []
    names: dict[str, str] = {}
    for name in ASSETS:
        body = (web / name).read_bytes()
        names[name] = versioned_name(name, body)
        content_type = TYPES[Path(name).suffix]
        uploads.append(Upload(f"static/{names[name]}", body, content_type, FOREVER))
    for name in WIDGET:
        body = (web / name).read_bytes()
        uploads.append(Upload(f"static/{name}", body, TYPES[Path(name).suffix], WIDGET_STABLE))
    page = (web / CONSOLE_PAGE).read_text(encoding="utf-8")

    def versioned(match: re.Match[str]) -> str:
        name = match.group(2)
        if name not in names:
            raise ConfigError(f"{CONSOLE_PAGE} refers to /static/{name}, which is not uploaded")
        return f'{match.group(1)}="/static/{names[name]}"'

    page = re.sub(r'(src|href)="/static/([^"]+)"', versioned, page)
    uploads.append(Upload(CONSOLE_KEY, page.encode(), "text/html; charset=utf-8", CONSOLE))
    uploads.append(
        Upload(CONFIG_KEY, json.dumps(config, indent=2).encode(), "application/json; charset=utf-8", SHORT)
    )
    return uploads


def target_from(args: argparse.Namespace, session: Any) -> Target:
    given = {key: getattr(args, key) for key in OUTPUTS}
    outputs: dict[str, str] = {}
    if args.stack:
        outputs = stack_outputs(session, args.stack)
        for key, output in OUTPUTS.items():
            given[key] = given[key] or outputs.get(output)
    missing = [f"--{k.replace('_', '-')}" for k, v in given.items() if not v and k != "distribution"]
    if missing:
        raise ConfigError(
            f"missing {', '.join(missing)}: give --stack NAME (the stack `sam deploy` made) or each value"
        )
    return Target(outputs=outputs, **given)


def deploy(session: Any, target: Target, web: Path, out: IO[str]) -> list[Upload]:
    pool = session.client("cognito-idp").describe_user_pool(UserPoolId=target.user_pool_id)["UserPool"]
    uploads = plan(web, console_config(target, pool.get("Policies", {}).get("PasswordPolicy", {})))
    s3 = session.client("s3")
    for upload in uploads:
        s3.put_object(
            Bucket=target.bucket,
            Key=upload.key,
            Body=upload.body,
            ContentType=upload.content_type,
            CacheControl=upload.cache_control,
        )
        print(f"  uploaded {upload.key} ({upload.cache_control})", file=out)
    if target.distribution:
        short = [*sorted("/" + u.key for u in uploads if u.cache_control != FOREVER), "/moderation/"]
        session.client("cloudfront").create_invalidation(
            DistributionId=target.distribution,
            InvalidationBatch={
                "Paths": {"Quantity": len(short), "Items": short},
                "CallerReference": f"{PROG}-{time.time_ns()}",
            },
        )
        print(f"  CloudFront forgets its copies of {', '.join(short)}", file=out)
    return uploads


def report(target: Target, uploads: list[Upload], out: IO[str]) -> None:
    widget = next(
        u
        for u in uploads
        if u.key.startswith("static/comments-widget.")
        and u.key.endswith(".js")
        and u.cache_control == FOREVER
    )
    integrity = "sha384-" + base64.b64encode(hashlib.sha384(widget.body).digest()).decode()
    console = target.outputs.get("ConsoleUrl", "(the stack's ConsoleUrl output)")
    widget_url = target.outputs.get("WidgetUrl", "(the stack's WidgetUrl output)")
    api = target.outputs.get("EdgeUrl") or target.api_url
    print(
        f"\nThe console: {console}\n"
        "\nThe widget, for your article pages (where the comments go):\n"
        f'  <div data-comments data-article-id="THE-ARTICLE-ID" data-api="{api}"></div>\n'
        f'  <script src="{widget_url}" defer></script>\n'
        f"\nOr pinned to this version, with Subresource Integrity:\n"
        f'  <script src="{widget_url.rsplit("/", 1)[0]}/{widget.key.rsplit("/", 1)[1]}" '
        f'integrity="{integrity}" crossorigin="anonymous" defer></script>',
        file=out,
    )


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Upload the comment widget and the moderator console (web/) to a deployed stack's "
        "web bucket and write its /config.json from the stack's outputs.",
    )
    p.add_argument("--stack", metavar="NAME", help="the CloudFormation stack (sam deploy's stack name)")
    p.add_argument("--profile", help="AWS profile (else boto3's default chain)")
    p.add_argument("--region", help="AWS region (else boto3's default chain)")
    p.add_argument("--web", type=Path, default=WEB, metavar="DIR", help="the web/ folder (default: ./web)")
    p.add_argument("--bucket", metavar="NAME", help=f"instead of the stack's {OUTPUTS['bucket']}")
    p.add_argument("--distribution", metavar="ID", help=f"instead of the stack's {OUTPUTS['distribution']}")
    p.add_argument("--api-url", metavar="URL", help=f"instead of the stack's {OUTPUTS['api_url']}")
    p.add_argument("--user-pool-id", metavar="ID", help=f"instead of the stack's {OUTPUTS['user_pool_id']}")
    p.add_argument("--client-id", metavar="ID", help=f"instead of the stack's {OUTPUTS['client_id']}")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        session = aws_session(args.profile, args.region)
        target = target_from(args, session)
        if not (args.web / CONSOLE_PAGE).is_file():
            raise ConfigError(f"no {CONSOLE_PAGE} in {args.web}: run from the project's folder or give --web")
        print(f"Uploading {args.web}/ to s3://{target.bucket}/", file=sys.stdout)
        uploads = deploy(session, target, args.web, sys.stdout)
        report(target, uploads, sys.stdout)
        return 0
    except ConfigError as problem:
        print(f"{PROG}: {problem}", file=sys.stderr)
        return 2
    except Exception as failed:
        from botocore.exceptions import BotoCoreError, ClientError

        if isinstance(failed, ClientError | BotoCoreError):
            print(f"{PROG}: AWS error: {failed}", file=sys.stderr)
            return 5
        raise


if __name__ == "__main__":
    raise SystemExit(main())
