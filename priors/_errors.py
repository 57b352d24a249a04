"""The one exception type a user of cusp can cause, and the one warning type."""


class CuspInputError(ValueError):
    """Raised for input a user can fix: bad shapes, non-finite values, wrong labels,
    non-positive scales, unknown names.  The message says what to change."""


class CuspDataWarning(UserWarning):
    """Data that can be fitted but deserves a look: constant or duplicate columns.
    The message says what the prior does with them."""


def check_positive(name: str, value) -> float:
    """Return ``value`` as a float, or raise if it is not a finite positive number."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise CuspInputError(f"{name} must be a positive number, got {value!r}") from None
    if not (value > 0 and value < float("inf")):
        raise CuspInputError(f"{name} must be a finite positive number, got {value!r}")
    return value
