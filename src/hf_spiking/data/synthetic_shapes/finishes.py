"""Named colours and materials, and the small language helpers captions are built from."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

COLOURS: dict[str, tuple[float, float, float]] = {
    "red": (0.80, 0.10, 0.10),
    "dark red": (0.50, 0.06, 0.08),
    "orange": (0.95, 0.50, 0.10),
    "yellow": (0.95, 0.85, 0.15),
    "green": (0.20, 0.60, 0.20),
    "dark green": (0.08, 0.35, 0.12),
    "light green": (0.55, 0.85, 0.45),
    "blue": (0.15, 0.30, 0.80),
    "light blue": (0.55, 0.72, 0.95),
    "navy blue": (0.10, 0.12, 0.40),
    "teal": (0.10, 0.50, 0.50),
    "purple": (0.50, 0.20, 0.60),
    "pink": (0.95, 0.55, 0.70),
    "brown": (0.45, 0.28, 0.12),
    "beige": (0.85, 0.78, 0.60),
    "cream": (0.95, 0.92, 0.80),
    "white": (0.93, 0.93, 0.90),
    "grey": (0.50, 0.50, 0.50),
    "dark grey": (0.25, 0.25, 0.27),
    "black": (0.08, 0.08, 0.08),
    "silver": (0.76, 0.77, 0.80),
    "gold": (0.85, 0.68, 0.20),
    "copper": (0.72, 0.42, 0.22),
}
WOOD_TONES: dict[str, tuple[float, float, float]] = {
    "light brown": (0.76, 0.58, 0.36),
    "honey-brown": (0.70, 0.48, 0.22),
    "reddish-brown": (0.55, 0.27, 0.15),
    "dark brown": (0.33, 0.20, 0.11),
}
BRIGHT = ("red", "orange", "yellow", "green", "blue", "light blue", "teal", "purple", "pink", "white", "black")
MUTED = ("grey", "dark grey", "beige", "cream", "brown", "navy blue", "dark green", "dark red", "black", "white")
METALLIC = ("silver", "grey", "black", "gold", "copper")
# Every material word a finish may carry (captions say "a red plastic ..."); "painted" and "padded" describe a
# surface rather than what the object is made of.
MATERIALS = (
    "brick", "canvas", "cast iron", "ceramic", "concrete", "fabric", "glass", "leather", "metal", "padded", "painted",
    "paper", "plastic", "porcelain", "rubber", "stainless steel", "terracotta", "wicker", "wooden",
)
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")


@dataclass(frozen=True)
class Finish:
    """Surface look of a part: its rgb and the words people use for it (``colour`` and, if any, ``material``)."""

    rgb: tuple[float, float, float]
    colour: str
    material: str | None = None

    @property
    def full(self) -> str:
        """Colour and material together, e.g. "dark brown wooden" or "red plastic"."""
        return f"{self.colour} {self.material}" if self.material else self.colour

    @property
    def short(self) -> str:
        """The material if there is one ("wooden"), else the colour."""
        return self.material or self.colour


def _jitter(rgb, rng: np.random.Generator, amount: float = 0.035) -> tuple[float, float, float]:
    return tuple(float(c) for c in np.clip(np.asarray(rgb) + rng.normal(0.0, amount, 3), 0.0, 1.0))


def paint(rng: np.random.Generator, names=BRIGHT, material: str | None = None) -> Finish:
    """A named colour from ``names`` (slightly jittered) with an optional material word."""
    name = str(rng.choice(names))
    return Finish(_jitter(COLOURS[name], rng), name, material)


def wood(rng: np.random.Generator) -> Finish:
    tone = str(rng.choice(list(WOOD_TONES)))
    return Finish(_jitter(WOOD_TONES[tone], rng), tone, "wooden")


def metal(rng: np.random.Generator, names=METALLIC) -> Finish:
    return paint(rng, names, "metal")


def fixed(name: str, rng: np.random.Generator, material: str | None = None) -> Finish:
    return Finish(_jitter(COLOURS[name], rng, 0.02), name, material)


def article(phrase: str) -> str:
    """Prefix "a" or "an" by the sound of the first word (vowel letter, or an acronym read as "es", "ef"...)."""
    word = phrase.split(" ", 1)[0]
    acronym = len(word) > 1 and word.isupper()
    vowel_sound = word[:1] in "AEFHILMNORSX" if acronym else word[:1].lower() in "aeiou"
    return ("an " if vowel_sound else "a ") + phrase


_ARTICLE = re.compile(r"\b(a|an) (\S+)")


def fix_articles(caption: str) -> str:
    """Make every "a"/"an" agree with the word after it ("a orange chair" -> "an orange chair")."""
    return _ARTICLE.sub(lambda match: article(match.group(2)), caption)


def count(n: int, noun: str, plural: str | None = None) -> str:
    """"four legs", "one shelf"; numbers beyond the word list are written as digits."""
    word = NUMBER_WORDS[n] if n < len(NUMBER_WORDS) else str(n)
    return f"{word} {noun if n == 1 else (plural or noun + 's')}"


def grade(value: float, thresholds, words) -> str:
    """Map a measurement to a word: ``words[i]`` for the first threshold it lies below, else the last word."""
    for threshold, word in zip(thresholds, words):
        if value < threshold:
            return word
    return words[-1]


__all__ = ["COLOURS", "Finish", "MATERIALS", "WOOD_TONES", "article", "count", "fix_articles", "fixed", "grade", "metal", "paint", "wood"]
