"""Reports and the ``cusp`` command line."""
