"""One validation contract for every hf_spiking config: bad values raise the family's `ValueError` subclass.

huggingface_hub's `@strict` checks field types on assignment and runs the `validate_*` methods after `__init__`, but
it raises its own `StrictDataclass*Error` types (not `ValueError`, which the README promises), rejects an `int` for a
`float` field (`label_smoothing=0`) and accepts NaN and infinity. :func:`checked_config`, applied on top of
`@strict`, fixes the three at the only two doors a value passes (`__setattr__` and `validate`), so `__init__`,
`from_dict`/`from_pretrained` and later assignments behave alike.

Config modules are copied into saved folders for `trust_remote_code`, where hf_spiking is not installed, so this
module imports only the standard library and huggingface_hub, and each family reaches it through a same-folder
symbolic link, `models/<family>/config_validation.py`, which transformers copies as the file it points to.
(No `__all__`: the links would otherwise export the same name from every family.)
"""

from __future__ import annotations

import dataclasses
import math
import typing
from contextlib import contextmanager
from functools import wraps

from huggingface_hub.errors import StrictDataclassError


def _float_only_fields(cls) -> frozenset[str]:
    """Fields annotated `float` or `float | None` (not `int | float`): an int given there means the same float."""
    names = set()
    for field in dataclasses.fields(cls):
        # Modules with `from __future__ import annotations` keep the annotation as text; inherited transformers
        # annotations name modules (torch) that need not be importable here, so the text is read, not evaluated.
        if isinstance(field.type, str):
            accepted = {part.strip() for part in field.type.split("|")}
            float_only = "float" in accepted and "int" not in accepted
        else:
            accepted = typing.get_args(field.type) or (field.type,)
            float_only = float in accepted and int not in accepted
        if float_only:
            names.add(field.name)
    return frozenset(names)


def _one_line_cause(error: BaseException) -> str:
    """The validator's own message (`@strict` prefixes a header line and indents the cause)."""
    cause = error.__cause__ if error.__cause__ is not None else error
    return " ".join(str(cause).split())


@contextmanager
def _strict_errors_as(error_class: type[ValueError]):
    """Re-raises `@strict`'s errors that are not already a `ValueError` as `error_class`."""
    try:
        yield
    except StrictDataclassError as error:
        if isinstance(error, ValueError):
            raise
        raise error_class(_one_line_cause(error)) from error


def checked_config(error_class: type[ValueError]):
    """Class decorator (outermost, above `@strict`) making every refused config value raise `error_class`.

    - an `int` (not a `bool`) given for a float-only field is stored as that `float`;
    - a non-finite float (NaN, +-inf) in any field is refused, naming the field;
    - a type error from `@strict` and a `validate_*` failure are re-raised as `error_class` with the one-line cause,
      also for sub-configs built inside `__init__` (e.g. a `vision_config` dict with a bad field).
    """

    def wrap(cls):
        float_fields = _float_only_fields(cls)
        strict_setattr, strict_validate, strict_init = cls.__setattr__, cls.validate, cls.__init__

        def __setattr__(self, name, value):
            if name in float_fields and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if isinstance(value, float) and not math.isfinite(value):
                raise error_class(f"`{name}` must be a finite number, got {value!r}.")
            with _strict_errors_as(error_class):
                strict_setattr(self, name, value)

        @wraps(strict_validate)
        def validate(self):
            with _strict_errors_as(error_class):
                strict_validate(self)

        @wraps(strict_init)
        def __init__(self, *args, **kwargs):
            # `num_labels` is a transformers property, not a checked field: a non-integer fails deep in its setter, and a
            # negative one becomes an empty label map (reported as 0); 0 is refused by each family with its own reason.
            num_labels = kwargs.get("num_labels", 1)
            if not isinstance(num_labels, int) or isinstance(num_labels, bool) or num_labels < 0:
                raise error_class(f"`num_labels` must be a positive integer, got {num_labels!r}.")
            with _strict_errors_as(error_class):
                strict_init(self, *args, **kwargs)

        # Subclasses decorated with @strict again replace `validate` instead of refusing a user-defined one.
        validate.__is_defined_by_strict_decorator__ = True
        cls.__setattr__, cls.validate, cls.__init__ = __setattr__, validate, __init__
        return cls

    return wrap


def checked_class_labels(labels, num_labels: int, batch_size: int, device):
    """``labels`` as a long tensor on ``device`` holding one class index in ``[0, num_labels)`` per sample; anything
    else (soft or one-hot targets, floats, wrong shapes, out-of-range indices) is refused naming the expected form."""
    import torch

    expected = f"an integer tensor of shape ({batch_size},) with class indices in [0, {num_labels})"
    if not isinstance(labels, torch.Tensor):
        raise ValueError(f"`labels` must be {expected}, got {type(labels).__name__}.")
    if labels.dtype == torch.bool or labels.is_floating_point() or labels.is_complex():
        raise ValueError(f"`labels` must be {expected}, got dtype {labels.dtype}.")
    if labels.shape != (batch_size,):
        raise ValueError(f"`labels` must be {expected}, got shape {tuple(labels.shape)}.")
    if labels.min() < 0 or labels.max() >= num_labels:
        raise ValueError(f"`labels` must be {expected}, got {labels.tolist()}.")
    return labels.to(device, torch.long)
