"""Start-up hook: registers hf_spiking with transformers as soon as transformers is imported.

``hf_spiking_startup.pth`` (installed into site-packages next to the package, by wheels and editable installs alike)
imports this module in every interpreter. Importing it is cheap: it imports nothing (``os`` and ``sys`` are already
loaded by ``site``), only puts a finder on ``sys.meta_path``. When ``transformers`` is first imported, the finder lets
it import normally and, once its ``__init__`` has finished, imports ``hf_spiking``, whose ``__init__`` registers every
model type, processor and pipeline by name (see :mod:`hf_spiking.auto_registration`). Saved folders then load through
the Auto* classes and ``pipeline(...)`` without ``import hf_spiking`` and without ``trust_remote_code``.

This is a top-level module rather than ``hf_spiking._startup`` because importing a submodule runs the package's
``__init__`` first, which start-up must not do. ``HF_SPIKING_NO_STARTUP_HOOK=1`` turns the hook off. Nothing here
raises: a failed registration (hf_spiking missing, hidden, or broken) leaves ``import transformers`` untouched.
"""

import os
import sys

DISABLE_ENV = "HF_SPIKING_NO_STARTUP_HOOK"
_TRIGGER = "transformers"


class _RegisterWhenTransformersIsImported:
    """A ``sys.meta_path`` finder for ``transformers`` alone: it returns the spec the other finders give, with a loader
    that imports ``hf_spiking`` right after ``transformers`` is executed."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != _TRIGGER:
            return None
        for finder in sys.meta_path:
            if finder is self or isinstance(finder, _RegisterWhenTransformersIsImported):
                continue
            find_spec = getattr(finder, "find_spec", None)
            if find_spec is None:
                continue
            spec = find_spec(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        try:
            if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                spec.loader = _RegisteringLoader(spec.loader)
        except Exception:  # noqa: BLE001 - an unusual spec: import transformers as found, unregistered
            pass
        return spec


class _RegisteringLoader:
    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        # The real loader back on the module, so introspection and resources see no wrapper.
        module.__loader__ = self.loader
        if getattr(module, "__spec__", None) is not None:
            module.__spec__.loader = self.loader
        self.loader.exec_module(module)  # transformers' own errors propagate unchanged
        _register()

    def __getattr__(self, name):  # get_resource_reader, is_package, ... of the real loader
        if name == "loader":
            raise AttributeError(name)
        return getattr(self.loader, name)


def _remove_finders():
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _RegisterWhenTransformersIsImported)]


def _register():
    """Imports hf_spiking (its ``__init__`` registers); called once transformers is fully imported."""
    try:
        _remove_finders()
        import hf_spiking  # noqa: F401
    except ImportError:
        pass  # not installed here, hidden (tests of trust_remote_code), or a missing dependency: stay out of the way
    except Exception as error:  # noqa: BLE001 - never break `import transformers`
        try:
            import warnings

            warnings.warn(
                f"hf_spiking could not register with transformers ({type(error).__name__}: {error}); "
                f"`import hf_spiking` explicitly, or set {DISABLE_ENV}=1 to turn this start-up hook off",
                RuntimeWarning,
                stacklevel=2,
            )
        except Exception:  # noqa: BLE001
            pass


def install():
    """Puts the finder on ``sys.meta_path`` (or registers at once if transformers is already imported)."""
    try:
        if os.environ.get(DISABLE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}:
            return
        if sys.modules.get(_TRIGGER) is not None:
            _register()
            return
        if not any(isinstance(finder, _RegisterWhenTransformersIsImported) for finder in sys.meta_path):
            sys.meta_path.insert(0, _RegisterWhenTransformersIsImported())
    except Exception:  # noqa: BLE001 - start-up must never fail
        pass


install()
