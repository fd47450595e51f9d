"""The one retry loop: transient errors are retried, an unreachable endpoint is named in a warning at once and in an
error within its bound, and a cloud's explanation replaces an SDK's message."""

from __future__ import annotations

import logging

import pytest
from kops.engine import CloudErrors, Retrier, RetryPolicy
from kops.engine.retry import RetriesExhausted, Unreachable
from kops.errors import KopsError


class Refused(Exception):
    pass


class NoCredentials(Exception):
    pass


class Throttled(Exception):
    pass


class Errors(CloudErrors):
    def transient(self, exc):
        return isinstance(exc, Throttled)

    def unreachable(self, exc):
        return "https://ec2.example.test" if isinstance(exc, Refused) else None

    def explain(self, exc):
        return "no credentials: set CLOUD_TOKEN" if isinstance(exc, NoCredentials) else None


class Clock:
    def __init__(self):
        self.now = 0.0
        self.pauses: list[float] = []

    def sleep(self, seconds):
        self.pauses.append(seconds)
        self.now += seconds


def retrier(clock, **policy):
    return Retrier(RetryPolicy(**policy), Errors(), sleep=clock.sleep, clock=lambda: clock.now)


def test_an_unreachable_endpoint_is_named_at_once_and_given_up_within_its_bound(caplog):
    clock = Clock()

    def call():
        clock.now += 0.1
        raise Refused("connection refused")

    with caplog.at_level(logging.WARNING), pytest.raises(Unreachable) as err:
        retrier(clock, unreachable_deadline=40.0).call(call)
    assert "https://ec2.example.test" in str(err.value) and "connection refused" in str(err.value)
    assert 40.0 <= clock.now <= 45.0
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and warnings[0].startswith("cannot reach https://ec2.example.test")


def test_a_connection_lost_mid_run_is_retried_within_the_bound():
    clock = Clock()
    answers = [Refused("reset"), Refused("reset"), "ok"]

    def call():
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert retrier(clock).call(call) == "ok" and clock.now < 40.0


def test_transient_errors_are_retried_until_the_run_deadline():
    clock = Clock()

    def call():
        raise Throttled("slow down")

    with pytest.raises(RetriesExhausted):
        retrier(clock, deadline=30.0, base_delay=1.0, max_delay=4.0).call(call)
    assert clock.now <= 30.0 and len(clock.pauses) > 3


def test_other_errors_fail_at_once_in_the_clouds_words():
    clock = Clock()

    def call():
        raise NoCredentials("Unable to locate credentials")

    with pytest.raises(KopsError, match="^no credentials: set CLOUD_TOKEN$"):
        retrier(clock).call(call)
    assert clock.pauses == []
    with pytest.raises(ValueError):
        retrier(clock).call(lambda: (_ for _ in ()).throw(ValueError("bug")))
