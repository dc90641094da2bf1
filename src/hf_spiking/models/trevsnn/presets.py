"""Named presets of this family (filled in by the family implementation)."""
