"""Patience with a cloud: the one retry loop every call of a run goes through (tasks in the executor, listings and
lookups outside it).

A cloud says how to read its SDK's errors in one place, a :class:`CloudErrors`: which are worth retrying
(throttling, eventual consistency, 5xx, a resource not visible yet), which mean its endpoint cannot be reached (and
which endpoint), and how to say an error to a user (credentials that are missing or refused). :class:`Retrier`
applies that to a whole run:

- a transient error is retried with jittered exponential backoff until the run's deadline;
- an endpoint that cannot be reached (refused, not resolving, timing out, a connection lost mid-run) is named in a
  warning as soon as it happens, retried, and given up within :attr:`RetryPolicy.unreachable_deadline` with an
  error that names it;
- anything else fails at once, explained in the cloud's words where it has some.
"""

from __future__ import annotations

import dataclasses
import logging
import random
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from kops.errors import KopsError

log = logging.getLogger("kops.engine")
T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """How long to keep trying: delays grow from ``base_delay`` to ``max_delay``, with jitter, until ``deadline``
    seconds after the run started; an unreachable endpoint is given ``unreachable_deadline`` seconds per call."""

    base_delay: float = 0.5
    max_delay: float = 30.0
    deadline: float = 900.0
    unreachable_deadline: float = 40.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        """The pause after failed attempt number ``attempt`` (1-based): half fixed, half random."""
        # The exponent is capped so long retry runs cannot overflow a float.
        ceiling = min(self.max_delay, self.base_delay * 2 ** min(attempt - 1, 60))
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


class CloudErrors:
    """How a cloud's errors read. A cloud plugin subclasses it and hands it to the engine in its run context."""

    def transient(self, exc: BaseException) -> bool:
        """Whether trying again later may succeed (throttling, 5xx, eventual consistency)."""
        return False

    def unreachable(self, exc: BaseException) -> str | None:
        """The endpoint ``exc`` says could not be reached (refused, unresolvable, timed out, reset), or None."""
        return None

    def explain(self, exc: BaseException) -> str | None:
        """A one-line message for a user, where the SDK's own is not one (credentials missing or refused)."""
        return None


class RetriesExhausted(KopsError):
    """A transient error that kept coming back until the deadline."""

    def __init__(self, attempts: int, last: BaseException):
        super().__init__(f"still failing after {attempts} attempts: {describe(last)}")
        self.attempts = attempts
        self.last = last


class Unreachable(KopsError):
    """An endpoint that could not be reached for longer than the policy allows."""

    def __init__(self, endpoint: str, seconds: float, last: BaseException):
        super().__init__(f"cannot reach {endpoint} (for {seconds:.0f}s): {describe(last)}; check the endpoint, "
                         "the network and any proxy settings")
        self.endpoint = endpoint


def describe(exc: BaseException) -> str:
    """An error as one line for a user: its message, with the exception type unless it is a KopsError."""
    text = " ".join(str(exc).split()) or "no message"
    return text if isinstance(exc, KopsError) else f"{type(exc).__name__}: {text}"


class Retrier:
    """One run's retry loop, shared by all of its calls and threads (its deadline counts from its creation)."""

    def __init__(self, policy: RetryPolicy | None = None, errors: CloudErrors | None = None, *,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
                 rng: random.Random | None = None):
        """``sleep``, ``clock`` and ``rng`` are there so tests can run retries without waiting."""
        self.policy = policy or RetryPolicy()
        self.errors = errors or CloudErrors()
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self._deadline = clock() + self.policy.deadline
        self._warned: set[str] = set()
        self._lock = threading.Lock()

    def call(self, fn: Callable[[], T], on_attempt: Callable[[], None] | None = None) -> T:
        """``fn()``, retried as the module docstring says; ``on_attempt`` is told of every attempt."""
        attempt = 0
        unreachable_since: float | None = None
        while True:
            attempt += 1
            if on_attempt is not None:
                on_attempt()
            try:
                return fn()
            except Exception as exc:
                endpoint = self.errors.unreachable(exc)
                now = self._clock()
                if endpoint is not None:
                    unreachable_since = now if unreachable_since is None else unreachable_since
                    self._warn_once(endpoint, exc)
                    if now - unreachable_since >= self.policy.unreachable_deadline:
                        raise Unreachable(endpoint, now - unreachable_since, exc) from exc
                elif not self.errors.transient(exc):
                    explained = self.errors.explain(exc)
                    if explained:
                        raise KopsError(explained) from exc
                    raise
                pause = self.policy.delay(attempt, self._rng)
                if endpoint is not None and unreachable_since is not None:
                    pause = min(pause, max(0.0, unreachable_since + self.policy.unreachable_deadline - now))
                if now + pause > self._deadline:
                    raise RetriesExhausted(attempt, exc) from exc
                log.debug("transient error, retrying in %.1fs: %s", pause, describe(exc))
                self._sleep(pause)

    def _warn_once(self, endpoint: str, exc: BaseException) -> None:
        with self._lock:
            if endpoint in self._warned:
                return
            self._warned.add(endpoint)
        log.warning("cannot reach %s (%s); retrying for up to %.0fs", endpoint, describe(exc),
                    self.policy.unreachable_deadline)
