"""The dev server's stand-in for API Gateway's JWT authorizer, against the emulator's user pool
made from the template: it takes what API Gateway takes (a token of the template's issuer for its
app client, signed with the pool's keys, not expired) and refuses the rest with a 401 before any
function runs; the `moderators` group is the moderation function's own check (403)."""

import time

import pytest
from comments_dev import authorizer
from comments_dev.emulator import create_moderator
from pycognito.aws_srp import AWSSRP

STATIC = "a-static-local-token"


@pytest.fixture
def gate(aws_stack) -> authorizer.JwtAuthorizer:
    return authorizer.JwtAuthorizer.from_template(aws_stack.resolve, aws_stack.endpoint, STATIC)


@pytest.fixture
def issuer(aws_stack) -> str:
    return f"https://cognito-idp.us-east-1.amazonaws.com/{aws_stack.user_pools['ModeratorsUserPool']}"


@pytest.fixture
def client_id(aws_stack) -> str:
    return aws_stack.user_pool_clients["ModeratorsUserPoolClient"]


def real_tokens(aws_stack, email: str = "mia@example.org", password: str = "Mia-password-123") -> dict:
    create_moderator(aws_stack, email, password)
    idp = aws_stack.client("cognito-idp")
    srp = AWSSRP(
        email,
        password,
        aws_stack.user_pools["ModeratorsUserPool"],
        aws_stack.user_pool_clients["ModeratorsUserPoolClient"],
        client=idp,
    )
    return srp.authenticate_user()["AuthenticationResult"]


def test_it_is_configured_from_the_templates_authorizer(gate, issuer, client_id, aws_stack):
    assert gate.issuer == issuer
    assert gate.audiences == (client_id,)
    assert (
        gate.keys_url
        == f"{aws_stack.endpoint}/{aws_stack.user_pools['ModeratorsUserPool']}/.well-known/jwks.json"
    )


def test_the_pools_real_access_and_id_tokens_pass_with_their_claims_as_strings(gate, aws_stack):
    tokens = real_tokens(aws_stack)
    for kind in ("AccessToken", "IdToken"):
        claims = gate.verify(tokens[kind])
        assert claims is not None, kind
        assert claims["cognito:groups"] == "[moderators]"  # as API Gateway hands lists over
        assert all(isinstance(v, str) for v in claims.values())


def test_the_local_moderator_token_still_works(gate):
    assert gate.verify(STATIC) == {
        "sub": "local-moderator",
        "username": "local-moderator",
        "cognito:groups": "[moderators]",
    }
    assert gate.verify(STATIC + "x") is None


def test_an_expired_token_is_refused(gate, issuer, client_id):
    assert gate.verify(authorizer.mint(issuer, client_id, groups=["moderators"], expires_in=-1)) is None
    assert gate.verify(authorizer.mint(issuer, client_id, groups=["moderators"], expires_in=60)) is not None


def test_a_token_from_another_issuer_is_refused(gate, issuer, client_id):
    assert gate.verify(authorizer.mint("https://evil.example/pool", client_id, groups=["moderators"])) is None
    assert gate.verify(authorizer.mint(issuer + "x", client_id, groups=["moderators"])) is None


def test_a_token_for_another_app_client_is_refused(gate, issuer, client_id):
    for token_use in ("access", "id"):
        other = authorizer.mint(issuer, "some-other-client", groups=["moderators"], token_use=token_use)
        assert gate.verify(other) is None, token_use
        mine = authorizer.mint(issuer, client_id, groups=["moderators"], token_use=token_use)
        assert gate.verify(mine) is not None, token_use


def test_a_real_token_of_another_user_pool_is_refused(gate, aws_stack):
    idp = aws_stack.client("cognito-idp")
    other = idp.create_user_pool(PoolName=f"other-{time.time_ns()}", UsernameAttributes=["email"])[
        "UserPool"
    ]["Id"]
    client = idp.create_user_pool_client(UserPoolId=other, ClientName="console")["UserPoolClient"]["ClientId"]
    idp.create_group(UserPoolId=other, GroupName="moderators")
    idp.admin_create_user(UserPoolId=other, Username="mod@other.example", MessageAction="SUPPRESS")
    idp.admin_set_user_password(
        UserPoolId=other, Username="mod@other.example", Password="Other-pass-123", Permanent=True
    )
    idp.admin_add_user_to_group(UserPoolId=other, Username="mod@other.example", GroupName="moderators")
    tokens = AWSSRP("mod@other.example", "Other-pass-123", other, client, client=idp).authenticate_user()
    assert gate.verify(tokens["AuthenticationResult"]["AccessToken"]) is None
    assert gate.verify(tokens["AuthenticationResult"]["IdToken"]) is None


def test_a_token_signed_with_another_key_is_refused(gate, issuer, client_id):
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert gate.verify(authorizer.mint(issuer, client_id, groups=["moderators"], key=key)) is None
    assert gate.verify(authorizer.mint(issuer, client_id, groups=["moderators"], kid="not-the-pools")) is None


def test_without_the_moderators_group_the_token_passes_and_the_function_says_403(
    gate, api, issuer, client_id, aws_stack
):
    # The authorizer checks who issued the token; whether its holder may moderate is the function's call.
    create_moderator(aws_stack, "in@example.org", "In-password-123")
    idp = aws_stack.client("cognito-idp")
    pool = aws_stack.user_pools["ModeratorsUserPool"]
    idp.admin_create_user(UserPoolId=pool, Username="out@example.org", MessageAction="SUPPRESS")
    idp.admin_set_user_password(
        UserPoolId=pool, Username="out@example.org", Password="Out-password-123", Permanent=True
    )
    outsider = AWSSRP("out@example.org", "Out-password-123", pool, client_id, client=idp).authenticate_user()
    claims = gate.verify(outsider["AuthenticationResult"]["AccessToken"])
    assert claims is not None and "cognito:groups" not in claims
    reply = api.call("GET", "/moderation/queue/depth", claims=claims)
    assert reply.status == 403 and reply.json == {"error": "forbidden"}
    inside = gate.verify(real_tokens(aws_stack, "in2@example.org", "In-password-123")["AccessToken"])
    assert api.call("GET", "/moderation/queue/depth", claims=inside).status == 200
