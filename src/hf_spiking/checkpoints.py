"""Saved folders and checkpoint files loaded strictly: what does not fit raises, naming the file and the keys.

transformers' `from_pretrained` fills tensors missing from `model.safetensors` with random values and only logs a load
report, so a folder whose config.json disagrees with its weights (T-RevSNN `num_columns` 4 -> 8) or whose file lacks
the classifier gives a model that answers confidently and wrongly. Here a mismatch raises where it is a fault and
loads as transformers does where it is a choice:

- :class:`StrictLoadingMixin` (first base of each family's `<Name>PreTrainedModel`): loading a folder into the class
  its `config.architectures[0]` names raises :class:`CheckpointMismatchError` naming the weights file and the missing
  or unexpected tensors. Loading it into another class (a classifier on a pretrained encoder, the encoder of a
  classifier) loads as transformers does, whose load report (a warning) names the new weights. Shapes that differ
  from the model's raise in both cases unless `ignore_mismatched_sizes=True`, the opt-in for a new label set. A
  weights file that is not valid safetensors, a file or a mistyped local folder given as the model, and a folder
  holding only pickled weights (`pytorch_model.bin`, read only with `use_safetensors=False`) raise
  :class:`CheckpointError` naming the path.
- :class:`ProcessorFileMixin` (first base of feature extractors, image processors and processors): an invalid
  `preprocessor_config.json` / `processor_config.json` (not JSON, a refused value or type) raises
  :class:`ProcessorConfigError` naming the file and the field; :func:`check_image_processor_settings` refuses the
  image-processor values transformers accepts silently (a negative crop size, `do_resize: "yes"`).
- :func:`read_tensor_file`, :func:`require_tensors`, :func:`check_tensor_shapes` and :func:`naming_source` for the
  conversion scripts (pickles only with `allow_pickle=True`).

Modeling and processing modules are copied into saved folders for `trust_remote_code`, where hf_spiking is not
installed, so this module imports only the standard library, safetensors, huggingface_hub and transformers (torch
only where a pickle is read), and each family reaches it through a same-folder symbolic link,
`models/<family>/checkpoints.py`, which transformers copies as the file it points to. (No `__all__`, so the links
export nothing twice.)
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from pathlib import Path

from huggingface_hub.errors import HFValidationError
from huggingface_hub.utils import validate_repo_id
from safetensors import SafetensorError, safe_open

try:
    # Each family imports this file through its own link, which Python loads as a separate module: where hf_spiking is
    # installed every link takes the package's classes, so `except CheckpointError` catches the error of any family.
    from hf_spiking.checkpoints import CheckpointError, CheckpointMismatchError, ProcessorConfigError
except ImportError:  # hf_spiking.checkpoints itself (still initialising), or a trust_remote_code folder without it

    class CheckpointError(ValueError):
        """A saved model folder or checkpoint file that cannot be loaded as asked; the message names the path."""

    class CheckpointMismatchError(CheckpointError):
        """Tensors that do not fit the model (missing, unexpected or differently shaped), named with their file."""

    class ProcessorConfigError(CheckpointError):
        """An invalid processor file (`preprocessor_config.json`, `processor_config.json`), naming the field."""


SAFETENSORS_FILE = "model.safetensors"
SAFETENSORS_INDEX_FILE = "model.safetensors.index.json"
PICKLED_WEIGHT_FILES = ("pytorch_model.bin", "pytorch_model.bin.index.json")
PICKLE_SUFFIXES = (".pt", ".pth", ".bin", ".ckpt", ".pkl")
PREPROCESSOR_FILE = "preprocessor_config.json"
PROCESSOR_FILES = ("processor_config.json", PREPROCESSOR_FILE, "video_preprocessor_config.json")
_SHOWN_KEYS = 8


# ---- paths ---------------------------------------------------------------------------------------------------------
def _cannot_be_a_repo_id(text: str) -> bool:
    """A path no Hub repo id ("name" or "namespace/name") looks like: ./x, ../x, ~/x, /x, a/b/c, x\\y, "my model"."""
    if text.startswith((".", "~")) or os.path.isabs(text) or text.count("/") > 1:
        return True
    if any(separator and separator != "/" and separator in text for separator in (os.sep, os.altsep)):
        return True
    try:
        validate_repo_id(text)
    except HFValidationError:
        return True
    return False


def check_model_source(source) -> None:
    """Refuses a file given where a saved folder is expected, and a local-looking path with nothing there, naming it
    (transformers would take both for Hub repo ids and answer "Repo id must be in the form ...")."""
    if not isinstance(source, (str, os.PathLike)):
        return
    text = os.fspath(source)
    if os.path.isdir(text):
        return
    if os.path.isfile(text):
        raise CheckpointError(
            f"{text!r} is a file; expected the folder save_pretrained writes (config.json, {SAFETENSORS_FILE}, "
            f"processor files), here {os.path.dirname(os.path.abspath(text))!r}, or a Hub repo id 'namespace/name'."
        )
    if _cannot_be_a_repo_id(text):
        raise CheckpointError(
            f"no folder at {text!r} (resolved to {os.path.abspath(text)!r}); expected a folder written by "
            "save_pretrained, or a Hub repo id 'namespace/name'."
        )


def _local_folder(source, subfolder: str | None) -> Path | None:
    if not isinstance(source, (str, os.PathLike)) or not os.path.isdir(source):
        return None
    return Path(source) / (subfolder or "")


@contextmanager
def _not_found_hint(source):
    """Adds "not a local folder either" to a Hub/cache error about a name that has no local folder."""
    try:
        yield
    except OSError as error:
        if not isinstance(source, (str, os.PathLike)) or os.path.exists(source):
            raise
        text = os.fspath(source)
        raise CheckpointError(
            f"{text!r} is not a local folder (nothing at {os.path.abspath(text)!r}) and could not be loaded as a Hub "
            f"repo id either: {error}"
        ) from error


# ---- tensors -------------------------------------------------------------------------------------------------------
def _listed(keys: Iterable[str]) -> str:
    keys = sorted(keys)
    shown = ", ".join(keys[:_SHOWN_KEYS])
    return f"{shown}, ... ({len(keys) - _SHOWN_KEYS} more)" if len(keys) > _SHOWN_KEYS else shown


def _mismatch_report(missing=(), unexpected=(), wrong_shapes: Mapping[str, tuple] | None = None) -> str:
    """'missing 3 tensors: a, b, c; shapes differ for 1 tensor: w (file (10,), model (7,))'."""
    parts = []
    if missing:
        parts.append(f"missing {len(missing)} tensor(s): {_listed(missing)}")
    if unexpected:
        parts.append(f"unexpected {len(unexpected)} tensor(s): {_listed(unexpected)}")
    if wrong_shapes:
        shapes = [
            f"{key} (file {tuple(found)}, model {tuple(expected)})"
            for key, (found, expected) in sorted(wrong_shapes.items())
        ]
        more = f", ... ({len(shapes) - _SHOWN_KEYS} more)" if len(shapes) > _SHOWN_KEYS else ""
        parts.append(f"shapes differ for {len(shapes)} tensor(s): {', '.join(shapes[:_SHOWN_KEYS])}{more}")
    return "; ".join(parts)


def check_safetensors_file(path: Path) -> None:
    """Opens the header (names, shapes, offsets against the file size): a truncated, random or garbled file raises."""
    try:
        with safe_open(str(path), framework="numpy") as handle:
            handle.keys()
    except (SafetensorError, OSError) as error:
        raise CheckpointError(
            f"{path} is not a readable safetensors file ({error}); expected the file save_pretrained writes: save "
            "or download it again."
        ) from error


def _local_weight_files(folder: Path, allow_pickle: bool) -> Path | None:
    """Checks the weights of a local folder; returns the file to name in messages (the index when sharded)."""
    single, index = folder / SAFETENSORS_FILE, folder / SAFETENSORS_INDEX_FILE
    if single.is_file():
        check_safetensors_file(single)
        return single
    if index.is_file():
        try:
            shards = sorted(set(json.loads(index.read_text(encoding="utf-8"))["weight_map"].values()))
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise CheckpointError(
                f"{index} is not a safetensors index (JSON with a 'weight_map' of tensor -> shard file): {error!r}"
            ) from error
        for shard in shards:
            if not (folder / shard).is_file():
                raise CheckpointError(f"{index} lists the shard {shard!r}, which is not in {folder}.")
            check_safetensors_file(folder / shard)
        return index
    pickled = [name for name in PICKLED_WEIGHT_FILES if (folder / name).is_file()]
    if pickled and not allow_pickle:
        raise CheckpointError(
            f"{folder} holds only pickled weights ({', '.join(pickled)}); unpickling can run code, so they are read "
            f"only on request: pass use_safetensors=False (torch.load with weights_only=True), or save the model "
            f"again as {SAFETENSORS_FILE}."
        )
    return None  # transformers names a folder without weights itself


def check_loaded_weights(model, class_name: str, loading_info: dict, weights: str, ignore_mismatched_sizes: bool):
    """Raises :class:`CheckpointMismatchError` for shapes that differ (unless opted in) and, when the checkpoint was
    saved as ``class_name``, for missing or unexpected tensors."""
    mismatched = {key: (found, expected) for key, found, expected in loading_info["mismatched_keys"]}
    if mismatched and not ignore_mismatched_sizes:
        raise CheckpointMismatchError(
            f"{weights} does not fit {class_name} as its config describes it: "
            f"{_mismatch_report(wrong_shapes=mismatched)}."
            " Pass ignore_mismatched_sizes=True to initialise them anew (e.g. for a new label set), or use the "
            "config.json saved with these weights."
        )
    architectures = getattr(model.config, "architectures", None) or []
    missing, unexpected = loading_info["missing_keys"], loading_info["unexpected_keys"]
    if architectures[:1] == [class_name] and (missing or unexpected):
        raise CheckpointMismatchError(
            f"{weights} does not hold the {class_name} its config.json describes: "
            f"{_mismatch_report(missing, unexpected)}. The config names {class_name} as the saved architecture, so "
            "every tensor must come from the file: use the config.json saved with these weights. To start a new head "
            "from them, load the class of that head instead (transformers then names its new weights in a warning)."
        )


class StrictLoadingMixin:
    """``from_pretrained`` that refuses weights that do not fit the model (see the module docstring); put it first
    among the bases of a family's ``<Name>PreTrainedModel``."""

    @classmethod
    def from_pretrained(cls, pretrained_model_name_or_path, *model_args, **kwargs):
        check_model_source(pretrained_model_name_or_path)
        folder = _local_folder(pretrained_model_name_or_path, kwargs.get("subfolder"))
        weights_file = _local_weight_files(folder, kwargs.get("use_safetensors") is False) if folder else None
        weights = str(weights_file or folder or f"{SAFETENSORS_FILE} of {pretrained_model_name_or_path!r}")
        ignore_mismatched_sizes = kwargs.pop("ignore_mismatched_sizes", False)
        output_loading_info = kwargs.pop("output_loading_info", False)
        with _not_found_hint(pretrained_model_name_or_path):
            try:
                # Mismatched tensors are always re-initialised so that they come back in the loading info; refusing
                # them (the default) is decided below, with their names and shapes.
                model, loading_info = super().from_pretrained(
                    pretrained_model_name_or_path,
                    *model_args,
                    ignore_mismatched_sizes=True,
                    output_loading_info=True,
                    **kwargs,
                )
            except SafetensorError as error:  # a Hub or cache file (local files were opened above)
                raise CheckpointError(f"{weights} is not a readable safetensors file ({error}).") from error
        check_loaded_weights(model, cls.__name__, loading_info, weights, ignore_mismatched_sizes)
        return (model, loading_info) if output_loading_info else model


# ---- processor files -----------------------------------------------------------------------------------------------
def _read_settings_file(path: Path) -> dict:
    try:
        settings = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ProcessorConfigError(
            f"{path} is not valid JSON ({error.msg} at line {error.lineno}, column {error.colno}); expected the "
            "object of settings save_pretrained writes."
        ) from error
    except UnicodeDecodeError as error:
        raise ProcessorConfigError(f"{path} is not UTF-8 text ({error}); expected a JSON object of settings.") from None
    if not isinstance(settings, dict):
        raise ProcessorConfigError(
            f"{path} holds a JSON {type(settings).__name__}; expected an object of settings such as "
            '{"feature_extractor_type": ..., ...}.'
        )
    return settings


def _check_settings_class(path: Path, settings: dict, class_name: str) -> None:
    """Refuses the settings of another feature extractor or image processor (transformers would set its fields as
    attributes of this one and carry on)."""
    for key in ("feature_extractor_type", "image_processor_type"):
        saved_as = settings.get(key)
        if saved_as is not None and str(saved_as).removesuffix("Fast") != class_name.removesuffix("Fast"):
            raise ProcessorConfigError(
                f"{path} holds the settings of a {saved_as} (`{key}`), not of a {class_name}: load it with "
                f"{saved_as}, or with AutoFeatureExtractor / AutoImageProcessor."
            )


def _settings_error(owner: str, where: str, error: Exception) -> ProcessorConfigError:
    cause = error.__cause__ if isinstance(error, ProcessorConfigError) and error.__cause__ is not None else error
    return ProcessorConfigError(f"{where}: invalid {owner} settings: {cause}")


class ProcessorFileMixin:
    """``from_pretrained`` / ``from_dict`` that name the file and the field of an invalid processor file; put it first
    among the bases of a feature extractor, image processor or processor."""

    @classmethod
    def _settings_file_names(cls) -> tuple[str, ...]:
        from transformers import ProcessorMixin

        return PROCESSOR_FILES if issubclass(cls, ProcessorMixin) else (PREPROCESSOR_FILE,)

    @classmethod
    def from_pretrained(cls, pretrained_model_name_or_path, *args, **kwargs):
        check_model_source(pretrained_model_name_or_path)
        folder = _local_folder(pretrained_model_name_or_path, kwargs.get("subfolder"))
        names = cls._settings_file_names()
        files = [folder / name for name in names if folder and (folder / name).is_file()]
        for file in files:
            settings = _read_settings_file(file)
            if names == (PREPROCESSOR_FILE,):
                _check_settings_class(file, settings, cls.__name__)
        try:
            with _not_found_hint(pretrained_model_name_or_path):
                return super().from_pretrained(pretrained_model_name_or_path, *args, **kwargs)
        except (ValueError, TypeError) as error:
            if isinstance(error, CheckpointError) and not isinstance(error, ProcessorConfigError):
                raise
            where = ", ".join(map(str, files)) or f"the processor files of {os.fspath(pretrained_model_name_or_path)!r}"
            raise _settings_error(cls.__name__, where, error) from error

    @classmethod
    def from_dict(cls, settings, *args, **kwargs):
        # The Auto classes read the file themselves and build from the dict: the field is named, the file cannot be.
        try:
            return super().from_dict(settings, *args, **kwargs)
        except (ValueError, TypeError) as error:
            raise _settings_error(cls.__name__, PREPROCESSOR_FILE, error) from error


def _is_integer(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_finite_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def require_bool(name: str, value) -> None:
    if not isinstance(value, bool):
        raise ValueError(f"`{name}` must be true or false, got {value!r}.")


def require_positive_integer(name: str, value) -> None:
    if not _is_integer(value) or value < 1:
        raise ValueError(f"`{name}` must be a positive integer, got {value!r}.")


def check_image_processor_settings(processor) -> None:
    """Refuses settings transformers' image processors accept silently, naming the field: non-boolean switches,
    sizes that are not positive integers, a non-finite or non-positive `rescale_factor`, a mean/std that is not one
    or `num_channels` finite numbers (std > 0), an unknown `resample`."""
    from transformers.image_utils import PILImageResampling

    for name in ("do_resize", "do_center_crop", "do_rescale", "do_normalize", "do_convert_rgb", "do_pad"):
        if getattr(processor, name, None) is not None:
            require_bool(name, getattr(processor, name))
    for name in ("size", "crop_size"):
        size = getattr(processor, name, None)
        if size is None:
            continue
        sides = {key: value for key, value in dataclasses.asdict(size).items() if value is not None}
        if not sides or not all(_is_integer(value) and value > 0 for value in sides.values()):
            raise ValueError(f"`{name}` must hold positive integer sizes in pixels, got {sides}.")
    factor = getattr(processor, "rescale_factor", None)
    if factor is not None and not (_is_finite_number(factor) and factor > 0):
        raise ValueError(f"`rescale_factor` must be a finite positive number (1/255 for 8-bit images), got {factor!r}.")
    for name in ("image_mean", "image_std"):
        value = getattr(processor, name, None)
        if value is None:
            continue
        values = [value] if not isinstance(value, (list, tuple)) else list(value)
        if len(values) not in (1, 3) or not all(_is_finite_number(v) for v in values):
            raise ValueError(f"`{name}` must be one or three finite numbers (one per RGB channel), got {value!r}.")
        if name == "image_std" and min(values) <= 0:
            raise ValueError(f"`image_std` must be positive (it divides the pixels), got {value!r}.")
    resample = getattr(processor, "resample", None)
    if resample is not None and resample not in {member.value for member in PILImageResampling}:
        raise ValueError(
            f"`resample` must be one of PIL's filters {sorted(m.value for m in PILImageResampling)}, got {resample!r}."
        )


# ---- conversion scripts --------------------------------------------------------------------------------------------
def read_tensor_file(path, allow_pickle: bool = False) -> dict:
    """The dictionary a checkpoint file holds: a ``.safetensors`` file, or (only with ``allow_pickle=True``) a torch
    pickle (``.pt``, ``.pth``, ``.bin``, ...) read with ``torch.load(weights_only=True)``."""
    path = Path(path)
    if not path.is_file():
        what = "is a folder" if path.is_dir() else "does not exist"
        raise CheckpointError(f"checkpoint file {str(path)!r} {what}; expected a .safetensors (or .pt/.pth) file.")
    suffix = path.suffix.lower()
    if suffix == ".safetensors":
        from safetensors.torch import load_file

        try:
            return load_file(str(path))
        except (SafetensorError, OSError) as error:
            raise CheckpointError(f"{path} is not a readable safetensors file ({error}).") from error
    if suffix not in PICKLE_SUFFIXES:
        raise CheckpointError(
            f"{path}: unsupported checkpoint format {suffix or '(no suffix)'!r}; expected .safetensors, or with "
            f"allow_pickle=True one of {', '.join(PICKLE_SUFFIXES)}."
        )
    if not allow_pickle:
        raise CheckpointError(
            f"{path} is a pickle (torch.save) file; unpickling can run code, so it is read only on request: pass "
            "--allow-pickle (allow_pickle=True; torch.load with weights_only=True, plain tensors and containers only) "
            "or convert it to .safetensors first."
        )
    import torch

    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch and pickle raise many types for a file that is not a tensor checkpoint
        raise CheckpointError(f"{path} could not be read as a torch checkpoint of tensors: {error}") from error
    if not isinstance(checkpoint, dict):
        raise CheckpointError(f"{path} holds a {type(checkpoint).__name__}; expected a dictionary of tensors.")
    return checkpoint


def require_tensors(state_dict: Mapping, keys: Iterable[str], what: str) -> None:
    """Raises :class:`CheckpointMismatchError` naming the ``keys`` ``state_dict`` lacks (``what`` it should be)."""
    missing = [key for key in keys if key not in state_dict]
    if missing:
        raise CheckpointMismatchError(f"not {what}: {_mismatch_report(missing=missing)}.")


def tensor_dimension(state_dict: Mapping, key: str, axis: int, what: str) -> int:
    """``state_dict[key].shape[axis]``: conversion scripts read a model's sizes off its tensors; a missing tensor or one
    with too few dimensions raises :class:`CheckpointMismatchError` naming the key."""
    require_tensors(state_dict, [key], what)
    shape = tuple(getattr(state_dict[key], "shape", ()))
    if not -len(shape) <= axis < len(shape):
        needed = axis + 1 if axis >= 0 else -axis
        raise CheckpointMismatchError(
            f"not {what}: {key!r} has shape {shape}, expected a tensor of at least {needed} dimension(s)."
        )
    return shape[axis]


def check_tensor_shapes(expected: Mapping[str, tuple], found: Mapping[str, tuple], what: str) -> None:
    """Raises :class:`CheckpointMismatchError` when the names or shapes of ``found`` are not exactly ``expected``."""
    missing = set(expected) - set(found)
    unexpected = set(found) - set(expected)
    wrong_shapes = {
        key: (found[key], expected[key])
        for key in expected.keys() & found.keys()
        if tuple(found[key]) != tuple(expected[key])
    }
    if missing or unexpected or wrong_shapes:
        raise CheckpointMismatchError(
            f"the converted tensors do not fit {what}: {_mismatch_report(missing, unexpected, wrong_shapes)}."
        )


@contextmanager
def naming_source(source):
    """Prefixes ``source`` (the file read) to a ``ValueError`` raised inside, as a :class:`CheckpointError` (its own
    subclass kept): the key-level conversion helpers and the configs know the keys and values, the caller the file."""
    try:
        yield
    except ValueError as error:
        error_class = type(error) if isinstance(error, CheckpointError) else CheckpointError
        raise error_class(f"{source}: {error}") from error
