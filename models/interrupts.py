"""Interrupts (Ctrl-C, SIGTERM) that can never become results.

PyMC catches ``KeyboardInterrupt`` while it draws and returns the draws made so far, and a
signal during tuning surfaces as an unrelated ``ValueError``; either way a caller could
not tell a cut-short sample from a finished one.  :func:`catch_signals` records SIGINT and
SIGTERM (and raises ``KeyboardInterrupt`` as Python does for SIGINT), so whoever ran the
work asks :func:`raise_if_interrupted` afterwards and the interrupt wins over whatever the
library returned or raised.

>>> with catch_signals():
...     pass  # sample, solve, write
>>> interrupted() is None
True
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading

__all__ = ["Interrupted", "catch_signals", "interrupted", "raise_if_interrupted"]

_HANDLED = ("SIGINT", "SIGTERM")
_state = {"depth": 0, "signal": None}


class Interrupted(KeyboardInterrupt):
    """Work stopped by a signal; its partial results were discarded."""


def _record(signum, frame):
    name = signal.Signals(signum).name
    _state["signal"] = _state["signal"] or name
    raise Interrupted(f"{name} received")


def interrupted() -> str | None:
    """The name of the first signal received inside :func:`catch_signals`, or None."""
    return _state["signal"]


def raise_if_interrupted() -> None:
    """Raise :class:`Interrupted` if a signal arrived since the outermost
    :func:`catch_signals` began (call it before keeping any result)."""
    if _state["signal"] is not None:
        raise Interrupted(f"{_state['signal']} received")


def _quiet_interrupts(hook):
    """``sys.unraisablehook`` that drops :class:`Interrupted`: a signal that lands in a
    callback Python cannot raise from (numba's compiler calls back through ctypes) was
    printed as an "Exception ignored" traceback; it is recorded, and
    :func:`raise_if_interrupted` raises it where the work resumes."""
    def quiet(unraisable):
        if isinstance(unraisable.exc_value, Interrupted):
            return
        hook(unraisable)

    return quiet


@contextlib.contextmanager
def catch_signals():
    """Record SIGINT and SIGTERM while the block runs (re-entrant; a no-op outside the
    main thread, where Python cannot install handlers).  On leaving the outermost block
    the previous handlers come back and the record is cleared."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    outermost = _state["depth"] == 0
    previous = {}
    previous_hook = sys.unraisablehook
    if outermost:
        _state["signal"] = None
        for name in _HANDLED:
            sig = getattr(signal, name)
            previous[sig] = signal.signal(sig, _record)
        sys.unraisablehook = _quiet_interrupts(previous_hook)
    _state["depth"] += 1
    try:
        yield
    finally:
        _state["depth"] -= 1
        if outermost:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            sys.unraisablehook = previous_hook
            _state["signal"] = None
