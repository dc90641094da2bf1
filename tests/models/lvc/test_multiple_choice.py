"""Lettered-option prompts per benchmark and the parser of the generated option letter."""

import pytest

from hf_spiking.models.lvc.multiple_choice import multiple_choice_prompt, parse_option_letter


def test_templates_letter_the_options_per_benchmark():
    assert multiple_choice_prompt("what ?", ["a cat", "a dog"], "mlvu") == (
        "Carefully watch this video and pay attention to every detail. Based on your observations, select the best "
        "option that accurately addresses the question.\nQuestion: what ?\nOptions:\n(A) a cat\n(B) a dog\n"
        "Only give the best option."
    )
    # Video-MME's options are released already lettered ("A. ..."): kept as they are
    assert multiple_choice_prompt("what ?", ["A. a cat", "B. a dog"], "videomme").endswith(
        "of the correct option.\nwhat ?\nA. a cat\nB. a dog\nThe best answer is:"
    )
    assert multiple_choice_prompt("what ?", ["cat", "dog"]) == (
        "what ?\n(A) cat\n(B) dog\nAnswer with the option's letter from the given choices directly."
    )
    with pytest.raises(ValueError, match="prompt_template"):
        multiple_choice_prompt("what ?", ["a"], "mmlu")


@pytest.mark.parametrize("generated, expected", [
    ("B", 1), ("(C) a dog", 2), ("Best option: (B) the dog", 1), ("D. no", 3), ("the answer is D.", 3),
    ("E", None), ("no idea", None), ("a cat, so (C)", 2),
])
def test_parse_option_letter(generated, expected):
    assert parse_option_letter(generated, 4) == expected
