"""`comments-deploy-web --stack NAME` against the emulator: what it puts in the web bucket (the
widget and the console under versioned names cached for a year, the console page and /config.json
cached briefly and pointing at them), what it tells CloudFront to forget, and what it prints."""

import json
import re
import uuid
from pathlib import Path

import pytest
from comments_cli import deploy_web

WEB = Path(__file__).resolve().parents[2] / "web"


@pytest.fixture
def deployed(aws_stack, monkeypatch):
    """A stack as `sam deploy` leaves it: its outputs, the web bucket, the distribution."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws_stack.endpoint)
    bucket = f"web-{uuid.uuid4().hex[:10]}"
    aws_stack.client("s3").create_bucket(Bucket=bucket)
    distribution = aws_stack.client("cloudfront").create_distribution(
        DistributionConfig={
            "CallerReference": uuid.uuid4().hex,
            "Comment": "web",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "web",
                        "DomainName": f"{bucket}.s3.amazonaws.com",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "web",
                "ViewerProtocolPolicy": "redirect-to-https",
                "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
            },
        }
    )["Distribution"]
    domain = distribution["DomainName"]
    outputs = {
        "ApiUrl": "https://abc123.execute-api.us-east-1.amazonaws.com",
        "ModeratorsUserPoolId": aws_stack.user_pools["ModeratorsUserPool"],
        "ModeratorsUserPoolClientId": aws_stack.user_pool_clients["ModeratorsUserPoolClient"],
        "WebBucketName": bucket,
        "WebDistributionId": distribution["Id"],
        "ConsoleUrl": f"https://{domain}/moderation/",
        "WidgetUrl": f"https://{domain}/static/comments-widget.js",
    }
    name = f"comments-{uuid.uuid4().hex[:6]}"
    aws_stack.client("cloudformation").create_stack(
        StackName=name,
        TemplateBody=json.dumps(
            {
                "Resources": {"Nothing": {"Type": "AWS::CloudFormation::WaitConditionHandle"}},
                "Outputs": {k: {"Value": v} for k, v in outputs.items()},
            }
        ),
    )
    return name, bucket, distribution["Id"], outputs


def objects(aws_stack, bucket: str) -> dict[str, dict]:
    s3 = aws_stack.client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    out = {}
    for key in keys:
        got = s3.get_object(Bucket=bucket, Key=key)
        out[key] = {"body": got["Body"].read(), "type": got["ContentType"], "cache": got.get("CacheControl")}
    return out


def test_deploy_web_uploads_the_front_end_and_writes_the_config(aws_stack, deployed, capsys):
    name, bucket, distribution, outputs = deployed
    # When the site's engineer runs the documented step after sam deploy
    assert deploy_web.main(["--stack", name, "--web", str(WEB)]) == 0
    stored = objects(aws_stack, bucket)
    # Then every script and stylesheet is there under a name that changes with its content, for a year
    for name_ in deploy_web.ASSETS:
        stem, ext = name_.rsplit(".", 1)
        [key] = [k for k in stored if re.fullmatch(rf"static/{re.escape(stem)}\.[0-9a-f]{{12}}\.{ext}", k)]
        assert stored[key]["body"] == (WEB / name_).read_bytes()
        assert stored[key]["cache"] == "public, max-age=31536000, immutable"
        assert stored[key]["type"].startswith("text/javascript" if ext == "js" else "text/css")
    # And the widget also under its stable names (the WidgetUrl), for five minutes
    for name_ in ("comments-widget.js", "comments-widget.css"):
        assert stored[f"static/{name_}"]["body"] == (WEB / name_).read_bytes()
        assert stored[f"static/{name_}"]["cache"] == "public, max-age=300"
    # And the console page points at the versioned files, each of which exists
    page = stored["moderation/index.html"]
    assert page["cache"] == "no-cache" and page["type"].startswith("text/html")
    referenced = re.findall(r'(?:src|href)="/(static/[^"]+)"', page["body"].decode())
    console_files = [a for a in deploy_web.ASSETS if a.startswith("moderation")]  # the page's css and scripts
    assert len(referenced) == len(console_files) == 9 and all(key in stored for key in referenced)
    assert all(re.search(r"\.[0-9a-f]{12}\.", key) for key in referenced)
    # And /config.json tells the console where the API, the pool and Cognito are, for a minute
    config = stored["config.json"]
    assert config["cache"] == "public, max-age=60" and config["type"].startswith("application/json")
    assert json.loads(config["body"]) == {
        "apiUrl": outputs["ApiUrl"],
        "region": "us-east-1",
        "userPoolId": outputs["ModeratorsUserPoolId"],
        "clientId": outputs["ModeratorsUserPoolClientId"],
        "cognitoEndpoint": "https://cognito-idp.us-east-1.amazonaws.com/",
        "passwordPolicy": aws_stack.client("cognito-idp").describe_user_pool(
            UserPoolId=outputs["ModeratorsUserPoolId"]
        )["UserPool"]["Policies"]["PasswordPolicy"],
    }
    # And it has the same keys as the config the dev server serves (the console reads either)
    from comments_dev.web import console_config

    assert set(json.loads(config["body"])) == set(console_config("http://x", "us-east-1", "p", "c", {}))
    # And CloudFront forgets its copies of the short-lived files
    batches = aws_stack.client("cloudfront").list_invalidations(DistributionId=distribution)[
        "InvalidationList"
    ]
    assert batches["Quantity"] == 1
    # And the engineer is told the console's URL and the widget's embed code
    out = capsys.readouterr().out
    assert f"The console: {outputs['ConsoleUrl']}" in out
    assert f'data-api="{outputs["ApiUrl"]}"' in out
    assert f'<script src="{outputs["WidgetUrl"]}" defer></script>' in out
    assert 'integrity="sha384-' in out


def test_a_second_deploy_of_the_same_files_keeps_the_same_names(aws_stack, deployed):
    name, bucket, _, _ = deployed
    assert deploy_web.main(["--stack", name, "--web", str(WEB)]) == 0
    first = set(objects(aws_stack, bucket))
    assert deploy_web.main(["--stack", name, "--web", str(WEB)]) == 0
    assert set(objects(aws_stack, bucket)) == first


def test_a_changed_script_gets_a_new_name_and_the_page_points_at_it(aws_stack, deployed, tmp_path):
    name, bucket, _, _ = deployed
    for file in WEB.iterdir():
        (tmp_path / file.name).write_bytes(file.read_bytes())
    assert deploy_web.main(["--stack", name, "--web", str(tmp_path)]) == 0
    before = objects(aws_stack, bucket)["moderation/index.html"]["body"]
    (tmp_path / "moderation.js").write_text((tmp_path / "moderation.js").read_text() + "\n// changed\n")
    assert deploy_web.main(["--stack", name, "--web", str(tmp_path)]) == 0
    after = objects(aws_stack, bucket)["moderation/index.html"]["body"]
    old = re.search(rb"/static/(moderation\.[0-9a-f]{12}\.js)", before).group(1)
    new = re.search(rb"/static/(moderation\.[0-9a-f]{12}\.js)", after).group(1)
    assert old != new and f"static/{new.decode()}" in objects(aws_stack, bucket)


def test_without_a_stack_or_values_it_says_what_is_missing(monkeypatch, capsys):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    assert deploy_web.main([]) == 2
    err = capsys.readouterr().err
    assert "--bucket" in err and "--stack NAME" in err
