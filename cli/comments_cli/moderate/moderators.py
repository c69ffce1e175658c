"""`comments-moderate add-moderator EMAIL`: give someone a moderator's account in the stack's
Cognito user pool (AdminCreateUser, which emails them a temporary password, and
AdminAddUserToGroup `moderators`). Their first sign-in in the console asks for a password of
their own.

The user pool comes from the first that gives it: --user-pool-id, USER_POOL_ID, the --stack
output ModeratorsUserPoolId, or on the local emulator (AWS_ENDPOINT_URL) the one pool whose name
ends with ModeratorsUserPool. The emulator sends no email: there a temporary password is made up
(unless --temporary-password gives one) and printed.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from typing import IO, Any

from comments_cli.resources import ConfigError, stack_outputs

MODERATORS_GROUP = "moderators"  # the template's ModeratorsGroup, which the moderation function requires
POOL_OUTPUT = "ModeratorsUserPoolId"
POOL_SUFFIX = "ModeratorsUserPool"
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def user_pool(
    flag: str | None, stack: str | None, session: Any, environ: Mapping[str, str] = os.environ
) -> str:
    if flag:
        return flag
    if environ.get("USER_POOL_ID"):
        return environ["USER_POOL_ID"]
    if stack:
        pool = stack_outputs(session, stack).get(POOL_OUTPUT)
        if pool:
            return pool
        raise ConfigError(f"stack {stack} has no {POOL_OUTPUT} output")
    if environ.get("AWS_ENDPOINT_URL"):
        idp = session.client("cognito-idp")
        pools = [
            p["Id"]
            for page in idp.get_paginator("list_user_pools").paginate(MaxResults=60)
            for p in page.get("UserPools", [])
            if p.get("Name", "").endswith(POOL_SUFFIX)
        ]
        if len(pools) == 1:
            return str(pools[0])
        if pools:
            raise ConfigError(
                f"the emulator has {len(pools)} user pools ending with {POOL_SUFFIX}; "
                "choose one with --user-pool-id or USER_POOL_ID"
            )
    raise ConfigError(
        "which user pool? Give --user-pool-id (or USER_POOL_ID), or --stack NAME for a deployed stack, "
        "or set AWS_ENDPOINT_URL to work against the local emulator (make dev)"
    )


def _temporary_password() -> str:
    """One the template's policy accepts (12+ characters, upper, lower, digit)."""
    return f"Tmp-{secrets.token_urlsafe(12)}-{secrets.randbelow(90) + 10}aZ"


def add_moderator(
    session: Any,
    pool_id: str,
    email: str,
    out: IO[str],
    *,
    temporary_password: str | None = None,
    resend: bool = False,
    environ: Mapping[str, str] = os.environ,
) -> int:
    """Create the account (Cognito emails the invitation) and put it in the moderators group. An
    existing account is only added to the group (or, with resend, sent a new invitation)."""
    if not EMAIL.match(email):
        raise ConfigError(f"not an email address: {email!r}")
    idp = session.client("cognito-idp")
    emulator = bool(environ.get("AWS_ENDPOINT_URL"))
    if emulator and not temporary_password and not resend:
        temporary_password = _temporary_password()
    request: dict[str, Any] = {
        "UserPoolId": pool_id,
        "Username": email,
        "UserAttributes": [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
        "DesiredDeliveryMediums": ["EMAIL"],
    }
    if temporary_password:
        request["TemporaryPassword"] = temporary_password
    if resend:
        request["MessageAction"] = "RESEND"
    existed = False
    try:
        idp.admin_create_user(**request)
    except idp.exceptions.UsernameExistsException:
        existed = True
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username=email, GroupName=MODERATORS_GROUP)
    if existed:
        print(f"{email} already had an account; it is in the {MODERATORS_GROUP} group now.", file=out)
    elif emulator:
        print(
            f"{email} is a moderator now. The emulator sends no email: their temporary password is\n"
            f"  {temporary_password}\n"
            "The console asks for a new password at their first sign-in.",
            file=out,
        )
    else:
        print(
            f"{email} is a moderator now. Cognito has emailed them a temporary password and the console's "
            "address;\nthe console asks for a new password at their first sign-in "
            "(the temporary one works for 7 days).",
            file=out,
        )
    return 0
