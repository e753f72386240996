"""A receiver's circuit breaker (support_worker.webhook_pool.Breaker): open after the
threshold of failures in a row, closed again after the cooldown, and a success in between
starts the count again."""

from __future__ import annotations

import time

from support_worker.webhook_pool import Breaker


def test_the_breaker_opens_after_the_threshold_of_failures_in_a_row_and_closes_after_cooldown():
    breaker = Breaker(threshold=3, cooldown=0.3)
    for _ in range(2):
        breaker.record(False)
    assert breaker.allows()
    breaker.record(False)
    assert not breaker.allows()
    time.sleep(0.35)
    assert breaker.allows()
    # One more failure after the cooldown opens it again at once.
    breaker.record(False)
    assert not breaker.allows()


def test_a_success_starts_the_count_of_failures_again():
    breaker = Breaker(threshold=3, cooldown=30)
    for outcome in (False, False, True, False, False):
        breaker.record(outcome)
    assert breaker.allows()
