"""Regression corpus of bad input, one module per category (see tests/bad_input/test_<category>.py)."""

import pytest


def assert_refused(error_class, call, *fragments):
    """``call()`` raises ``error_class`` whose message contains every fragment (the argument or file, the offending
    value or keys, the expected form); returns the message."""
    with pytest.raises(error_class) as caught:
        call()
    message = str(caught.value)
    for fragment in fragments:
        assert str(fragment) in message, f"{fragment!r} not in {message!r}"
    return message
