"""Seeded synthetic videos of coloured shapes with multiple-choice questions about brief events, and the word-level
tokenizer for tiny vision-language models trained on them.

- :mod:`.generation`: ``generate_image_example`` (single frames: colour, shape, position and count questions) and
  ``generate_video_example`` (short 16-frame clips with captions, long 256-frame videos), ``vocabulary``.
- :mod:`.rendering`: ``render_video`` / ``render_frames``, frames of an example drawn from its compact spec.
- :mod:`.splits`: ``image_qa_dataset``, ``short_video_dataset``, ``long_video_dataset`` as ``datasets.Dataset``.
- :mod:`.sampling`: ``uniform_frame_indices``, ``evidence_hits``, ``evidence_visible``, ``coverage_by_num_frames``.
- :mod:`.tokenizer`: ``build_word_tokenizer`` (this corpus) and ``build_lvc_test_tokenizer`` (the LVC test preset).

Names are imported on first use, so importing the package stays cheap.
"""

from ...lazy import lazy_exports

# Public names: the `__all__` of the modules in this folder (read statically, imported on first use).
__getattr__, __dir__ = lazy_exports(globals())
