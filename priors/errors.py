"""The one exception type a user of cusp can cause, and the one warning type."""


class CuspInputError(ValueError):
    """Raised for input a user can fix: bad shapes, non-finite values, wrong labels,
    non-positive scales, unknown names.  The message says what to change."""


class CuspDataWarning(UserWarning):
    """Data that can be fitted but deserves a look: constant or duplicate columns.
    The message says what the prior does with them."""
