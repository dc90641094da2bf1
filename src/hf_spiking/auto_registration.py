"""Lazy registration of hf_spiking's model types with the transformers Auto* classes and pipeline registry.

Registering classes through ``AutoModel.register`` needs the classes, hence torch and ``transformers.modeling_utils``
(about 8 s of imports on 2 cores). ``import hf_spiking`` must stay cheap, so registration is done the way transformers
registers its own models instead: by name.

* Each model type gets an entry in the name tables of the Auto* modules (``CONFIG_MAPPING_NAMES``,
  ``MODEL_MAPPING_NAMES``, ...), and its family package is made importable as ``transformers.models.<model_type>``,
  where the Auto* classes look names up. The family package exports its classes lazily, so nothing heavy is imported
  until an Auto* class actually resolves one of our names.
* The name tables only exist once their Auto* module is imported; an import hook adds the entries right after each of
  those modules is executed (or at once, if it already was). Adding names imports nothing, so the hook cannot re-enter
  a half-imported module.
* A model type with an image processor is also listed as having no video processor (see
  ``NO_VIDEO_PROCESSOR_TABLE``), so that ``pipeline(...)`` does not ask whether to run remote code for one.
* Pipelines are registered with ``PIPELINE_REGISTRY`` when ``transformers.pipelines`` is imported, which is the first
  thing ``pipeline(...)`` does. That needs the pipeline class, whose module itself imports ``transformers.pipelines``:
  when that import is what fired the hook, registration waits until the pipeline module has finished importing.
"""

from __future__ import annotations

import importlib
import importlib.abc
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import ModuleType

_AUTO_PACKAGE = "transformers.models.auto"

# Auto* class -> (module under transformers.models.auto, the name table its lookups read).
AUTO_CLASS_NAME_TABLES: dict[str, tuple[str, str]] = {
    "AutoConfig": ("configuration_auto", "CONFIG_MAPPING_NAMES"),
    "AutoModel": ("modeling_auto", "MODEL_MAPPING_NAMES"),
    "AutoModelForCausalLM": ("modeling_auto", "MODEL_FOR_CAUSAL_LM_MAPPING_NAMES"),
    "AutoModelForImageClassification": ("modeling_auto", "MODEL_FOR_IMAGE_CLASSIFICATION_MAPPING_NAMES"),
    "AutoModelForImageTextToText": ("modeling_auto", "MODEL_FOR_IMAGE_TEXT_TO_TEXT_MAPPING_NAMES"),
    "AutoModelForPreTraining": ("modeling_auto", "MODEL_FOR_PRETRAINING_MAPPING_NAMES"),
    "AutoFeatureExtractor": ("feature_extraction_auto", "FEATURE_EXTRACTOR_MAPPING_NAMES"),
    "AutoImageProcessor": ("image_processing_auto", "IMAGE_PROCESSOR_MAPPING_NAMES"),
    "AutoProcessor": ("processing_auto", "PROCESSOR_MAPPING_NAMES"),
}

# transformers' AutoVideoProcessor, which pipeline() tries (and may fail) to load for every vision task, guesses a
# folder's video processor from the AutoImageProcessor entry of its auto_map ("...ImageProcessor" ->
# "...VideoProcessor"), which every saved hf_spiking image processor writes for trust_remote_code. Were the config type
# missing from this table, that guess would be the only code on offer, and with trust_remote_code unset transformers
# would ask whether to run it (a prompt that waits 15 s in a terminal). An entry naming no class for any backend says
# the model type is known locally and has no video processor: trust_remote_code then defaults to False, no remote code
# is resolved, and AutoVideoProcessor raises the ValueError that pipeline() takes as "no video processor". Every model
# type registering an AutoImageProcessor gets such an entry.
NO_VIDEO_PROCESSOR_TABLE: tuple[str, str] = ("video_processing_auto", "VIDEO_PROCESSOR_MAPPING_NAMES")


@dataclass(frozen=True)
class ModelTypeRegistration:
    """One model type: the package exporting its classes and the class name registered with each Auto* class (a
    tuple of names where a folder's saved type picks one, e.g. the point and the event feature extractor)."""

    model_type: str
    package: str
    auto_classes: Mapping[str, str | tuple[str, ...]]

    def __post_init__(self):
        unknown = set(self.auto_classes) - set(AUTO_CLASS_NAME_TABLES)
        if unknown:
            raise ValueError(f"unknown Auto* classes {sorted(unknown)}; expected some of {sorted(AUTO_CLASS_NAME_TABLES)}")
        if "AutoConfig" not in self.auto_classes:
            raise ValueError(f"model type {self.model_type!r} needs an 'AutoConfig' entry")


@dataclass(frozen=True)
class PipelineRegistration:
    """A custom pipeline task, registered with ``PIPELINE_REGISTRY`` once ``transformers.pipelines`` is imported."""

    task: str
    pipeline_class: str  # "package.module:ClassName", the module that defines the class
    # The class pipeline(model=<name or folder>) loads with: an Auto class of transformers' modeling_auto, or
    # "package.module:ClassName" (e.g. an Auto class of our own that gives the task's head).
    pt_model: str = "AutoModel"
    # register_pipeline's `default`: what pipeline(task) uses without `model=`, e.g. {"model": (folder, None)}.
    default: Mapping | None = None
    type: str = "multimodal"


class NoDefaultModel(dict):
    """A pipeline task's ``default`` entry for a task that ships no checkpoint: transformers' ``pipeline(task)``
    without ``model=`` asks it for ``["model"]``, which raises a ValueError saying what to pass. (A dict, so the
    registry entry still serialises when a pipeline is saved.)"""

    def __init__(self, message: str):
        super().__init__(model=None)
        self.message = message

    def __getitem__(self, key):
        if key == "model":
            raise ValueError(self.message)
        return super().__getitem__(key)


def _name_table_entry(auto_class: str, class_name: str):
    # Image processors are listed per backend; ours are plain PIL-free numpy/torch processors, filed as "pil".
    return {"pil": class_name} if auto_class == "AutoImageProcessor" else class_name


def _add_names(registrations: tuple[ModelTypeRegistration, ...], auto_module: ModuleType) -> None:
    short_name = auto_module.__name__.rsplit(".", 1)[-1]
    for registration in registrations:
        for auto_class, class_name in registration.auto_classes.items():
            module_name, table_name = AUTO_CLASS_NAME_TABLES[auto_class]
            if module_name == short_name:
                getattr(auto_module, table_name)[registration.model_type] = _name_table_entry(auto_class, class_name)
    if short_name == NO_VIDEO_PROCESSOR_TABLE[0]:
        table = getattr(auto_module, NO_VIDEO_PROCESSOR_TABLE[1])
        for registration in registrations:
            if "AutoImageProcessor" in registration.auto_classes:
                table[registration.model_type] = {}  # {backend: class name}, with no backend
    if short_name == AUTO_CLASS_NAME_TABLES["AutoConfig"][0]:
        _add_reverse_config_names(registrations)


def _add_reverse_config_names(registrations: tuple[ModelTypeRegistration, ...]) -> None:
    # Every lazy Auto* mapping keeps its own config-class-name -> model-type index, built when it was created from
    # the config names; those created before ours were added (hf_spiking imported after them) must learn them too.
    # Mappings created later read the config names, so this runs once, when they are added.
    for name, module in list(sys.modules.items()):
        if not name.startswith(_AUTO_PACKAGE + ".") or module is None:
            continue
        for value in vars(module).values():
            if isinstance(getattr(value, "_reverse_config_mapping", None), dict):
                for registration in registrations:
                    value._reverse_config_mapping[registration.auto_classes["AutoConfig"]] = registration.model_type


def _import_object(reference: str):
    module_name, name = reference.split(":")
    return getattr(importlib.import_module(module_name), name)


def _register_pipeline_once_both_are_imported(registration: PipelineRegistration) -> None:
    module_name, class_name = registration.pipeline_class.split(":")

    def register(pipeline_module: ModuleType) -> None:
        from transformers.models.auto import modeling_auto
        from transformers.pipelines import PIPELINE_REGISTRY

        pipeline_class = getattr(pipeline_module, class_name)
        pt_model = registration.pt_model
        PIPELINE_REGISTRY.register_pipeline(
            registration.task,
            pipeline_class=pipeline_class,
            pt_model=_import_object(pt_model) if ":" in pt_model else getattr(modeling_auto, pt_model),
            default=registration.default,
            type=registration.type,
        )
        # What Pipeline.save_pretrained writes into a folder's `custom_pipelines` for trust_remote_code: the model
        # class by a name transformers itself resolves (AutoModel, which the folder's auto_map points at the head)
        # and no default (a path on this machine).
        pipeline_class._registered_impl = {
            registration.task: {"impl": pipeline_class, "pt": (modeling_auto.AutoModel,), "type": registration.type}
        }

    def import_pipeline_module(transformers_pipelines: ModuleType) -> None:
        # Absent: import it now (its own hook then registers). Present: it is still being imported (it is what
        # imported transformers.pipelines) and registers when it is done.
        if module_name not in sys.modules:
            importlib.import_module(module_name)

    when_imported(module_name, register)
    when_imported("transformers.pipelines", import_pipeline_module)


class _PostImportHooks(importlib.abc.MetaPathFinder):
    """Runs callbacks right after the named modules are executed (the post-import hooks PEP 369 proposed)."""

    def __init__(self):
        self.callbacks: dict[str, list[Callable[[ModuleType], None]]] = {}

    def find_spec(self, fullname, path, target=None):
        if fullname not in self.callbacks:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        if spec.loader is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = _NotifyingLoader(spec.loader, self)
        return spec


class _NotifyingLoader(importlib.abc.Loader):
    def __init__(self, loader, hooks: _PostImportHooks):
        self.loader = loader
        self.hooks = hooks

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        # Give the module its real loader back, so introspection (inspect.getsource, resources) sees no wrapper.
        module.__loader__ = module.__spec__.loader = self.loader
        self.loader.exec_module(module)
        for callback in self.hooks.callbacks.pop(module.__name__, ()):
            callback(module)


_HOOKS = _PostImportHooks()


def when_imported(module_name: str, callback: Callable[[ModuleType], None]) -> None:
    """Calls ``callback(module)`` once ``module_name`` has been imported: now if it already is, else right after."""
    module = sys.modules.get(module_name)
    if module is not None:
        callback(module)
        return
    _HOOKS.callbacks.setdefault(module_name, []).append(callback)
    if _HOOKS not in sys.meta_path:
        sys.meta_path.insert(0, _HOOKS)


def register_lazily(
    model_types: tuple[ModelTypeRegistration, ...], pipelines: tuple[PipelineRegistration, ...] = ()
) -> None:
    """Makes ``model_types`` resolvable by the Auto* classes and ``pipelines`` by ``pipeline(...)``, importing nothing
    heavy now: the name tables are filled as their Auto* modules get imported."""
    for registration in model_types:
        alias = f"transformers.models.{registration.model_type}"
        existing = sys.modules.get(alias)
        if existing is not None and existing.__name__ != registration.package:
            raise RuntimeError(f"{alias} already exists; model type {registration.model_type!r} would shadow it")
        sys.modules[alias] = importlib.import_module(registration.package)
    auto_modules = {module for module, _ in AUTO_CLASS_NAME_TABLES.values()} | {NO_VIDEO_PROCESSOR_TABLE[0]}
    for module_name in sorted(auto_modules):
        when_imported(f"{_AUTO_PACKAGE}.{module_name}", lambda module: _add_names(model_types, module))
    for registration in pipelines:
        _register_pipeline_once_both_are_imported(registration)


__all__ = [
    "AUTO_CLASS_NAME_TABLES", "NO_VIDEO_PROCESSOR_TABLE", "ModelTypeRegistration", "NoDefaultModel",
    "PipelineRegistration", "register_lazily", "when_imported",
]
