"""Generation-based multiple-choice scoring: lettered-option prompts per benchmark and the parser of the answer letter.

The log-likelihood scorer (``score_options`` in the pipeline module) ranks the options by their probability after the
question; the papers' protocol (LVC reports MLVU and Video-MME this way) instead shows the options with letters,
lets the model generate, and reads the first option letter of the answer. The templates follow the benchmarks'
released evaluation prompts as far as we know them (written from memory of MLVU's ``choice_bench.py`` and Video-MME's
README, not copied; check them against those before comparing numbers with published ones):

- ``"mlvu"``: an instruction to watch carefully, ``Question: ...``, ``Options:`` with ``(A) ...`` lines and
  ``Only give the best option.``;
- ``"videomme"``: ``Select the best answer ... Respond with only the letter ...``, the question, the options as
  released (``A. ...``, already lettered) and ``The best answer is:``;
- ``"default"``: the question, ``(A) ...`` lines and ``Answer with the option's letter from the given choices
  directly.``
"""

import re
import string
from dataclasses import dataclass

LETTERS = string.ascii_uppercase


@dataclass(frozen=True)
class MultipleChoiceTemplate:
    """``instruction`` and ``suffix`` wrap ``question`` + one ``option_line`` per option (``{letter}``,
    ``{option}``); ``options_header`` precedes the options. Options already lettered (``"A. ..."``) keep their
    letters when ``keep_lettered`` is set."""

    instruction: str
    question_line: str
    options_header: str
    option_line: str
    suffix: str
    keep_lettered: bool = False

    def format(self, question: str, options: list[str]) -> str:
        if not options or len(options) > len(LETTERS):
            raise ValueError(f"multiple-choice questions need 1 to {len(LETTERS)} options, got {len(options)}.")
        lines = [
            option if self.keep_lettered and _has_letter(option, letter) else self.option_line.format(
                letter=letter, option=option
            )
            for letter, option in zip(LETTERS, options)
        ]
        parts = [self.question_line.format(question=question), self.options_header, *lines, self.suffix]
        return self.instruction + "\n".join(part for part in parts if part)


def _has_letter(option: str, letter: str) -> bool:
    return re.match(rf"\s*\(?{letter}[.)]", option) is not None


MULTIPLE_CHOICE_TEMPLATES: dict[str, MultipleChoiceTemplate] = {
    "mlvu": MultipleChoiceTemplate(
        instruction=(
            "Carefully watch this video and pay attention to every detail. Based on your observations, select the "
            "best option that accurately addresses the question.\n"
        ),
        question_line="Question: {question}",
        options_header="Options:",
        option_line="({letter}) {option}",
        suffix="Only give the best option.",
    ),
    "videomme": MultipleChoiceTemplate(
        instruction=(
            "Select the best answer to the following multiple-choice question based on the video. Respond with "
            "only the letter (A, B, C, or D) of the correct option.\n"
        ),
        question_line="{question}",
        options_header="",
        option_line="{letter}. {option}",
        suffix="The best answer is:",
        keep_lettered=True,
    ),
    "default": MultipleChoiceTemplate(
        instruction="",
        question_line="{question}",
        options_header="",
        option_line="({letter}) {option}",
        suffix="Answer with the option's letter from the given choices directly.",
    ),
}


def multiple_choice_prompt(question: str, options: list[str], template: str = "default") -> str:
    """The question with lettered options in the named benchmark's layout (see the module docstring)."""
    if template not in MULTIPLE_CHOICE_TEMPLATES:
        raise ValueError(f"prompt_template must be one of {sorted(MULTIPLE_CHOICE_TEMPLATES)}, got {template!r}.")
    return MULTIPLE_CHOICE_TEMPLATES[template].format(question, list(options))


def parse_option_letter(generated: str, num_options: int) -> int | None:
    """Index of the option the generated answer names; ``None`` when it names none (scored as wrong).

    Tried in order: a letter opening the answer (``B``, ``(B)``, ``B.``, ``B: ...``), a parenthesised letter anywhere
    (``Best option: (B)``), then the first standalone capital option letter (so an opening article ``A`` in ``A cat
    ...`` is read as option A only when nothing else names an option)."""
    valid = LETTERS[:num_options]
    patterns = (
        rf"^\s*\(?([{valid}])(?:[).:,\s]|$)",
        rf"\(([{valid}])\)",
        rf"(?<![A-Za-z])([{valid}])(?![A-Za-z])",
    )
    for pattern in patterns:
        match = re.search(pattern, generated)
        if match is not None:
            return valid.index(match.group(1))
    return None


__all__ = ["MULTIPLE_CHOICE_TEMPLATES", "MultipleChoiceTemplate", "multiple_choice_prompt", "parse_option_letter"]
