"""Two sizes for a long check: a sample in `make test-fast`, the whole check in a slow twin.

A check cut down to keep test-fast quick must still run in full where CI runs. Both helpers
give the test two ids: ``[fast]`` runs in test-fast, ``[full]`` is marked ``slow`` (`make
test-slow`, which CI step 1 runs).

- ``fast_and_full(fast, full)`` parametrizes a test's ``examples`` argument;
- ``given_fast_and_full(*strategies, base=..., fast=..., full=...)`` replaces ``@settings(base)
  @given(*strategies)`` on a Hypothesis property (one without fixtures): ``fast`` examples, or
  ``full`` in the twin.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis.strategies import SearchStrategy


def fast_and_full(fast: int, full: int) -> pytest.MarkDecorator:
    """Run the test with ``examples=fast`` in test-fast and ``examples=full`` in test-slow."""
    assert 0 < fast < full
    return pytest.mark.parametrize("examples", [
        pytest.param(fast, id="fast"),
        pytest.param(full, id="full", marks=pytest.mark.slow),
    ])


def given_fast_and_full(*strategies: SearchStrategy[Any], base: settings, fast: int, full: int,
                        **named: SearchStrategy[Any],
                        ) -> Callable[[Callable[..., None]], Callable[[int], None]]:
    """Make a property function (its arguments drawn from ``strategies`` and ``named``, as with
    ``@given``) into a test that checks it on ``fast`` examples, and a slow twin that checks it
    on ``full`` (the other settings come from ``base``)."""

    def decorate(prop: Callable[..., None]) -> Callable[[int], None]:
        @fast_and_full(fast, full)
        def test(examples: int) -> None:
            settings(base, max_examples=examples)(given(*strategies, **named)(prop))()

        # The test's own name, for pytest and reports; not functools.wraps, whose __wrapped__
        # would make pytest read the property's arguments as fixtures.
        test.__name__, test.__qualname__ = prop.__name__, prop.__qualname__
        test.__module__, test.__doc__ = prop.__module__, prop.__doc__
        return test

    return decorate
