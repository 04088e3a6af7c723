"""Fixtures shared by the whole suite: people of the console."""

import pytest

from tests.handoff.factories import AgentFactory, SupervisorFactory


@pytest.fixture
def agent(db):
    return AgentFactory(username="alice")


@pytest.fixture
def other_agent(db):
    return AgentFactory(username="bob")


@pytest.fixture
def supervisor(db):
    return SupervisorFactory(username="sam")
