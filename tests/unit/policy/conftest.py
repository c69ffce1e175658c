"""The policy unit tests share the shipped default policy and one way to ask what fired."""

from collections.abc import Callable

import pytest
from comments.policy.engine import default_policy, evaluate
from comments.policy.model import Policy, Verdict


@pytest.fixture(scope="session")
def policy() -> Policy:
    return default_policy()


@pytest.fixture(scope="session")
def judge(policy: Policy) -> Callable[..., Verdict]:
    """evaluate() with the default policy and a plain name unless the test gives one."""

    def judge(body: str, name: str = "Ada") -> Verdict:
        return evaluate(policy, body=body, name=name)

    return judge


@pytest.fixture(scope="session")
def fired(judge: Callable[..., Verdict]) -> Callable[..., set[str]]:
    """The rules that fire on a comment."""

    def fired(body: str, name: str = "Ada") -> set[str]:
        return {hit.rule for hit in judge(body, name).hits}

    return fired
