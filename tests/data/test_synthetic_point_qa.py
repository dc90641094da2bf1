"""Question-answer pairs about the synthetic shapes: answers read from what the builder drew, held-out templates."""

import re

import numpy as np
import pytest

from hf_spiking.data import synthetic_point_qa as qa
from hf_spiking.data.synthetic_shapes import category_names, generate_instance


def _words(text):
    return set(re.findall(r"[\w'-]+", text.lower()))


def test_held_out_templates_rephrase_with_words_of_the_training_templates():
    for question_type, templates in qa.TEMPLATES.items():
        assert not set(templates["train"]) & set(templates["held_out"])
        train_words = set().union(*map(_words, templates["train"]))
        for template in templates["held_out"]:
            assert _words(template) <= train_words, (question_type, template)


def test_part_counts_read_the_numbers_the_captions_state():
    captions = ("a red chair with four thin legs", "a shelf with three shelves and one window",
                "a boat with two white stripes", "four legs again: seven legs")
    assert qa.part_counts(captions) == {"legs": "four", "shelves": "three", "windows": "one", "stripes": "two"}


def test_proportion_is_asked_only_with_a_clear_margin():
    rng = np.random.default_rng(0)
    column = rng.uniform(-1, 1, (500, 3)) * [0.1, 0.2, 1.0]  # 0.4 long, 2 tall
    slab = rng.uniform(-1, 1, (500, 3)) * [1.0, 0.3, 0.1]
    cube = rng.uniform(-1, 1, (500, 3))
    assert qa.taller_than_long(column) == "yes"
    assert qa.taller_than_long(slab) == "no"
    assert qa.taller_than_long(cube) is None


def test_attributes_of_a_generated_shape_match_its_finish_and_captions():
    shape = generate_instance("chair", 7, num_points=1024, with_image=False)
    attributes = qa.shape_attributes(shape)
    assert attributes.category == "chair" and attributes.function == "sitting"
    assert attributes.colour == shape.colour and shape.colour in " ".join(shape.captions)
    assert attributes.material == qa.MATERIAL_ANSWERS.get(shape.material)
    assert attributes.counts == qa.part_counts(shape.captions)


def test_main_finish_covers_most_of_the_points():
    shape = generate_instance("car", 3, num_points=4096, with_image=False)
    from hf_spiking.data.synthetic_shapes.finishes import COLOURS, WOOD_TONES

    rgb = np.asarray({**COLOURS, **WOOD_TONES}[shape.colour])
    share = (np.abs(shape.points[:, 3:] - rgb).max(1) < 0.15).mean()
    assert share > 0.4


def test_ask_fills_templates_and_skips_what_a_shape_does_not_answer():
    attributes = qa.ShapeAttributes("stool", "red", None, {"legs": "three"}, None, "sitting")
    rng = np.random.default_rng(0)
    count = qa.ask(attributes, "count", "held_out", rng)
    assert count["answer"] == "three" and "legs" in count["question"]
    assert count["question"] in [t.format(noun="legs") for t in qa.TEMPLATES["count"]["held_out"]]
    assert qa.ask(attributes, "material", "train", rng) is None
    assert qa.ask(attributes, "proportion", "train", rng) is None
    with pytest.raises(ValueError, match="question_type must be one of"):
        qa.ask(attributes, "size", "train", rng)


def test_every_category_has_a_function_and_answers_normalise():
    assert set(qa.QA_CATEGORIES) == set(qa.FUNCTIONS) <= set(category_names())
    assert qa.normalize_answer(" The Traffic cone. ") == "traffic cone"
    assert qa.normalize_answer("a honey-brown") == "honey-brown"


def test_tokenizer_covers_prompts_questions_and_answers():
    tokenizer = qa.build_point_qa_tokenizer(qa.vocabulary_words(["a red chair with four legs."]))
    rng = np.random.default_rng(0)
    attributes = qa.ShapeAttributes("traffic cone", "orange", "plastic", {"stripes": "two"}, "yes", "marking roads")
    texts = [tokenizer.apply_chat_template([{"role": "user", "content": "<point>\ndescribe this object."}],
                                           tokenize=False, add_generation_prompt=True)]
    for question_type in qa.QUESTION_TYPES:
        for template_set in qa.TEMPLATE_SETS:
            item = qa.ask(attributes, question_type, template_set, rng)
            texts += [item["question"], item["answer"]]
    for text in texts:
        assert tokenizer.unk_token_id not in tokenizer(text)["input_ids"], text
    assert tokenizer.decode(tokenizer("a red chair, with four legs.")["input_ids"]) == "a red chair, with four legs."
