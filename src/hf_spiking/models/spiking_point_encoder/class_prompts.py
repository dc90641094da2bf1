"""Checks of the class names and prompt templates that zero-shot classification turns into text prompts.

A duplicated class splits its probability between the copies ("chair 0.50 / chair 0.50"), an empty or missing name
scores a prompt about nothing, and a template without exactly one ``{}`` fails inside ``str.format`` or drops the
class name: all are refused here with a ValueError naming the argument, the value and the expected form. The module
imports only numpy and the standard library, so it travels with the pipeline into saved remote-code folders.
"""

from __future__ import annotations

import string

import numpy as np


def checked_class_names(names, argument: str = "candidate_labels") -> list[str]:
    """``names`` as a list of distinct, non-empty strings.

    Accepts a list, a tuple or a 1-D numpy array of strings. Names are compared ignoring case and runs of spaces
    ("Chair" and " chair" are one class: the text teachers read them alike).
    """
    if isinstance(names, np.ndarray):
        if names.ndim != 1:
            raise ValueError(f"`{argument}` must be a 1-D list of class names, got an array of shape {names.shape}.")
        names = names.tolist()
    if not isinstance(names, (list, tuple)) or not names:
        raise ValueError(f"`{argument}` must be a non-empty list of class names (strings), got {names!r}.")
    for position, name in enumerate(names):
        if not isinstance(name, str) or not name.strip():
            raise ValueError(
                f"`{argument}`[{position}] is {name!r}; every class name must be a non-empty string (got {names!r})."
            )
    first_spelling = {}
    duplicates = []
    for name in names:
        key = " ".join(name.split()).casefold()
        if key in first_spelling:
            duplicates.append(f"{first_spelling[key]!r} and {name!r}")
        else:
            first_spelling[key] = name
    if duplicates:
        raise ValueError(
            f"`{argument}` names the same class more than once ({'; '.join(duplicates)}; compared ignoring case and "
            "spaces): each class must appear once, or its probability is split between the copies."
        )
    return [str(name) for name in names]


def checked_template(template, argument: str = "hypothesis_template") -> str:
    """``template`` if it is a string with exactly one ``{}`` (where the class name goes) and no other field."""
    expected = "a string with exactly one '{}' where the class name goes, e.g. 'a point cloud of a {}.'"
    if not isinstance(template, str):
        raise ValueError(f"`{argument}` must be {expected}; got {template!r}.")
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
        if fields == [""]:
            template.format("class name")
            return template
    except (ValueError, TypeError, IndexError, KeyError) as error:  # unbalanced braces, a bad or nested format spec
        raise ValueError(f"`{argument}` {template!r} is not a usable format string ({error}); expected {expected}.")
    named = ", ".join("{" + name + "}" for name in fields) or "no '{}'"
    raise ValueError(
        f"`{argument}` {template!r} has {named}; expected {expected} (write literal braces as '{{{{}}}}')."
    )


def checked_templates(templates, argument: str = "templates") -> tuple[str, ...]:
    """A non-empty list, tuple or 1-D numpy array of templates, each checked by :func:`checked_template`."""
    if isinstance(templates, np.ndarray) and templates.ndim == 1:
        templates = templates.tolist()
    if isinstance(templates, str) or not isinstance(templates, (list, tuple)) or not templates:
        raise ValueError(
            f"`{argument}` must be a non-empty list of templates, each with one '{{}}' (e.g. ['a point cloud of a "
            f"{{}}.']), got {templates!r}."
        )
    return tuple(checked_template(template, f"{argument}[{index}]") for index, template in enumerate(templates))


__all__ = ["checked_class_names", "checked_template", "checked_templates"]
