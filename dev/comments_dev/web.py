"""What the dev server serves as the stack's CloudFront distribution and Cognito do for the
moderator console and the widget.

- Headers: each path gets the headers of the response headers policy the template's web
  distribution gives it (its cache behaviours' path patterns, else the default behaviour), read
  from template.yaml and resolved locally, so the browser tests prove that the deployed
  Content-Security-Policy holds for the console and the widget. The demo pages (the article and
  the policy) get `SITE_CSP`: what a news site's own strict CSP would be.
- /config.json: what the console learns from the deploy's config file (`comments-deploy-web`
  writes it in AWS): the API, the region, the user pool, the app client, the Cognito endpoint.
- The Cognito relay: in AWS the console calls the regional Cognito endpoint itself. Locally it
  calls /_cognito/ on the dev server's own origin, which passes the call on to the emulator
  unchanged. moto would answer the browser directly (it allows any origin), but through the relay
  the console's CSP stays the deployed one (connect-src 'self', no emulator port in it), only the
  five calls a signed-out console makes get through (never an Admin* call, which moto would take
  unsigned), and the password-reset code Cognito would email is printed instead.
"""

import fnmatch
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from comments_dev import template

# A news site's own strict policy for the demo pages: the widget needs nothing more.
SITE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'; object-src 'none'"
)
WEB_DISTRIBUTION = "WebDistribution"  # the template's (EdgeDistribution fronts the API with WAF)
RELAY_PATH = "/_cognito/"
RELAYED_ACTIONS = frozenset(
    {"InitiateAuth", "RespondToAuthChallenge", "ForgotPassword", "ConfirmForgotPassword", "RevokeToken"}
)
_TARGET_PREFIX = "AWSCognitoIdentityProviderService."
_RESET_CODE_HEADER = "x-moto-forgot-password-confirmation-code"


def policy_headers(config: dict[str, Any], origin: str | None = None) -> dict[str, str]:
    """The headers CloudFront adds for a ResponseHeadersPolicyConfig (resolved)."""
    out: dict[str, str] = {}
    security = config.get("SecurityHeadersConfig") or {}
    if security.get("ContentSecurityPolicy"):
        out["Content-Security-Policy"] = " ".join(
            str(security["ContentSecurityPolicy"]["ContentSecurityPolicy"]).split()
        )
    if security.get("ContentTypeOptions"):
        out["X-Content-Type-Options"] = "nosniff"
    if security.get("FrameOptions"):
        out["X-Frame-Options"] = str(security["FrameOptions"]["FrameOption"])
    if security.get("ReferrerPolicy"):
        out["Referrer-Policy"] = str(security["ReferrerPolicy"]["ReferrerPolicy"])
    hsts = security.get("StrictTransportSecurity")
    if hsts:
        out["Strict-Transport-Security"] = (
            f"max-age={hsts['AccessControlMaxAgeSec']}"
            + ("; includeSubDomains" if hsts.get("IncludeSubdomains") else "")
            + ("; preload" if hsts.get("Preload") else "")
        )
    for item in (config.get("CustomHeadersConfig") or {}).get("Items", []):
        out[str(item["Header"])] = str(item["Value"])
    cors = config.get("CorsConfig")
    if cors and origin:
        allowed = cors["AccessControlAllowOrigins"]["Items"]
        if "*" in allowed or origin in allowed:
            out["Access-Control-Allow-Origin"] = "*" if "*" in allowed else origin
    return out


@dataclass
class Distribution:
    """The template's web distribution: which header policy each path gets."""

    behaviours: list[tuple[str, dict[str, Any]]]  # (path pattern, resolved policy config)
    default: dict[str, Any]

    @classmethod
    def from_template(cls, resolve: Any) -> "Distribution":
        policies = template.resources("AWS::CloudFront::ResponseHeadersPolicy")

        def policy(behaviour: dict[str, Any]) -> dict[str, Any]:
            ref = behaviour["ResponseHeadersPolicyId"]["Ref"]
            return dict(resolve(policies[ref]["Properties"]["ResponseHeadersPolicyConfig"]))

        dist = template.resources("AWS::CloudFront::Distribution")[WEB_DISTRIBUTION]
        config = dist["Properties"]["DistributionConfig"]
        return cls(
            behaviours=[(b["PathPattern"], policy(b)) for b in config.get("CacheBehaviors", [])],
            default=policy(config["DefaultCacheBehavior"]),
        )

    def headers(self, path: str, origin: str | None = None) -> dict[str, str]:
        for pattern, config in self.behaviours:
            if fnmatch.fnmatchcase(path, pattern):
                return policy_headers(config, origin)
        return policy_headers(self.default, origin)


def console_config(
    base_url: str, region: str, user_pool_id: str, client_id: str, password_policy: dict[str, Any]
) -> dict[str, Any]:
    """/config.json as the dev server serves it (comments_cli.deploy_web writes the same keys):
    the pool's password policy lets the console say the rules before Cognito refuses a password."""
    return {
        "apiUrl": base_url,
        "region": region,
        "userPoolId": user_pool_id,
        "clientId": client_id,
        "cognitoEndpoint": base_url + RELAY_PATH,
        "passwordPolicy": password_policy,
    }


def relay(endpoint: str, target: str, body: bytes) -> tuple[int, bytes, str | None]:
    """Pass one Cognito call of a signed-out console to the emulator: (status, body, reset code
    if this was a ForgotPassword that sent one). Anything but the allowed calls is refused with
    Cognito's own error shape."""
    if not target.startswith(_TARGET_PREFIX) or target.removeprefix(_TARGET_PREFIX) not in RELAYED_ACTIONS:
        refusal = {"__type": "UnknownOperationException", "message": "Not an operation the console makes."}
        return 400, json.dumps(refusal).encode(), None
    request = urllib.request.Request(  # noqa: S310 - the emulator's own http URL
        endpoint.rstrip("/") + "/",
        data=body,
        method="POST",
        headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:  # noqa: S310
            return reply.status, reply.read(), reply.headers.get(_RESET_CODE_HEADER)
    except urllib.error.HTTPError as failed:
        return failed.code, failed.read(), None
