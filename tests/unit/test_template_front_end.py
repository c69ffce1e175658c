"""What template.yaml promises a site's engineer, read off the template itself: the front end is
served from a private, versioned, encrypted bucket through CloudFront with origin access control
and strict headers; every alarm tells an SNS topic; AllowedOrigins must be given and the
console's origin is allowed by itself; the moderators sign in with SRP and short-lived tokens."""

from typing import Any

from comments_dev import template


def one(kind: str) -> tuple[str, dict[str, Any]]:
    [(name, resource)] = template.resources(kind).items()
    return name, resource["Properties"]


def test_the_web_bucket_is_private_versioned_and_encrypted():
    bucket, props = one("AWS::S3::Bucket")
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    [rule] = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
    assert props["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    _, policy = one("AWS::S3::BucketPolicy")
    assert policy["Bucket"] == {"Ref": bucket}
    allow, deny = policy["PolicyDocument"]["Statement"]
    # Only CloudFront reads, and only for this stack's distribution; nothing over plain HTTP
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"} and allow["Action"] == "s3:GetObject"
    assert "${WebDistribution}" in allow["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_the_distribution_reads_the_bucket_through_origin_access_control():
    props = template.resources("AWS::CloudFront::Distribution")["WebDistribution"]["Properties"]
    config = props["DistributionConfig"]
    [origin] = config["Origins"]
    assert origin["DomainName"] == {"Fn::GetAtt": ["WebBucket", "RegionalDomainName"]}
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["WebOriginAccessControl", "Id"]}
    _, oac = one("AWS::CloudFront::OriginAccessControl")
    assert oac["OriginAccessControlConfig"]["SigningBehavior"] == "always"
    behaviours = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]
    assert all(b["ViewerProtocolPolicy"] in ("redirect-to-https", "https-only") for b in behaviours)
    assert config["DefaultCacheBehavior"]["ResponseHeadersPolicyId"] == {"Ref": "ConsoleHeadersPolicy"}


def test_the_console_headers_forbid_inline_code_and_framing():
    policy = template.resources("AWS::CloudFront::ResponseHeadersPolicy")["ConsoleHeadersPolicy"]
    security = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    csp = " ".join(security["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"].split())
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe" not in csp and "data:" not in directives["script-src"]
    assert directives["frame-ancestors"] == "'none'" and directives["form-action"] == "'none'"
    assert "https://cognito-idp.${AWS::Region}.${AWS::URLSuffix}" in directives["connect-src"]
    assert security["FrameOptions"]["FrameOption"] == "DENY"
    assert security["ContentTypeOptions"]["Override"] is True
    assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000


def test_the_outputs_name_the_widget_and_the_console():
    outputs = template.load()["Outputs"]
    assert outputs["WidgetUrl"]["Value"]["Fn::Sub"].endswith("/static/comments-widget.js")
    assert outputs["ConsoleUrl"]["Value"]["Fn::Sub"] == "https://${WebDistribution.DomainName}/moderation/"
    for name in ("WebBucketName", "WebDistributionId", "ModeratorsUserPoolId", "ModeratorsUserPoolClientId"):
        assert name in outputs  # what comments-deploy-web reads


def test_every_alarm_notifies_the_topic_and_an_email_subscription_is_optional():
    topic, _ = one("AWS::SNS::Topic")
    alarms = template.resources("AWS::CloudWatch::Alarm")
    assert {"ModerationBacklogAlarm", "OldestHeldCommentAlarm", "ModerationDeadLetterAlarm"} <= set(alarms)
    for name, alarm in alarms.items():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic}], name
    [(_, subscription)] = template.resources("AWS::SNS::Subscription").items()
    assert subscription["Condition"] == "HasAlarmEmail"
    assert subscription["Properties"]["Protocol"] == "email"
    parameters = template.load()["Parameters"]
    assert parameters["AlarmEmail"]["Default"] == ""


def test_allowed_origins_must_be_given_and_the_console_is_allowed_by_itself():
    assert "Default" not in template.load()["Parameters"]["AllowedOrigins"]
    _, api = one("AWS::Serverless::HttpApi")
    origins = str(api["CorsConfiguration"]["AllowOrigins"])
    assert "AllowedOrigins" in origins and "${WebDistribution.DomainName}" in origins


def test_moderators_sign_in_with_srp_and_short_lived_revocable_tokens():
    _, client = one("AWS::Cognito::UserPoolClient")
    assert client["ExplicitAuthFlows"] == ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    assert client["GenerateSecret"] is False and client["EnableTokenRevocation"] is True
    assert (client["AccessTokenValidity"], client["TokenValidityUnits"]["AccessToken"]) == (15, "minutes")
    assert (client["RefreshTokenValidity"], client["TokenValidityUnits"]["RefreshToken"]) == (12, "hours")
    _, pool = one("AWS::Cognito::UserPool")
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    message = pool["AdminCreateUserConfig"]["InviteMessageTemplate"]["EmailMessage"]["Fn::Sub"]
    assert "{####}" in message and "{username}" in message and "/moderation/" in message
