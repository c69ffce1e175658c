"""The moderator console's sign-in pieces against the local stack, below the forms:

- the console's SRP math (web/moderation-auth.js, in Chromium) gives, for the same secret, server
  values and time, exactly the proof of pycognito, an independent SRP client used against real
  Cognito, and the emulator's Cognito accepts only the right password's proof;
- the console, its config and the widget's files come with the headers of the template's
  CloudFront response headers policies (the CSP the browser tests hold the console to);
- the Cognito relay passes a signed-out console's calls on, and nothing else.
"""

import base64
import datetime
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from comments_dev import template, web
from comments_dev.emulator import create_stack
from playwright.sync_api import Browser, Page
from tests_support import watch_csp

POOL_ID = "us-east-1_ExamplePool"
WEB = Path(__file__).resolve().parents[2] / "web"


@pytest.fixture
def console(browser: Browser, dev_stack: Any) -> Iterator[Page]:
    context = browser.new_context()
    page = context.new_page()
    seen = watch_csp(page)
    page.goto(dev_stack.base_url + "/moderation/")
    page.wait_for_function("window.ModerationAuth !== undefined")
    yield page
    context.close()
    assert seen == []


def browser_answer(page: Page, small_a: int, params: dict[str, str], password: str, when_ms: int) -> dict:
    return page.evaluate(
        """([a, poolId, params, password, when]) => {
            const srp = new window.ModerationAuth.srp.Srp(poolId, BigInt("0x" + a));
            return srp.answer(params, password, new Date(when))
                .then((answer) => ({A: srp.publicHex(), answer}));
        }""",
        [f"{small_a:x}", POOL_ID, params, password, when_ms],
    )


def pycognito_answer(small_a: int, params: dict[str, str], password: str, when: datetime.datetime) -> Any:
    from unittest import mock

    from pycognito import aws_srp

    srp = aws_srp.AWSSRP("someone@example.org", password, POOL_ID, "client", client=mock.Mock())
    srp.small_a_value = small_a
    srp.large_a_value = srp.calculate_a()
    fixed = mock.Mock(wraps=datetime.datetime)
    fixed.utcnow.return_value = when
    with mock.patch.object(aws_srp.datetime, "datetime", fixed):
        return srp.large_a_value, srp.process_challenge(params, {"USERNAME": params["USERNAME"]})


@pytest.mark.parametrize("seed", range(4))
def test_the_console_computes_the_same_srp_proof_as_pycognito(console: Page, seed: int) -> None:
    # Given one secret a, the server's salt, B and secret block, a password and a moment (a day of
    # the month under 10 on some: Cognito wants it without a leading zero)
    from comments_dev.moto_cognito import G, N, SrpServer

    small_a = secrets.randbits(1024) % N
    server = SrpServer(POOL_ID, "5b0d2c3e-user", f"Pässwörd-{seed}-Ω", pow(G, small_a, N))
    params = {
        "SALT": server.salt,
        "SRP_B": f"{server.big_b:x}",
        "SECRET_BLOCK": server.secret_block,
        "USERNAME": "5b0d2c3e-user",
        "USER_ID_FOR_SRP": "5b0d2c3e-user",
    }
    when = datetime.datetime(2026, 11, 3 + seed * 7, 9, 5, 1)
    when_ms = int(when.replace(tzinfo=datetime.UTC).timestamp() * 1000)
    password = f"Pässwörd-{seed}-Ω"
    # When the console and pycognito answer the challenge
    mine = browser_answer(console, small_a, params, password, when_ms)
    big_a, theirs = pycognito_answer(small_a, params, password, when)
    # Then they agree on A and on every field of the answer
    assert int(mine["A"], 16) == big_a
    assert mine["answer"] == theirs
    # And the emulator's Cognito accepts that proof, and not one for another password
    assert server.expected(theirs["TIMESTAMP"]) == theirs["PASSWORD_CLAIM_SIGNATURE"]
    wrong = browser_answer(console, small_a, params, password + "x", when_ms)["answer"]
    assert server.expected(wrong["TIMESTAMP"]) != wrong["PASSWORD_CLAIM_SIGNATURE"]
    assert base64.b64decode(wrong["PASSWORD_CLAIM_SIGNATURE"])  # a real signature, just not this one


def test_the_timestamp_is_cognitos_format(console: Page) -> None:
    stamp = console.evaluate("window.ModerationAuth.srp.timestamp(new Date(Date.UTC(2026, 10, 3, 9, 5, 1)))")
    assert stamp == "Tue Nov 3 09:05:01 UTC 2026"


# ---- headers -------------------------------------------------------------------------------------


def template_policy(name: str) -> dict[str, str]:
    """The headers CloudFront adds with the template's policy `name` (resolved for the dev stack)."""
    from comments_dev.emulator import REGION

    resolve = template.Resolver(
        {"AWS::Region": REGION, "AWS::URLSuffix": "amazonaws.com", "AWS::StackName": "x"}
    )
    policy = template.resources("AWS::CloudFront::ResponseHeadersPolicy")[name]
    return web.policy_headers(
        resolve(policy["Properties"]["ResponseHeadersPolicyConfig"]), "https://site.example"
    )


def test_the_console_and_its_config_carry_the_templates_console_headers(dev_stack: Any) -> None:
    expected = template_policy("ConsoleHeadersPolicy")
    csp = expected["Content-Security-Policy"]
    # The deployed policy: only the console's own files, the region's API and Cognito, never framed
    assert "script-src 'self';" in csp and "style-src 'self';" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp and "form-action 'none'" in csp
    assert "https://cognito-idp.us-east-1.amazonaws.com" in csp
    assert expected["Strict-Transport-Security"].startswith("max-age=63072000")
    assert expected["X-Frame-Options"] == "DENY" and expected["X-Content-Type-Options"] == "nosniff"
    for path in ("/moderation/", "/config.json"):
        reply = requests.get(
            dev_stack.base_url + path, headers={"Origin": "https://site.example"}, timeout=10
        )
        assert reply.status_code == 200, path
        for header, value in expected.items():
            assert reply.headers.get(header) == value, (path, header)


def test_the_widgets_files_carry_the_templates_asset_headers(dev_stack: Any) -> None:
    expected = template_policy("AssetHeadersPolicy")
    assert expected["Access-Control-Allow-Origin"] == "*"  # loadable with Subresource Integrity
    console_scripts = sorted(p.name for p in WEB.glob("moderation*.js"))  # every one the page loads
    assert len(console_scripts) >= 8
    for name in ("comments-widget.js", "comments-widget.css", *console_scripts):
        reply = requests.get(
            f"{dev_stack.base_url}/static/{name}", headers={"Origin": "https://site.example"}, timeout=10
        )
        assert reply.status_code == 200, name
        for header, value in expected.items():
            assert reply.headers.get(header) == value, (name, header)


def test_the_config_names_the_emulators_pool_and_client(dev_stack: Any) -> None:
    config = dev_stack.config()
    idp = dev_stack.client("cognito-idp")
    pool = idp.describe_user_pool(UserPoolId=config["userPoolId"])["UserPool"]
    assert pool["Name"] == "ModeratorsUserPool"
    client = idp.describe_user_pool_client(UserPoolId=config["userPoolId"], ClientId=config["clientId"])
    assert client["UserPoolClient"]["ExplicitAuthFlows"] == [
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    ]
    assert config["apiUrl"] == dev_stack.base_url
    assert config["cognitoEndpoint"] == dev_stack.base_url + "/_cognito/"
    assert config["passwordPolicy"]["MinimumLength"] == 12


# ---- the Cognito relay ---------------------------------------------------------------------------


def relay(dev_stack: Any, action: str, body: dict) -> requests.Response:
    return requests.post(
        dev_stack.base_url + "/_cognito/",
        json=body,
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": f"AWSCognitoIdentityProviderService.{action}",
        },
        timeout=10,
    )


@pytest.mark.parametrize(
    "action",
    ["AdminCreateUser", "AdminAddUserToGroup", "AdminSetUserPassword", "ListUsers", "CreateUserPool"],
)
def test_the_relay_refuses_anything_a_signed_out_console_does_not_call(dev_stack: Any, action: str) -> None:
    config = dev_stack.config()
    reply = relay(dev_stack, action, {"UserPoolId": config["userPoolId"], "Username": "mallory@example.org"})
    assert reply.status_code == 400
    assert reply.json()["__type"] == "UnknownOperationException"
    users = dev_stack.client("cognito-idp").list_users(UserPoolId=config["userPoolId"])["Users"]
    assert "mallory@example.org" not in str(users)


def test_the_relay_passes_the_consoles_calls_on_as_cognito_answers_them(dev_stack: Any) -> None:
    config = dev_stack.config()
    reply = relay(
        dev_stack,
        "InitiateAuth",
        {
            "AuthFlow": "USER_PASSWORD_AUTH",  # not among the app client's flows
            "ClientId": config["clientId"],
            "AuthParameters": {
                "USERNAME": dev_stack.moderator_email,
                "PASSWORD": dev_stack.moderator_password,
            },
        },
    )
    assert reply.status_code == 400
    assert reply.json()["__type"] == "InvalidParameterException"
    assert reply.headers["Cache-Control"] == "no-store"
    started = relay(
        dev_stack,
        "InitiateAuth",
        {
            "AuthFlow": "USER_SRP_AUTH",
            "ClientId": config["clientId"],
            "AuthParameters": {"USERNAME": dev_stack.moderator_email, "SRP_A": f"{secrets.randbits(1024):x}"},
        },
    )
    assert started.status_code == 200
    assert started.json()["ChallengeName"] == "PASSWORD_VERIFIER"


def test_an_emulator_stack_needs_no_allowed_origins(moto_server: Any) -> None:
    # The template requires AllowedOrigins in AWS; the local stack supplies its own.
    stack = create_stack(moto_server.endpoint, prefix=f"o{secrets.token_hex(3)}-")
    api = next(iter(template.resources("AWS::Serverless::HttpApi").values()))
    origins = stack.resolve(api["Properties"]["CorsConfiguration"])["AllowOrigins"]
    assert origins == ["http://127.0.0.1:3000", "http://localhost:3000", "https://localhost"]
