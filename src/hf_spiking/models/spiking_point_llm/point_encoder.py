"""The spiking point encoder as seen by this family (a shim, like ``spiking.py`` in the encoder's own folder).

A folder saved for ``trust_remote_code`` gets the encoder's own modules beside the copied code and this file is
rewritten to import them from there (:func:`write_point_encoder_modules`), so the folder loads where hf_spiking is
not installed.
"""

from hf_spiking.models.spiking_point_encoder.configuration_spiking_point_encoder import (  # noqa: F401
    SpikingPointEncoderConfig,
)
from hf_spiking.models.spiking_point_encoder.modeling_spiking_point_encoder import (  # noqa: F401
    SpikingPointEncoderModel,
)
from hf_spiking.models.spiking_point_encoder.sparse_conv import scatter_mean  # noqa: F401


def write_point_encoder_modules(folder) -> None:
    """Copies the encoder's modules (and its self-contained spiking core) into ``folder`` and points this shim's
    copy there at them."""
    import shutil
    from pathlib import Path

    from transformers.dynamic_module_utils import get_relative_import_files

    from hf_spiking.models.spiking_point_encoder import modeling_spiking_point_encoder
    from hf_spiking.snn.standalone import write_standalone_module

    folder = Path(folder)
    modeling_file = Path(modeling_spiking_point_encoder.__file__)
    for source in [modeling_file, *map(Path, get_relative_import_files(str(modeling_file)))]:
        shutil.copyfile(source.resolve(), folder / source.name)
    write_standalone_module(folder)
    (folder / Path(__file__).name).write_text(STANDALONE_SHIM, encoding="utf-8")


# What the saved folder's copy imports, from the encoder's modules saved beside it. Written out line by line: a
# literal "from .module import" line here would make transformers copy those modules from this folder.
_STANDALONE_IMPORTS = (
    ("configuration_spiking_point_encoder", "SpikingPointEncoderConfig"),
    ("modeling_spiking_point_encoder", "SpikingPointEncoderModel"),
    ("sparse_conv", "scatter_mean"),
)
STANDALONE_SHIM = "\n".join([
    '"""The spiking point encoder, from the modules saved beside this file (trust_remote_code)."""',
    "",
    *(f"from .{module} import {name}  # noqa: F401" for module, name in _STANDALONE_IMPORTS),
    "",
    "",
    "def write_point_encoder_modules(folder) -> None:",
    '    """In a loaded remote-code folder the encoder\'s modules are already here: copy them along."""',
    "    import shutil",
    "    from pathlib import Path",
    "",
    "    for source in Path(__file__).parent.glob(\"*.py\"):",
    "        destination = Path(folder) / source.name",
    "        if source.resolve() != destination.resolve():",
    "            shutil.copyfile(source, destination)",
    "",
])

__all__ = []  # a shim: these names belong to the spiking_point_encoder family
