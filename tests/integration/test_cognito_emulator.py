"""The moderators' user pool on the emulator, created from template.yaml's own Cognito resources,
and what the console and the tools rely on it for: SRP sign-in that checks the password (by an
independent SRP client, pycognito), the app client's flows and token lifetimes, refresh and
revocation, password reset by code, and `comments-moderate add-moderator`."""

import time

import jwt
import pytest
from comments_cli.moderate.main import main
from comments_dev import template
from comments_dev.emulator import create_moderator
from pycognito.aws_srp import AWSSRP

POOL, CLIENT = "ModeratorsUserPool", "ModeratorsUserPoolClient"


@pytest.fixture
def pool(aws_stack):
    return aws_stack.user_pools[POOL]


@pytest.fixture
def client_id(aws_stack):
    return aws_stack.user_pool_clients[CLIENT]


@pytest.fixture
def idp(aws_stack):
    return aws_stack.client("cognito-idp")


def sign_in(idp, pool: str, client_id: str, email: str, password: str) -> dict:
    return AWSSRP(email, password, pool, client_id, client=idp).authenticate_user()["AuthenticationResult"]


def claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def test_the_pool_client_and_group_have_the_templates_properties(aws_stack, idp, pool, client_id):
    resolved = {
        kind: aws_stack.resolve(next(iter(template.resources(kind).values()))["Properties"])
        for kind in ("AWS::Cognito::UserPool", "AWS::Cognito::UserPoolClient", "AWS::Cognito::UserPoolGroup")
    }
    made = idp.describe_user_pool(UserPoolId=pool)["UserPool"]
    wanted_pool = resolved["AWS::Cognito::UserPool"]
    assert made["Policies"] == wanted_pool["Policies"]
    assert made["UsernameAttributes"] == ["email"]
    assert made["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert made["AccountRecoverySetting"] == wanted_pool["AccountRecoverySetting"]
    client = idp.describe_user_pool_client(UserPoolId=pool, ClientId=client_id)["UserPoolClient"]
    wanted_client = resolved["AWS::Cognito::UserPoolClient"]
    for key in (
        "ExplicitAuthFlows",
        "AccessTokenValidity",
        "IdTokenValidity",
        "RefreshTokenValidity",
        "TokenValidityUnits",
        "PreventUserExistenceErrors",
        "EnableTokenRevocation",
    ):
        assert client[key] == wanted_client[key], key
    assert "ClientSecret" not in client  # a browser app: no secret
    group = idp.get_group(GroupName="moderators", UserPoolId=pool)["Group"]
    assert group["Description"] == resolved["AWS::Cognito::UserPoolGroup"]["Description"]


def test_a_moderator_signs_in_with_srp_and_gets_tokens_as_the_template_says(aws_stack, idp, pool, client_id):
    # Given a moderator made as make dev makes one
    create_moderator(aws_stack, "mia@example.org", "Mia-password-123")
    # When they sign in with SRP (pycognito: the password never leaves the client)
    tokens = sign_in(idp, pool, client_id, "mia@example.org", "Mia-password-123")
    # Then the tokens are the pool's, for this client, in the moderators group, for 15 minutes
    access, identity = claims(tokens["AccessToken"]), claims(tokens["IdToken"])
    assert access["iss"] == f"https://cognito-idp.us-east-1.amazonaws.com/{pool}"
    assert access["client_id"] == client_id and identity["aud"] == client_id
    assert access["cognito:groups"] == ["moderators"] and identity["email"] == "mia@example.org"
    assert access["exp"] - access["iat"] == 15 * 60 == tokens["ExpiresIn"]
    assert identity["exp"] - identity["iat"] == 15 * 60


@pytest.mark.parametrize("password", ["mia-password-123", "Mia-password-12", "", "Mia-password-123 "])
def test_srp_with_a_wrong_password_is_refused(aws_stack, idp, pool, client_id, password):
    create_moderator(aws_stack, "mia@example.org", "Mia-password-123")
    with pytest.raises(idp.exceptions.NotAuthorizedException, match="Incorrect username or password"):
        sign_in(idp, pool, client_id, "mia@example.org", password or "x")


def test_an_unknown_user_is_refused_like_a_wrong_password(idp, pool, client_id):
    with pytest.raises(idp.exceptions.NotAuthorizedException, match="Incorrect username or password"):
        sign_in(idp, pool, client_id, "nobody@example.org", "Whatever-123456")


def test_flows_the_client_does_not_allow_are_refused(aws_stack, idp, pool, client_id):
    create_moderator(aws_stack, "mia@example.org", "Mia-password-123")
    for flow in ("USER_PASSWORD_AUTH", "CUSTOM_AUTH"):
        with pytest.raises(idp.exceptions.InvalidParameterException, match="not enabled"):
            idp.initiate_auth(
                ClientId=client_id,
                AuthFlow=flow,
                AuthParameters={"USERNAME": "mia@example.org", "PASSWORD": "Mia-password-123"},
            )
    with pytest.raises(idp.exceptions.InvalidParameterException, match="not enabled"):
        idp.admin_initiate_auth(
            UserPoolId=pool,
            ClientId=client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "mia@example.org", "PASSWORD": "Mia-password-123"},
        )


def test_refresh_gives_new_tokens_until_the_refresh_token_is_revoked(aws_stack, idp, pool, client_id):
    create_moderator(aws_stack, "mia@example.org", "Mia-password-123")
    tokens = sign_in(idp, pool, client_id, "mia@example.org", "Mia-password-123")

    def refresh() -> dict:
        return idp.initiate_auth(
            ClientId=client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
        )["AuthenticationResult"]

    time.sleep(1.1)  # a second later, so the new token differs in iat
    renewed = refresh()
    assert renewed["AccessToken"] != tokens["AccessToken"] and renewed["ExpiresIn"] == 900
    idp.revoke_token(Token=tokens["RefreshToken"], ClientId=client_id)
    with pytest.raises(idp.exceptions.NotAuthorizedException, match="revoked"):
        refresh()


def test_a_temporary_password_leads_to_new_password_required(aws_stack, idp, pool, client_id):
    create_moderator(aws_stack, "new@example.org", "Temporary-pass-1", permanent=False)
    srp = AWSSRP("new@example.org", "Temporary-pass-1", pool, client_id, client=idp)
    started = idp.initiate_auth(
        ClientId=client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=srp.get_auth_params()
    )
    answer = srp.process_challenge(started["ChallengeParameters"], srp.get_auth_params())
    reply = idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=answer,
        Session=started["Session"],
    )
    assert reply["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    respond = {"USERNAME": reply["ChallengeParameters"]["USERNAME"], "NEW_PASSWORD": "short"}
    with pytest.raises(idp.exceptions.InvalidPasswordException):  # the template's password policy
        idp.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            ChallengeResponses=respond,
            Session=reply["Session"],
        )
    respond["NEW_PASSWORD"] = "Chosen-password-42"
    done = idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        ChallengeResponses=respond,
        Session=reply["Session"],
    )
    assert claims(done["AuthenticationResult"]["AccessToken"])["cognito:groups"] == ["moderators"]
    assert sign_in(idp, pool, client_id, "new@example.org", "Chosen-password-42")["AccessToken"]


def test_a_password_reset_needs_the_emailed_code_and_a_password_the_policy_allows(
    aws_stack, idp, pool, client_id
):
    create_moderator(aws_stack, "mia@example.org", "Mia-password-123")
    sent = idp.forgot_password(ClientId=client_id, Username="mia@example.org")
    code = sent["ResponseMetadata"]["HTTPHeaders"]["x-moto-forgot-password-confirmation-code"]
    assert len(code) == 6 and code.isdigit()
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(idp.exceptions.CodeMismatchException):
        idp.confirm_forgot_password(
            ClientId=client_id,
            Username="mia@example.org",
            ConfirmationCode=wrong,
            Password="New-password-123",
        )
    with pytest.raises(idp.exceptions.InvalidPasswordException):
        idp.confirm_forgot_password(
            ClientId=client_id, Username="mia@example.org", ConfirmationCode=code, Password="weak"
        )
    idp.confirm_forgot_password(
        ClientId=client_id, Username="mia@example.org", ConfirmationCode=code, Password="New-password-123"
    )
    assert sign_in(idp, pool, client_id, "mia@example.org", "New-password-123")["AccessToken"]
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        sign_in(idp, pool, client_id, "mia@example.org", "Mia-password-123")


# -- comments-moderate add-moderator ---------------------------------------------------------------


def test_add_moderator_creates_the_account_in_the_group_with_an_invitation(
    aws_stack, idp, pool, client_id, monkeypatch, capsys
):
    # Given the emulator (which sends no email)
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws_stack.endpoint)
    # When an operator adds a moderator with the one command
    assert main(["add-moderator", "ada@example.org", "--user-pool-id", pool]) == 0
    out = capsys.readouterr().out
    # Then the account exists, verified, waiting for its first sign-in, in the moderators group
    user = idp.admin_get_user(UserPoolId=pool, Username="ada@example.org")
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert {"Name": "email_verified", "Value": "true"} in user["UserAttributes"]
    groups = idp.admin_list_groups_for_user(UserPoolId=pool, Username="ada@example.org")["Groups"]
    assert [g["GroupName"] for g in groups] == ["moderators"]
    # And the temporary password the emulator printed (in AWS: the invitation email) signs in,
    # asking for a new password
    assert "ada@example.org is a moderator now" in out
    temporary = out.split("their temporary password is\n", 1)[1].split()[0]
    srp = AWSSRP("ada@example.org", temporary, pool, client_id, client=idp)
    started = idp.initiate_auth(
        ClientId=client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=srp.get_auth_params()
    )
    answer = srp.process_challenge(started["ChallengeParameters"], srp.get_auth_params())
    reply = idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=answer,
        Session=started["Session"],
    )
    assert reply["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_add_moderator_again_only_puts_an_existing_account_in_the_group(
    aws_stack, idp, pool, monkeypatch, capsys
):
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws_stack.endpoint)
    idp.admin_create_user(UserPoolId=pool, Username="reader@example.org", MessageAction="SUPPRESS")
    assert main(["add-moderator", "reader@example.org", "--user-pool-id", pool]) == 0
    assert "already had an account" in capsys.readouterr().out
    groups = idp.admin_list_groups_for_user(UserPoolId=pool, Username="reader@example.org")["Groups"]
    assert [g["GroupName"] for g in groups] == ["moderators"]


def test_add_moderator_finds_the_pool_from_the_stack_outputs(aws_stack, idp, pool, monkeypatch, capsys):
    import json
    import uuid

    monkeypatch.setenv("AWS_ENDPOINT_URL", aws_stack.endpoint)
    name = f"comments-{uuid.uuid4().hex[:6]}"
    aws_stack.client("cloudformation").create_stack(
        StackName=name,
        TemplateBody=json.dumps(
            {
                "Resources": {"Nothing": {"Type": "AWS::CloudFormation::WaitConditionHandle"}},
                "Outputs": {"ModeratorsUserPoolId": {"Value": pool}},
            }
        ),
    )
    assert main(["--stack", name, "add-moderator", "bo@example.org"]) == 0
    assert (
        idp.admin_get_user(UserPoolId=pool, Username="bo@example.org")["UserStatus"]
        == "FORCE_CHANGE_PASSWORD"
    )


@pytest.mark.parametrize("email", ["not-an-address", "two@@example.org", "spaces in@example.org"])
def test_add_moderator_refuses_what_is_not_an_email_address(aws_stack, pool, monkeypatch, capsys, email):
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws_stack.endpoint)
    assert main(["add-moderator", email, "--user-pool-id", pool]) == 2
    assert "not an email address" in capsys.readouterr().err


def test_add_moderator_without_a_pool_says_how_to_name_one(monkeypatch, capsys):
    for var in ("AWS_ENDPOINT_URL", "USER_POOL_ID"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    assert main(["add-moderator", "ada@example.org"]) == 2
    assert "--user-pool-id" in capsys.readouterr().err
