"""Publishing an output folder as a whole: build it next to its destination, then move
it into place in one step, so a crash or Ctrl-C never leaves a half-written report."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile

from models.io import current_umask
from priors import CuspInputError


def check_output_folder(out, *, force=False) -> str:
    """Refuse an output folder that exists (without ``force``), is a file, or has no
    parent; call it before long work so the user learns at once.  Returns the absolute path."""
    out = os.path.abspath(os.fspath(out))
    if os.path.exists(out) and not force:
        raise CuspInputError(f"output folder {out} already exists; choose another with --out, or pass --force to replace it")
    if os.path.exists(out) and not os.path.isdir(out):
        raise CuspInputError(f"{out} exists and is not a folder")
    parent = os.path.dirname(out)
    if not os.path.isdir(parent):
        raise CuspInputError(f"folder {parent} does not exist; create it first")
    return out


@contextlib.contextmanager
def staged_folder(out, *, force=False):
    """Yield a fresh staging folder; on success it becomes ``out``.

    An existing ``out`` is an error unless ``force`` (then it is replaced only after
    the new folder is complete).  On any error or interrupt the staging folder is
    removed and ``out`` is untouched.
    """
    out = check_output_folder(out, force=force)
    parent = os.path.dirname(out)
    tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(out)}-", dir=parent)
    os.chmod(tmp, 0o777 & ~current_umask())  # mkdtemp makes 0700; give the usual mode
    try:
        yield tmp
        if os.path.exists(out):
            old = tempfile.mkdtemp(prefix=f".{os.path.basename(out)}-old-", dir=parent)
            os.replace(out, os.path.join(old, "x"))
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
