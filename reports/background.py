"""One piece of work in a forked process beside the main one (2 cores: the demo's study
runs while the main process fits, renders and builds the explorer).

The child ignores SIGINT (the parent records Ctrl-C and SIGTERM through
:mod:`models.interrupts` and terminates it); its outcome comes back through a pipe, so an
error in the child is raised in the parent, and a child that dies is an error, never a
silent success.
"""

from __future__ import annotations

import multiprocessing
import signal
import traceback

from priors import CuspInputError

__all__ = ["Background"]


def _child(send, fn, args, kwargs):
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        fn(*args, **kwargs)
        send.send(("ok", ""))
    except CuspInputError as exc:
        send.send(("input", str(exc)))
    except BaseException:  # noqa: BLE001 - everything reaches the parent
        send.send(("error", traceback.format_exc()))
    finally:
        send.close()


class Background:
    """Start ``fn(*args, **kwargs)`` in a forked process; :meth:`result` waits for it and
    raises what it raised; :meth:`stop` terminates it if it still runs (call it in a
    ``finally``).  Fork: the child starts in milliseconds with the parent's imports."""

    def __init__(self, fn, *args, **kwargs):
        context = multiprocessing.get_context("fork")
        self._recv, send = context.Pipe(duplex=False)
        self._process = context.Process(target=_child, args=(send, fn, args, kwargs), daemon=True)
        self._process.start()
        send.close()

    def result(self) -> None:
        try:
            status, detail = self._recv.recv()
        except EOFError:
            self._process.join()
            raise RuntimeError(f"the background process ended without a result (exit code {self._process.exitcode})") from None
        self._process.join()
        if status == "input":
            raise CuspInputError(detail)
        if status == "error":
            raise RuntimeError(f"the background process failed:\n{detail}")

    def stop(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._recv.close()
