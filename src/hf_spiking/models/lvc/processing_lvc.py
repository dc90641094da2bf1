"""LVCProcessor: dense frame sampling, the backbone's image processor, and prompts with M/w pseudo-frame slots."""

import warnings
from os import PathLike
from pathlib import Path

import numpy as np
import torch
from transformers import BatchFeature
from transformers.processing_utils import ProcessorMixin

IGNORE_INDEX = -100


def uniform_frame_indices(total_frames: int, num_frames: int) -> np.ndarray:
    """``num_frames`` indices at the centres of ``num_frames`` equal bins over ``total_frames`` frames.

    With fewer frames than requested, indices repeat (callers warn); zero frames raise.
    """
    if total_frames < 1:
        raise ValueError("the video has zero frames; LVC needs at least one decodable frame.")
    if num_frames < 1:
        raise ValueError(f"num_frames must be >= 1, got {num_frames}.")
    return np.minimum(((np.arange(num_frames) + 0.5) * total_frames / num_frames).astype(np.int64), total_frames - 1)


def _decode_selected(path: Path, wanted: set[int] | None) -> tuple[list[np.ndarray], int]:
    import av

    kept, count = [], 0
    with av.open(str(path)) as container:
        if not container.streams.video:
            raise ValueError(f"{path} has no video stream.")
        stream = container.streams.video[0]
        last_wanted = max(wanted) if wanted else None
        for frame in container.decode(stream):
            if wanted is None or count in wanted:
                kept.append(frame.to_ndarray(format="rgb24"))
            count += 1
            if last_wanted is not None and count > last_wanted:
                break
    return kept, count


def read_video_frames(path: str | PathLike, num_frames: int) -> tuple[np.ndarray, np.ndarray]:
    """Decodes a video file with PyAV and returns ``num_frames`` uniformly sampled RGB frames ``(M, H, W, 3)`` and
    their indices. Frames are decoded in one pass, keeping only the sampled ones, when the container reports its
    frame count."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"video file {path} does not exist.")
    try:
        import av

        with av.open(str(path)) as container:
            reported = container.streams.video[0].frames if container.streams.video else 0
        if reported > 0:
            indices = uniform_frame_indices(reported, num_frames)
            wanted = sorted(set(indices.tolist()))
            kept, _ = _decode_selected(path, set(wanted))
            if len(kept) == len(wanted):
                lookup = dict(zip(wanted, kept))
                _warn_if_short(reported, num_frames)
                return np.stack([lookup[i] for i in indices]), indices
        # The container does not know its frame count (or overstated it): decode everything once.
        all_frames, decoded = _decode_selected(path, None)
    except Exception as error:  # PyAV raises its own error classes for unreadable or corrupt files
        raise ValueError(f"could not decode video file {path}: {error}") from error
    if decoded == 0:
        raise ValueError(f"the video {path} has zero decodable frames.")
    indices = uniform_frame_indices(decoded, num_frames)
    _warn_if_short(decoded, num_frames)
    return np.stack([all_frames[i] for i in indices]), indices


def _warn_if_short(total: int, num_frames: int) -> None:
    if total < num_frames:
        warnings.warn(
            f"the video has only {total} frames, fewer than the {num_frames} LVC samples; frames are repeated.",
            stacklevel=3,
        )


def sample_video(video, num_frames: int) -> tuple[np.ndarray | list, np.ndarray]:
    """One video (file path, ``(T, H, W, 3)`` array or list of PIL images) -> sampled frames and their indices."""
    if isinstance(video, (str, PathLike)):
        return read_video_frames(video, num_frames)
    if isinstance(video, torch.Tensor):
        video = video.numpy()
    if isinstance(video, np.ndarray):
        if video.ndim != 4 or video.shape[-1] != 3:
            raise ValueError(f"a video array must have shape (T, H, W, 3), got {video.shape}.")
        frames = video
    elif isinstance(video, (list, tuple)):
        from PIL import Image

        if not all(isinstance(frame, Image.Image) for frame in video):
            raise ValueError("a video given as a list must be a list of PIL images (one per frame).")
        frames = video
    else:
        raise ValueError(
            f"unsupported video type {type(video).__name__}: pass a file path, a (T, H, W, 3) array or a list of "
            "PIL images."
        )
    indices = uniform_frame_indices(len(frames), num_frames)
    sampled = [frames[i] for i in indices]
    _warn_if_short(len(frames), num_frames)
    return (np.stack(sampled) if isinstance(frames, np.ndarray) else sampled), indices


def _is_single_video(videos) -> bool:
    from PIL import Image

    if isinstance(videos, (str, PathLike, torch.Tensor)):
        return True
    if isinstance(videos, np.ndarray):
        return videos.ndim != 5  # a batch is (B, T, H, W, 3); anything else is validated as one video
    return isinstance(videos, (list, tuple)) and len(videos) > 0 and isinstance(videos[0], Image.Image)


class LVCProcessor(ProcessorMixin):
    r"""
    Turns ``(video, question[, answer])`` into LVC model inputs.

    Each video is sampled densely and uniformly to ``num_frames`` (M) frames (their indices are returned as
    ``frame_indices``) and processed by the backbone's image processor into ``pixel_values_videos``
    ``[batch, M, C, H, W]`` (plus ``image_sizes_videos`` when the image processor returns sizes, e.g. Phi-3.5-V's
    multi-crop frames). The prompt holds exactly ``M / window_size`` pseudo-frames of ``tokens_per_frame``
    placeholder tokens each (``Frame{i}: <img><IMG_CONTEXT>...</img>``, InternVL's layout), followed by the question,
    wrapped in the tokenizer's chat template when it has one. The question alone is tokenized again as
    ``query_input_ids`` for the compression query. With ``answers``, the answer (plus EOS) is appended and ``labels``
    mark only its tokens.

    Args:
        image_processor: the backbone's image processor (e.g. ``GotOcr2ImageProcessor`` for InternVL).
        tokenizer: the backbone's tokenizer; needs ``context_image_token``, ``start_image_token``,
            ``end_image_token`` (InternVL's extra special tokens).
        num_frames (`int`, defaults to 16): M.
        window_size (`int`, defaults to 4): w; must divide M.
        tokens_per_frame (`int`, defaults to 256): t, the backbone's visual tokens per frame.
        use_chat_template (`bool`, defaults to `True`): wrap the prompt in the tokenizer's chat template if present.
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
        **kwargs,
    ):
        if window_size < 1 or num_frames < 1 or num_frames % window_size != 0:
            raise ValueError(
                f"num_frames ({num_frames}) must be a positive multiple of window_size ({window_size})."
            )
        if tokens_per_frame < 1:
            raise ValueError(f"tokens_per_frame must be >= 1, got {tokens_per_frame}.")
        super().__init__(image_processor, tokenizer, chat_template=chat_template, **kwargs)
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

    @property
    def num_pseudo_frames(self) -> int:
        return self.num_frames // self.window_size

    @property
    def placeholder_token_id(self) -> int:
        return self.tokenizer.convert_tokens_to_ids(self.tokenizer.context_image_token)

    def video_prompt(self) -> str:
        """The visual part of the prompt: M / w pseudo-frames of t placeholder tokens."""
        tok = self.tokenizer
        slots = tok.context_image_token * self.tokens_per_frame
        return "".join(
            f"Frame{index}: {tok.start_image_token}{slots}{tok.end_image_token}\n"
            for index in range(1, self.num_pseudo_frames + 1)
        )

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

    def __call__(
        self,
        videos=None,
        text: str | list[str] | None = None,
        answers: str | list[str] | None = None,
        return_tensors: str = "pt",
        **kwargs,
    ) -> BatchFeature:
        """``videos``: one video or a list of videos; ``text``: the question(s); ``answers`` (optional): targets."""
        if videos is None:
            raise ValueError("LVCProcessor needs `videos` (a path, a (T, H, W, 3) array or a list of PIL images).")
        questions = [text] if isinstance(text, str) else list(text or [])
        if not questions or any(not isinstance(q, str) or not q.strip() for q in questions):
            raise ValueError("LVCProcessor needs a non-empty question string per video in `text`.")
        video_list = [videos] if _is_single_video(videos) else list(videos)
        if len(video_list) != len(questions):
            raise ValueError(f"got {len(video_list)} video(s) but {len(questions)} question(s); pass one per video.")
        answer_list = None
        if answers is not None:
            answer_list = [answers] if isinstance(answers, str) else list(answers)
            if len(answer_list) != len(questions):
                raise ValueError(f"got {len(answer_list)} answer(s) for {len(questions)} question(s).")

        pixel_values, image_sizes, frame_indices = [], [], []
        for video in video_list:
            frames, indices = sample_video(video, self.num_frames)
            processed = self.image_processor(images=list(frames), return_tensors="pt", **kwargs)
            pixel_values.append(processed["pixel_values"])
            if "image_sizes" in processed:  # backbones with multi-crop frames (Phi-3.5-V) need each frame's size
                image_sizes.append(torch.as_tensor(processed["image_sizes"]))
            frame_indices.append(torch.as_tensor(indices))

        prompts = [self.build_prompt(q) for q in questions]
        text_inputs = self._tokenize(prompts, answer_list)
        queries = self.tokenizer(questions, add_special_tokens=False, padding=True, return_tensors="pt")
        data = {
            **text_inputs,
            "pixel_values_videos": torch.stack(pixel_values),
            "query_input_ids": queries["input_ids"],
            "query_attention_mask": queries["attention_mask"],
            "frame_indices": torch.stack(frame_indices),
        }
        if image_sizes:
            data["image_sizes_videos"] = torch.stack(image_sizes)
        self._check_placeholders(data["input_ids"], len(video_list))
        return BatchFeature(data, tensor_type=return_tensors)

    def _tokenize(self, prompts: list[str], answers: list[str] | None) -> dict:
        if answers is None:
            return dict(self.tokenizer(prompts, add_special_tokens=False, padding=True, return_tensors="pt"))
        return self.tokenize_with_answers(prompts, answers)

    def tokenize_with_answers(self, prompts: list[str], answers: list[str], add_eos: bool = True) -> dict:
        """``prompt + answer (+ EOS)`` rows, right-padded so every prompt starts at position 0, with ``labels``
        equal to the ids on the answer tokens and -100 elsewhere."""
        tok = self.tokenizer
        rows, label_rows = [], []
        for prompt, answer in zip(prompts, answers, strict=True):
            prompt_ids = tok(prompt, add_special_tokens=False)["input_ids"]
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

    def _check_placeholders(self, input_ids: torch.Tensor, num_videos: int) -> None:
        found = int((input_ids == self.placeholder_token_id).sum())
        expected = num_videos * self.num_pseudo_frames * self.tokens_per_frame
        if found != expected:
            raise ValueError(
                f"the prompts hold {found} video placeholder tokens but {num_videos} video(s) x "
                f"{self.num_pseudo_frames} pseudo-frames x {self.tokens_per_frame} tokens = {expected} features; "
                f"the question or chat template must not contain {self.tokenizer.context_image_token!r}."
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

__all__ = ["LVCProcessor", "read_video_frames", "sample_video", "uniform_frame_indices"]
