"""Helpers for tests that load saved folders through ``trust_remote_code`` in a process where hf_spiking is hidden."""

# Prepended to a subprocess script: any import of hf_spiking fails there, as where the package is not installed.
HIDE_HF_SPIKING = '''
import importlib.abc, json, sys

class HideHfSpiking(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "hf_spiking" or name.startswith("hf_spiking."):
            raise ImportError(f"{name} is hidden in this test")

sys.meta_path.insert(0, HideHfSpiking())
'''
