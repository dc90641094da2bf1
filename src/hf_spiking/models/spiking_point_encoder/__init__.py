"""Placeholder until this family lands: no classes yet."""


def register_auto_classes() -> None:
    """Registers this family's classes with the transformers Auto* classes (``exist_ok=True``)."""


__all__ = []
