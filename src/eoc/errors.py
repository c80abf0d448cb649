"""Exceptions that the command line turns into a clear message and a non-zero exit status."""


class InputError(ValueError):
    """Bad user input, detected before any work starts. The message names the offending value."""
