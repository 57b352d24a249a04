"""Publishing an output folder as a whole: build it next to its destination, then move
it into place in one step, so a crash, Ctrl-C or SIGTERM never leaves a half-written
report.

Two marker files make cusp's own folders recognisable:

* :data:`OUTPUT_MARKER` in every folder cusp publishes.  ``--force`` replaces only such a
  folder, never one cusp did not write, the current folder (or one containing it), or a
  folder holding one of the run's input files.
* :data:`STAGING_MARKER` (the builder's process id and host) in a staging folder while it
  is built.  A staging folder whose builder is gone (killed with SIGKILL, say) is removed
  by the next run that publishes beside it, and ``cusp report`` refuses to read one.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import tempfile

from models.interrupts import raise_if_interrupted
from models.io import current_umask, process_runs
from priors import CuspInputError

__all__ = ["OUTPUT_MARKER", "STAGING_MARKER", "check_output_folder", "staged_folder", "is_staging_folder",
           "remove_stale_staging"]

OUTPUT_MARKER = ".cusp-output"
STAGING_MARKER = ".cusp-staging"


def check_output_folder(out, *, force=False, inputs=(), option="--out") -> str:
    """Refuse an output folder that cannot or must not be written, before any long work.

    Refused: an empty name; an existing folder without ``force``; an existing file; with
    ``force``, a folder that cusp did not write (no :data:`OUTPUT_MARKER`), the current
    folder or one containing it, or one containing any of ``inputs`` (the run's input
    files); a parent folder that does not exist or cannot be written in.  Stale staging
    folders of interrupted runs beside ``out`` are removed.  Returns the absolute path.
    """
    if not str(os.fspath(out)).strip():
        raise CuspInputError(f"the output folder name is empty; give one with {option}")
    out = os.path.abspath(os.fspath(out))
    if os.path.lexists(out):
        if not os.path.isdir(out):
            raise CuspInputError(f"{out} exists and is not a folder; choose another {option}")
        if not force:
            raise CuspInputError(f"output folder {out} already exists; choose another with {option}, "
                                 "or pass --force to replace it")
        _check_replaceable(out, inputs)
    parent = os.path.dirname(out)
    if not os.path.isdir(parent):
        raise CuspInputError(f"folder {parent} does not exist; create it first")
    _check_writable(parent)
    remove_stale_staging(parent, os.path.basename(out))
    return out


def _inside(path, folder) -> bool:
    path, folder = os.path.realpath(path), os.path.realpath(folder)
    return os.path.commonpath([path, folder]) == folder


def _check_replaceable(out, inputs):
    """``--force`` may replace ``out`` only if cusp wrote it and nothing the user still
    needs is inside it."""
    if _inside(os.getcwd(), out):
        raise CuspInputError(f"--force would replace {out}, which is (or contains) the current folder; "
                             "choose another --out")
    for path in inputs:
        if path is not None and _inside(os.fspath(path), out):
            raise CuspInputError(f"--force would delete the input file {os.fspath(path)}, which is inside {out}; "
                                 "choose another --out")
    if not os.path.isfile(os.path.join(out, OUTPUT_MARKER)):
        raise CuspInputError(f"{out} was not written by cusp (it has no {OUTPUT_MARKER} file), so --force will not "
                             "replace it; remove it yourself or choose another --out")


def _check_writable(parent):
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".cusp-check-", dir=parent))
    except OSError as exc:
        raise CuspInputError(f"cannot write in folder {parent} ({exc.strerror}); choose another --out") from None


# ---------------------------------------------------------------------- staging folders
def _write_staging_marker(folder):
    with open(os.path.join(folder, STAGING_MARKER), "w", encoding="utf-8") as fh:
        fh.write(f"{os.getpid()} {socket.gethostname()}\n")


def is_staging_folder(folder) -> bool:
    """True if ``folder`` is a staging folder (finished or not) rather than published output."""
    return os.path.isfile(os.path.join(os.fspath(folder), STAGING_MARKER))


def _builder_is_gone(folder) -> bool:
    """True if the process that built staging ``folder`` on this host no longer runs."""
    try:
        with open(os.path.join(folder, STAGING_MARKER), encoding="utf-8") as fh:
            pid_text, _, host = fh.read().strip().partition(" ")
        pid = int(pid_text)
    except (OSError, ValueError):
        return False  # not ours, or being written this instant: leave it
    if host != socket.gethostname():
        return False  # another machine's (shared folder): cannot tell
    return not process_runs(pid)


def remove_stale_staging(parent, name) -> list[str]:
    """Remove the staging folders ``.<name>-*`` in ``parent`` that carry cusp's
    :data:`STAGING_MARKER` and whose builder is gone; return the paths removed."""
    removed = []
    try:
        entries = os.listdir(parent)
    except OSError:
        return removed
    for entry in entries:
        path = os.path.join(parent, entry)
        if entry.startswith(f".{name}-") and os.path.isdir(path) and not os.path.islink(path) \
                and is_staging_folder(path) and _builder_is_gone(path):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _staging_folder(parent, prefix):
    tmp = tempfile.mkdtemp(prefix=prefix, dir=parent)
    os.chmod(tmp, 0o777 & ~current_umask())  # mkdtemp makes 0700; give the usual mode
    _write_staging_marker(tmp)
    return tmp


@contextlib.contextmanager
def staged_folder(out, *, force=False, inputs=(), option="--out"):
    """Yield a fresh staging folder; on success it becomes ``out``, marked as cusp's.

    ``out`` is checked by :func:`check_output_folder` (``force`` and ``inputs`` as
    there); an existing ``out`` is replaced only after the new folder is complete.  On
    any error, interrupt or signal the staging folder is removed and ``out`` is untouched.
    """
    out = check_output_folder(out, force=force, inputs=inputs, option=option)
    parent = os.path.dirname(out)
    tmp = _staging_folder(parent, f".{os.path.basename(out)}-")
    try:
        yield tmp
        raise_if_interrupted()  # a signal the work swallowed still stops publication
        with open(os.path.join(tmp, OUTPUT_MARKER), "w", encoding="utf-8") as fh:
            fh.write("written by cusp; `--force` may replace this folder\n")
        if os.path.exists(out):
            old = _staging_folder(parent, f".{os.path.basename(out)}-old-")
            os.replace(out, os.path.join(old, "x"))
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
        os.unlink(os.path.join(out, STAGING_MARKER))
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
