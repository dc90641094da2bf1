"""The shared spiking core as seen by this family (T-RevSNN's binary quantiser).

A folder saved for ``trust_remote_code`` gets a self-contained copy of ``hf_spiking.snn`` in place of this shim
(see ``hf_spiking.snn.standalone``), so it loads where hf_spiking is not installed.
"""

from hf_spiking.snn import BinarySpike  # noqa: F401  (re-exported to the family)
from hf_spiking.snn.standalone import write_standalone_module  # noqa: F401

__all__ = []  # a shim: these names belong to hf_spiking.snn
