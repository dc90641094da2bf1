"""Procedural 3D object generation: primitives and sampling (``geometry``), colour and material words
(``finishes``) and the category registry of builders (``categories``). The public entry points live in
:mod:`hf_spiking.data.synthetic_shapes`."""

from .categories import CATEGORIES, Assembly, BuiltShape, Category, register_category

__all__ = ["Assembly", "BuiltShape", "CATEGORIES", "Category", "register_category"]
