"""LVCProcessor: dense frame sampling, the backbone's image processor, and prompts with M/w pseudo-frame slots."""

import importlib
import re
import warnings
from os import PathLike
from pathlib import Path

import numpy as np
import torch
from transformers import BatchFeature
from transformers.processing_utils import ProcessorMixin

from .checkpoints import ProcessorFileMixin, require_bool, require_positive_integer
from .pixel_range import as_numpy_pixels, to_uint8_pixels

IGNORE_INDEX = -100
PROMPT_FORMATS = ("internvl", "phi3_v")
PHI3_V_IMAGE_TAG = re.compile(r"<\|image_(\d+)\|>")


def uniform_frame_indices(total_frames: int, num_frames: int) -> np.ndarray:
    """``num_frames`` indices at the centres of ``num_frames`` equal bins over ``total_frames`` frames.

    With fewer frames than requested, indices repeat (callers warn); zero frames raise.
    """
    if total_frames < 1:
        raise ValueError("the video has zero frames; LVC needs at least one decodable frame.")
    if num_frames < 1:
        raise ValueError(f"num_frames must be >= 1, got {num_frames}.")
    return np.minimum(((np.arange(num_frames) + 0.5) * total_frames / num_frames).astype(np.int64), total_frames - 1)


SEQUENTIAL_DECODE_GAP = 32
"""Wanted frames at most this many frames apart are reached by decoding on; farther ones by seeking (a seek lands on
the keyframe before the target, so it pays off once the gap exceeds a typical keyframe interval)."""


def _decode_all(container, stream) -> list[np.ndarray]:
    return [frame.to_ndarray(format="rgb24") for frame in container.decode(stream)]


def _decode_by_seeking(container, stream, wanted: list[int]) -> dict[int, np.ndarray] | None:
    """Frames at the sorted indices ``wanted``, reached by seeking to the keyframe before each far target and
    decoding on to it, so the cost grows with the frames read, not with the video's length. Indices come from
    presentation timestamps at the stream's average frame rate. ``None`` when the stream lacks what that needs
    (rate, time base, timestamps) or a target is never reached; the caller then decodes everything."""
    rate, time_base = stream.average_rate, stream.time_base
    if not rate or not time_base:
        return None
    start = stream.start_time or 0
    kept, position, frames = {}, None, iter(())
    for target in wanted:
        if position is None or not 0 < target - position <= SEQUENTIAL_DECODE_GAP:
            container.seek(start + int(target / (rate * time_base)), stream=stream, backward=True, any_frame=False)
            frames = container.decode(stream)
        for frame in frames:
            if frame.pts is None:
                return None
            position = round(float((frame.pts - start) * time_base * rate))
            if position >= target:
                break
        if position != target:
            return None
        kept[target] = frame.to_ndarray(format="rgb24")
    return kept


def read_video_frames(path: str | PathLike, num_frames: int) -> tuple[np.ndarray, np.ndarray]:
    """Decodes a video file with PyAV and returns ``num_frames`` uniformly sampled RGB frames ``(M, H, W, 3)`` and
    their indices. When the container reports its frame count, only the sampled frames are decoded, seeking to the
    keyframe before each (``_decode_by_seeking``); otherwise every frame is decoded once."""
    path = Path(path)
    if not path.is_file():
        problem = "is a directory, not a file" if path.is_dir() else "does not exist"
        raise ValueError(f"video file {path} {problem}; expected the path of a video file (e.g. .mp4).")
    try:
        import av

        with av.open(str(path)) as container:
            if not container.streams.video:
                raise ValueError(f"{path} has no video stream.")
            stream = container.streams.video[0]
            if stream.frames > 0:
                indices = uniform_frame_indices(stream.frames, num_frames)
                kept = _decode_by_seeking(container, stream, sorted(set(indices.tolist())))
                if kept is not None:
                    _warn_if_short(stream.frames, num_frames)
                    return np.stack([kept[i] for i in indices]), indices
                container.seek(0)
            # The container does not know its frame count (or its timestamps do not map to indices): decode all.
            all_frames = _decode_all(container, stream)
    except Exception as error:  # PyAV raises its own error classes for unreadable or corrupt files
        raise ValueError(f"could not decode video file {path}: {error}") from error
    if not all_frames:
        raise ValueError(f"the video {path} has zero decodable frames.")
    indices = uniform_frame_indices(len(all_frames), num_frames)
    _warn_if_short(len(all_frames), num_frames)
    return np.stack([all_frames[i] for i in indices]), indices


def _warn_if_short(total: int, num_frames: int) -> None:
    if total < num_frames:
        warnings.warn(
            f"the video has only {total} frames, fewer than the {num_frames} LVC samples; frames are repeated.",
            stacklevel=3,
        )


def sample_video(video, num_frames: int) -> tuple[np.ndarray | list, np.ndarray]:
    """One video (file path, ``(T, H, W, 3)`` array or tensor, list of ``(H, W, 3)`` frames, or list of PIL images) ->
    sampled frames and their indices. Arrays are brought to uint8 0-255 from their dtype and value range (floats in
    [0, 1] or [0, 255], booleans, uint16; see `pixel_range`), not assumed to be 8-bit."""
    if isinstance(video, (str, PathLike)):
        return read_video_frames(video, num_frames)
    if isinstance(video, (list, tuple)) and video and all(_is_frame_array(frame) for frame in video):
        frames = [as_numpy_pixels(frame, f"frame {i}") for i, frame in enumerate(video)]
        if any(frame.ndim != 3 for frame in frames):
            raise ValueError(
                f"the frames of a video given as a list must each be (H, W, 3), got shapes "
                f"{sorted({frame.shape for frame in frames})}."
            )
        if len({frame.shape for frame in frames}) > 1:
            raise ValueError(
                f"the frames of one video must share one shape, got {sorted({frame.shape for frame in frames})}."
            )
        video = np.stack(frames)
    if isinstance(video, (np.ndarray, torch.Tensor)):
        video = as_numpy_pixels(video, "video")
        if video.ndim != 4 or video.shape[-1] != 3 or 0 in video.shape[1:]:
            raise ValueError(
                f"a video array must have shape (T, H, W, 3) with H, W >= 1 (channels last; move the axis of a "
                f"channels-first (T, 3, H, W) video), got {video.shape}."
            )
        uniform_frame_indices(len(video), num_frames)  # refuses a video of zero frames
        frames = to_uint8_pixels(video, "video")
    elif isinstance(video, (list, tuple)):
        from PIL import Image

        if not video or not all(isinstance(frame, Image.Image) for frame in video):
            raise ValueError(
                "a video given as a list must be a non-empty list of PIL images or of (H, W, 3) arrays (one per frame)."
            )
        frames = video
    else:
        raise ValueError(
            f"unsupported video type {type(video).__name__}: pass a file path, a (T, H, W, 3) array or a list of "
            "frames (PIL images or (H, W, 3) arrays)."
        )
    indices = uniform_frame_indices(len(frames), num_frames)
    sampled = [frames[i] for i in indices]
    _warn_if_short(len(frames), num_frames)
    return (np.stack(sampled) if isinstance(frames, np.ndarray) else sampled), indices


def _text_list(text, name: str) -> list[str]:
    texts = [text] if isinstance(text, str) else list(text) if isinstance(text, (list, tuple)) else []
    if not texts or any(not isinstance(t, str) or not t.strip() for t in texts):
        raise ValueError(f"LVCProcessor needs a non-empty question string per video in `{name}`, got {text!r}.")
    return texts


def _is_single_video(videos) -> bool:
    from PIL import Image

    if isinstance(videos, (str, PathLike, torch.Tensor)):
        return True
    if isinstance(videos, np.ndarray):
        return videos.ndim != 5  # a batch is (B, T, H, W, 3); anything else is validated as one video
    if not isinstance(videos, (list, tuple)):
        raise ValueError(
            f"`videos` must be a file path, a (T, H, W, 3) array or tensor, a list of frames or a list of such "
            f"videos, got {type(videos).__name__}."
        )
    # A list of frames (PIL images or arrays of fewer than 4 dimensions, e.g. (H, W, 3)) is one video; a list of
    # videos holds 4-D arrays, paths or lists of frames.
    return len(videos) > 0 and (isinstance(videos[0], Image.Image) or _is_frame_array(videos[0]))


def _is_frame_array(frame) -> bool:
    return isinstance(frame, (np.ndarray, torch.Tensor)) and frame.ndim < 4


def _describe_videos(videos) -> str:
    """What `videos` was read as, for the count-mismatch message (a list of frames is one video)."""
    if isinstance(videos, (np.ndarray, torch.Tensor)):
        return f"an array of shape {tuple(videos.shape)}"
    if isinstance(videos, (list, tuple)):
        kinds = sorted({type(video).__name__ for video in videos})
        return f"a list of {len(videos)} item(s) of type {', '.join(kinds) or 'none'}, read as that many videos"
    return f"a {type(videos).__name__}"


class LVCProcessor(ProcessorFileMixin, ProcessorMixin):
    r"""
    Turns ``(video, question[, answer])`` into LVC model inputs.

    Each video is sampled densely and uniformly to ``num_frames`` (M) frames (their indices are returned as
    ``frame_indices``) and processed by the backbone's image processor into ``pixel_values_videos``
    ``[batch, M, C, H, W]`` (plus ``image_sizes_videos`` when the image processor returns sizes, e.g. Phi-3.5-V's
    multi-crop frames). The prompt holds exactly ``M / window_size`` pseudo-frames of visual placeholders, followed by
    the question, wrapped in the tokenizer's chat template when it has one. Two layouts (``prompt_format``):

    - ``"internvl"``: ``Frame{i}: <img><IMG_CONTEXT> x t</img>\n`` per pseudo-frame, ``t = tokens_per_frame``;
    - ``"phi3_v"``: Phi-3.5-Vision's official layout, ``<|image_{i}|>\n`` per pseudo-frame (as its model card
      prompts several frames), each tag replaced by ``t`` copies of the id ``-i`` where ``t`` is the frame's token
      count from ``Phi3VImageProcessor`` (``num_img_tokens``: HD crops, separators and newlines), so
      ``tokens_per_frame`` is not used; the text between tags is tokenized as the official processor does.

    The compression query is the question alone (or ``queries``), tokenized again as ``query_input_ids``. With
    ``answers``, the answer (plus EOS) is appended and ``labels`` mark only its tokens.

    Args:
        image_processor: the backbone's image processor (``GotOcr2ImageProcessor`` for InternVL,
            ``Phi3VImageProcessor`` for Phi-3.5-V).
        tokenizer: the backbone's tokenizer; for ``"internvl"`` it needs ``context_image_token``,
            ``start_image_token``, ``end_image_token`` (InternVL's extra special tokens).
        num_frames (`int`, defaults to 16): M.
        window_size (`int`, defaults to 4): w; must divide M.
        tokens_per_frame (`int`, defaults to 256): t, the backbone's visual tokens per frame (``"internvl"``).
        use_chat_template (`bool`, defaults to `True`): wrap the prompt in the tokenizer's chat template if present.
        prompt_format (`str`, *optional*): ``"internvl"`` or ``"phi3_v"``; by default ``"phi3_v"`` for a
            ``Phi3VImageProcessor`` and ``"internvl"`` otherwise.
    """

    def __init__(
        self,
        image_processor=None,
        tokenizer=None,
        num_frames: int = 16,
        window_size: int = 4,
        tokens_per_frame: int = 256,
        use_chat_template: bool = True,
        chat_template=None,
        prompt_format: str | None = None,
        **kwargs,
    ):
        require_positive_integer("num_frames", num_frames)
        require_positive_integer("window_size", window_size)
        require_positive_integer("tokens_per_frame", tokens_per_frame)
        require_bool("use_chat_template", use_chat_template)
        if num_frames % window_size != 0:
            raise ValueError(
                f"num_frames ({num_frames}) must be a positive multiple of window_size ({window_size})."
            )
        if prompt_format is None:
            is_phi3_v = type(image_processor).__name__ == "Phi3VImageProcessor"
            prompt_format = "phi3_v" if is_phi3_v else "internvl"
        if prompt_format not in PROMPT_FORMATS:
            raise ValueError(f"prompt_format must be one of {PROMPT_FORMATS}, got {prompt_format!r}.")
        super().__init__(image_processor, tokenizer, chat_template=chat_template, **kwargs)
        if prompt_format == "internvl":
            for attribute in ("context_image_token", "start_image_token", "end_image_token"):
                if getattr(tokenizer, attribute, None) is None:
                    raise ValueError(
                        f"the tokenizer lacks `{attribute}`; register InternVL's special tokens as "
                        "`extra_special_tokens` (see hf_spiking.data.synthetic_videos.build_lvc_test_tokenizer)."
                    )
        self.num_frames = num_frames
        self.window_size = window_size
        self.tokens_per_frame = tokens_per_frame
        self.use_chat_template = use_chat_template
        self.prompt_format = prompt_format

    @property
    def num_pseudo_frames(self) -> int:
        return self.num_frames // self.window_size

    def placeholder_mask(self, input_ids: torch.Tensor) -> torch.Tensor:
        """Positions of the visual placeholders in ``input_ids``."""
        if self.prompt_format == "phi3_v":
            return input_ids < 0
        return input_ids == self.tokenizer.convert_tokens_to_ids(self.tokenizer.context_image_token)

    def video_prompt(self) -> str:
        """The visual part of the prompt: M / w pseudo-frames (placeholder tokens, or Phi-3.5-V's image tags)."""
        frames = range(1, self.num_pseudo_frames + 1)
        if self.prompt_format == "phi3_v":
            return "".join(f"<|image_{index}|>\n" for index in frames)
        tok = self.tokenizer
        slots = tok.context_image_token * self.tokens_per_frame
        return "".join(f"Frame{index}: {tok.start_image_token}{slots}{tok.end_image_token}\n" for index in frames)

    def build_prompt(self, question: str) -> str:
        content = f"{self.video_prompt()}{question}"
        template = self.chat_template or getattr(self.tokenizer, "chat_template", None)
        if self.use_chat_template and template:
            return self.tokenizer.apply_chat_template(
                [{"role": "user", "content": content}],
                chat_template=template,
                add_generation_prompt=True,
                tokenize=False,
            )
        return content

    def tokens_per_frame_of(self, inputs) -> int:
        """t of the video(s) in ``inputs`` (this processor's output): Phi-3.5-V's depends on the frame size."""
        if self.prompt_format != "phi3_v":
            return self.tokens_per_frame
        # By name, not relative: saved folders carry this file for trust_remote_code and would copy the import.
        phi3_v_num_image_tokens = importlib.import_module(
            "hf_spiking.models.phi3_v.image_processing_phi3_v"
        ).phi3_v_num_image_tokens
        crop = self.image_processor.crop_size.height
        counts = {
            phi3_v_num_image_tokens(int(height), int(width), crop, crop // self.image_processor.patch_size // 2)
            for height, width in inputs["image_sizes_videos"].reshape(-1, 2).tolist()
        }
        if len(counts) != 1:
            raise ValueError(
                f"all frames must have one crop grid (one token count) for LVC's windows, got token counts {counts}; "
                "process videos of different sizes one at a time."
            )
        return counts.pop()

    def encode_prompt(self, prompt: str, tokens_per_frame: int | None = None) -> list[int]:
        """Token ids of a prompt from :meth:`build_prompt`, visual placeholders included."""
        if self.prompt_format == "internvl":
            return self.tokenizer(prompt, add_special_tokens=False)["input_ids"]
        # Phi-3.5-V's processor tokenizes the text between image tags chunk by chunk and puts -i x t ids for tag i.
        ids = []
        chunks = PHI3_V_IMAGE_TAG.split(prompt)
        for position, chunk in enumerate(chunks):
            if position % 2:
                ids += [-int(chunk)] * (tokens_per_frame or self.tokens_per_frame)
            elif chunk:
                ids += self.tokenizer(chunk)["input_ids"]
        return ids

    def __call__(
        self,
        videos=None,
        text: str | list[str] | None = None,
        answers: str | list[str] | None = None,
        queries: str | list[str] | None = None,
        return_tensors: str = "pt",
        **kwargs,
    ) -> BatchFeature:
        """``videos``: one video or a list of videos; ``text``: the question(s); ``answers`` (optional): targets;
        ``queries`` (optional): the text(s) pooled into the compression query instead of ``text`` (e.g. the bare
        question when ``text`` also lists lettered options)."""
        if videos is None:
            raise ValueError(
                "LVCProcessor needs `videos` (a path, a (T, H, W, 3) array, or a list of frames: PIL images or "
                "(H, W, 3) arrays)."
            )
        questions = _text_list(text, "text")
        video_list = [videos] if _is_single_video(videos) else list(videos)
        if len(video_list) != len(questions):
            raise ValueError(
                f"got {len(video_list)} video(s) but {len(questions)} question(s) in `text`; `videos` was "
                f"{_describe_videos(videos)}. Pass one question per video (one video: a path, a (T, H, W, 3) array or "
                "a list of its frames; several: a list of those or a (B, T, H, W, 3) array)."
            )
        answer_list = None
        if answers is not None:
            answer_list = [answers] if isinstance(answers, str) else list(answers)
            if len(answer_list) != len(questions):
                raise ValueError(f"got {len(answer_list)} answer(s) for {len(questions)} question(s).")
        query_list = questions if queries is None else _text_list(queries, "queries")
        if len(query_list) != len(questions):
            raise ValueError(f"got {len(query_list)} queries for {len(questions)} question(s).")

        pixel_values, image_sizes, frame_indices = [], [], []
        for video in video_list:
            frames, indices = sample_video(video, self.num_frames)
            processed = self.image_processor(images=list(frames), return_tensors="pt", **kwargs)
            pixel_values.append(processed["pixel_values"])
            if "image_sizes" in processed:  # backbones with multi-crop frames (Phi-3.5-V) need each frame's size
                image_sizes.append(torch.as_tensor(processed["image_sizes"]))
            frame_indices.append(torch.as_tensor(indices))
        data = {"pixel_values_videos": torch.stack(pixel_values), "frame_indices": torch.stack(frame_indices)}
        if image_sizes:
            data["image_sizes_videos"] = torch.stack(image_sizes)
        tokens_per_frame = self.tokens_per_frame_of(data)

        prompts = [self.build_prompt(q) for q in questions]
        if answer_list is None:
            text_inputs = self.tokenize_prompts(prompts, tokens_per_frame)
        else:
            text_inputs = self.tokenize_with_answers(prompts, answer_list, tokens_per_frame=tokens_per_frame)
        query_inputs = self.tokenizer(query_list, add_special_tokens=False, padding=True, return_tensors="pt")
        data.update(text_inputs, query_input_ids=query_inputs["input_ids"],
                    query_attention_mask=query_inputs["attention_mask"])
        self._check_placeholders(data["input_ids"], len(video_list), tokens_per_frame)
        return BatchFeature(data, tensor_type=return_tensors)

    def tokenize_prompts(self, prompts: list[str], tokens_per_frame: int | None = None) -> dict:
        """Prompt rows padded on the tokenizer's padding side (left for generation), with their attention mask."""
        rows = [self.encode_prompt(prompt, tokens_per_frame) for prompt in prompts]
        length = max(len(row) for row in rows)
        left = self.tokenizer.padding_side == "left"

        def pad(row, value):
            padding = [value] * (length - len(row))
            return padding + row if left else row + padding

        return {
            "input_ids": torch.tensor([pad(row, self.tokenizer.pad_token_id) for row in rows]),
            "attention_mask": torch.tensor([pad([1] * len(row), 0) for row in rows]),
        }

    def tokenize_with_answers(
        self, prompts: list[str], answers: list[str], add_eos: bool = True, tokens_per_frame: int | None = None
    ) -> dict:
        """``prompt + answer (+ EOS)`` rows, right-padded so every prompt starts at position 0, with ``labels``
        equal to the ids on the answer tokens and -100 elsewhere."""
        tok = self.tokenizer
        rows, label_rows = [], []
        for prompt, answer in zip(prompts, answers, strict=True):
            prompt_ids = self.encode_prompt(prompt, tokens_per_frame)
            answer_ids = tok(answer, add_special_tokens=False)["input_ids"] + ([tok.eos_token_id] if add_eos else [])
            rows.append(prompt_ids + answer_ids)
            label_rows.append([IGNORE_INDEX] * len(prompt_ids) + answer_ids)
        length = max(len(row) for row in rows)

        def pad(row, value):
            return row + [value] * (length - len(row))

        return {
            "input_ids": torch.tensor([pad(row, tok.pad_token_id) for row in rows]),
            "attention_mask": torch.tensor([pad([1] * len(row), 0) for row in rows]),
            "labels": torch.tensor([pad(row, IGNORE_INDEX) for row in label_rows]),
        }

    def _check_placeholders(self, input_ids: torch.Tensor, num_videos: int, tokens_per_frame: int) -> None:
        found = int(self.placeholder_mask(input_ids).sum())
        expected = num_videos * self.num_pseudo_frames * tokens_per_frame
        if found != expected:
            raise ValueError(
                f"the prompts hold {found} video placeholder tokens but {num_videos} video(s) x "
                f"{self.num_pseudo_frames} pseudo-frames x {tokens_per_frame} tokens = {expected} features; "
                "the question or chat template must not contain the image placeholder token or image tags."
            )

    def batch_decode(self, *args, **kwargs):
        return self.tokenizer.batch_decode(*args, **kwargs)

    def decode(self, *args, **kwargs):
        return self.tokenizer.decode(*args, **kwargs)

    @property
    def model_input_names(self) -> list[str]:
        return [
            "input_ids", "attention_mask", "pixel_values_videos", "image_sizes_videos", "query_input_ids",
            "query_attention_mask",
        ]


# Saved folders then carry auto_map and the code, so they also load with trust_remote_code where hf_spiking is absent.
LVCProcessor.register_for_auto_class()

__all__ = ["LVCProcessor", "PROMPT_FORMATS", "read_video_frames", "sample_video", "uniform_frame_indices"]
