"""Question-answer pairs and captions about the synthetic shapes, for 3D question answering in miniature.

Every answer is read from what the shape builder drew (:mod:`hf_spiking.data.synthetic_shapes`), never guessed:

- ``category``: the registry name ("what is this object?" -> "traffic cone");
- ``colour`` / ``material``: the finish covering most of the surface (``ShapeInstance.colour`` / ``.material``);
  material questions are asked only for real materials (wood, metal, plastic, glass...), not "painted" or "padded";
- ``count``: a part count the builder wrote into a caption ("four thin legs" -> "how many legs does it have?" ->
  "four"); asked only when a caption states one;
- ``proportion``: "is it taller than it is long?" from the cloud (height vs the long side of the footprint's smallest
  bounding rectangle); asked only when the two differ by more than 15 %, so no answer hangs on a rounding of the
  geometry;
- ``function``: what objects of the category are for (``FUNCTIONS``).

Each question type has training templates and held-out templates (``TEMPLATES``); the held-out ones rephrase the
question with words the training templates already use (a test checks it), so a model is tested on unseen phrasings,
not unseen words. Shapes come from the corpus' own splits: train shapes for training, test shapes for evaluation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from .synthetic_shapes import category_names, generate_instance, instance_seed
from .synthetic_shapes.finishes import COLOURS, NUMBER_WORDS, WOOD_TONES

QUESTION_TYPES = ("category", "colour", "material", "count", "proportion", "function")
TEMPLATE_SETS = ("train", "held_out")

TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "category": {
        "train": ("what is this object?", "what kind of object is this?", "name the object.",
                  "what is shown in the point cloud?", "which object is this?"),
        "held_out": ("what object is shown?", "name this kind of object."),
    },
    "colour": {
        "train": ("what colour is this object?", "what is the colour of the object?", "name the colour of it.",
                  "which colour does the object have?", "what colour is it?"),
        "held_out": ("the object is which colour?", "name the colour of this object."),
    },
    "material": {
        "train": ("what material is this object made of?", "what is the object made of?",
                  "name the material of it.", "which material is it made of?", "what is it made of?"),
        "held_out": ("the object is made of which material?", "name the material the object is made of."),
    },
    "count": {
        "train": ("how many {noun} does this object have?", "how many {noun} does it have?",
                  "count the {noun} of the object.", "what is the number of {noun}?", "how many {noun} are there?"),
        "held_out": ("count the {noun}.", "what number of {noun} does it have?"),
    },
    "proportion": {
        "train": ("is this object taller than it is long?", "is the object taller than it is long?",
                  "is it taller than it is long?", "is the height of the object more than its length?",
                  "is its height more than its length?"),
        "held_out": ("is the height of this object more than its length?",
                     "is its height more than the length of the object?"),
    },
    "function": {
        "train": ("what is this object used for?", "what is the object used for?", "what is it used for?",
                  "name the use of this object.", "what is the use of the object?"),
        "held_out": ("the object is used for what?", "name what the object is used for."),
    },
}

# What each category is for, in two or three words (answers of the "function" questions).
FUNCTIONS: dict[str, str] = {
    "table": "eating", "chair": "sitting", "stool": "sitting", "bed": "sleeping", "lamp": "giving light",
    "cup": "drinking", "mug": "drinking", "bottle": "holding drinks", "bowl": "holding food",
    "vase": "holding flowers", "bookshelf": "storing books", "sofa": "sitting", "car": "driving",
    "airplane": "flying", "boat": "sailing", "guitar": "playing music", "rocket": "space travel",
    "tree": "giving shade", "house": "living in", "bench": "sitting", "dumbbell": "lifting weights",
    "door": "closing a room", "ladder": "climbing", "traffic cone": "marking roads", "snowman": "winter fun",
    "umbrella": "keeping dry", "windmill": "grinding grain", "bicycle": "riding",
}
# The categories questions are asked about (pinned: categories added to the corpus later do not change the benchmark).
QA_CATEGORIES = tuple(FUNCTIONS)
# Finish materials that are materials (not "painted"/"padded") and how the answer names them.
MATERIAL_ANSWERS: dict[str, str] = {
    "wooden": "wood", "metal": "metal", "plastic": "plastic", "glass": "glass", "rubber": "rubber",
    "ceramic": "ceramic", "porcelain": "porcelain", "brick": "brick", "leather": "leather", "fabric": "fabric",
}
# Part nouns whose counts captions state, by their plural (the question's word) and singular.
COUNTED_PARTS: dict[str, str] = {
    "legs": "leg", "wheels": "wheel", "shelves": "shelf", "boards": "board", "wings": "wing", "engines": "engine",
    "fins": "fin", "slats": "slat", "rungs": "rung", "rails": "rail", "steps": "step", "ribs": "rib",
    "blades": "blade", "sails": "sail", "levels": "level", "windows": "window", "stripes": "stripe",
    "panels": "panel", "pillows": "pillow", "armrests": "armrest", "snowballs": "snowball", "plates": "plate",
    "layers": "layer",
}
_PART_WORDS = {**{plural: plural for plural in COUNTED_PARTS}, **{s: p for p, s in COUNTED_PARTS.items()}}
_COUNT_PHRASE = re.compile(
    r"\b(" + "|".join(NUMBER_WORDS) + r")((?: [a-z-]+){0,2}?) (" + "|".join(sorted(_PART_WORDS, key=len, reverse=True))
    + r")\b"
)
PROPORTION_MARGIN = 1.15
CAPTION_REQUEST = "describe this object."


@dataclass(frozen=True)
class ShapeAttributes:
    """What questions about one shape may ask (None: not asked for this shape)."""

    category: str
    colour: str
    material: str | None
    counts: dict[str, str]
    taller_than_long: str | None
    function: str


def part_counts(captions) -> dict[str, str]:
    """``{plural part noun: number word}`` stated by the captions (the first statement of each part)."""
    counts: dict[str, str] = {}
    for caption in captions:
        for match in _COUNT_PHRASE.finditer(caption):
            counts.setdefault(_PART_WORDS[match.group(3)], match.group(1))
    return counts


def taller_than_long(xyz: np.ndarray, margin: float = PROPORTION_MARGIN) -> str | None:
    """"yes" / "no" when the height (z extent) and the length (the long side of the footprint's smallest bounding
    rectangle, searched in 1-degree steps) differ by more than ``margin`` times, else None."""
    angles = np.deg2rad(np.arange(90))
    directions = np.stack([np.cos(angles), np.sin(angles)])
    along = np.ptp(xyz[:, :2] @ directions, axis=0)
    across = np.ptp(xyz[:, :2] @ np.stack([-directions[1], directions[0]]), axis=0)
    smallest = int(np.argmin(along * across))
    length = float(max(along[smallest], across[smallest]))
    height = float(np.ptp(xyz[:, 2]))
    if height > margin * length:
        return "yes"
    if length > margin * height:
        return "no"
    return None


def shape_attributes(shape) -> ShapeAttributes:
    """The answerable attributes of a ``synthetic_shapes.ShapeInstance``."""
    return ShapeAttributes(
        category=shape.category,
        colour=shape.colour,
        material=MATERIAL_ANSWERS.get(shape.material),
        counts=part_counts(shape.captions),
        taller_than_long=taller_than_long(shape.points[:, :3]),
        function=FUNCTIONS[shape.category],
    )


def ask(attributes: ShapeAttributes, question_type: str, template_set: str, rng: np.random.Generator):
    """One ``{"type", "question", "answer"}`` about the shape from a random template of ``template_set``, or None
    when the shape gives no answer to that type."""
    if question_type not in QUESTION_TYPES:
        raise ValueError(f"question_type must be one of {QUESTION_TYPES}, got {question_type!r}")
    if template_set not in TEMPLATE_SETS:
        raise ValueError(f"template_set must be one of {TEMPLATE_SETS}, got {template_set!r}")
    template = str(rng.choice(TEMPLATES[question_type][template_set]))
    if question_type == "count":
        if not attributes.counts:
            return None
        noun = str(rng.choice(sorted(attributes.counts)))
        return {"type": "count", "question": template.format(noun=noun), "answer": attributes.counts[noun]}
    answer = {
        "category": attributes.category, "colour": attributes.colour, "material": attributes.material,
        "proportion": attributes.taller_than_long, "function": attributes.function,
    }[question_type]
    return None if answer is None else {"type": question_type, "question": template, "answer": answer}


def iter_shapes(split: str, num_per_category: int, *, seed: int = 0, num_points: int = 2048) -> Iterator[dict]:
    """Rows ``{"points" [num_points, 6], "captions", "attributes", "instance_id"}`` of one corpus split for the
    ``QA_CATEGORIES``, category-major (the corpus' own seeds and labels: splits never share shapes)."""
    if num_per_category < 1:
        raise ValueError(f"num_per_category must be a positive integer, got {num_per_category}")
    labels = {name: label for label, name in enumerate(category_names())}
    for name in QA_CATEGORIES:
        label = labels[name]
        for index in range(num_per_category):
            shape = generate_instance(
                name, instance_seed(seed, split, label, index), num_points=num_points, with_image=False
            )
            yield {
                "points": shape.points,
                "captions": list(shape.captions),
                "attributes": shape_attributes(shape),
                "instance_id": f"{split}/{name.replace(' ', '_')}/{index:05d}",
            }


def normalize_answer(text: str) -> str:
    """Lower case, punctuation and articles removed, spaces collapsed: the exact-match form."""
    words = re.sub(r"[^\w\s'-]", " ", text.lower()).split()
    return " ".join(word for word in words if word not in ("a", "an", "the"))


def vocabulary_words(captions) -> list[str]:
    """Every word the miniature's prompts, questions, answers and the given captions use (sorted)."""
    texts = [CAPTION_REQUEST, *captions, *FUNCTIONS.values(), *MATERIAL_ANSWERS.values(), *QA_CATEGORIES,
             *NUMBER_WORDS, *COLOURS, *WOOD_TONES, "yes", "no", *COUNTED_PARTS, "system user assistant", ", . ? ! : ; ( )"]
    for templates in TEMPLATES.values():
        texts += [template.format(noun="") for template in templates["train"] + templates["held_out"]]
    return sorted({word for text in texts for word in re.findall(r"[\w'-]+|[^\w\s]", text.lower())})


def build_point_qa_tokenizer(words):
    """A word-level tokenizer over ``words`` with the ``<point>`` placeholder and a Qwen2-like chat template."""
    from tokenizers import Regex, decoders, pre_tokenizers

    from .synthetic_videos.tokenizer import CHAT_TEMPLATE, SPECIAL_TOKENS, word_level_tokenizer

    special_tokens = (*SPECIAL_TOKENS, "<point>")
    return word_level_tokenizer(
        [*special_tokens, *sorted(set(words) - set(special_tokens))], special_tokens, eos_token="<|im_end|>",
        chat_template=CHAT_TEMPLATE, lowercase=True,
        pre_tokenizer=pre_tokenizers.Sequence(
            [pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Split(Regex(r"[\w'-]+|[^\w\s]"), behavior="isolated")]
        ),
        decoder=decoders.WordPiece(prefix="##", cleanup=True),
    )


__all__ = [
    "CAPTION_REQUEST",
    "COUNTED_PARTS",
    "FUNCTIONS",
    "MATERIAL_ANSWERS",
    "QA_CATEGORIES",
    "QUESTION_TYPES",
    "ShapeAttributes",
    "TEMPLATES",
    "TEMPLATE_SETS",
    "ask",
    "build_point_qa_tokenizer",
    "iter_shapes",
    "normalize_answer",
    "part_counts",
    "shape_attributes",
    "taller_than_long",
    "vocabulary_words",
]
