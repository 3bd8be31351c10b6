"""GLM-OCR recognition of layout regions: one prompt per task, crops batched by size.

Requests are built with the recipe that works without torchvision (see the notes): the Pillow image
processor gives `pixel_values` / `image_grid_thw`, the tokenizer's chat template gives the prompt,
and the single `<|image|>` is expanded to the crop's number of image tokens.
"""

from __future__ import annotations

from ...labels import Flag
from ..base import CropAnswer, CropRequest  # noqa: F401  (re-exported for the engine)

import logging
import re
import time
from html.parser import HTMLParser

import torch

from ...config import Settings
from ...document import FURNITURE_LABELS, Task
from .compat import padding_blind_penalty
from .crops import fit_to_grid, pad_to_aspect, prepare_crop  # noqa: F401  (crop geometry lives in crops.py)
from .repetition import cut_repetition
from .requests import request_from_encoding

log = logging.getLogger(__name__)  # the CLI shows its records as the reporter's lines (run/logs.py)

PROMPTS = {Task.TEXT: "Text Recognition:", Task.TABLE: "Table Recognition:", Task.FORMULA: "Formula Recognition:"}


def prompt_for(task: Task, label: str) -> str | None:
    """The prompt a region is read with, None when it is not read. Page furniture (running headers, footers,
    footnotes, page numbers, side notes) is read as text although the SDK drops it: the JSON keeps its text
    (as the lite engine's does) while the Markdown leaves it out unless --keep-furniture."""
    if task is Task.ABANDON and label in FURNITURE_LABELS:
        return PROMPTS[Task.TEXT]
    return PROMPTS.get(task)


class GlmRecognizer:
    """Holds model + tokenizer + image processor; `recognize(requests)` answers in input order."""

    def __init__(
        self,
        model,
        tokenizer,
        image_processor,
        *,
        batch_size: int = Settings.batch_size,
        max_new_tokens: int = Settings.max_new_tokens,
        repetition_penalty: float = Settings.repetition_penalty,
        decoder=None,
    ):
        self.model, self.tokenizer, self.image_processor = model, tokenizer, image_processor
        self.batch_size, self.max_new_tokens = batch_size, max_new_tokens
        self.repetition_penalty = repetition_penalty
        self.decoder = decoder  # issue 4's MTP decoder, when available
        self.merge = int(getattr(image_processor, "merge_size", 2))
        self.image_token = "<|image|>"
        cfg = model.config
        self.eos_ids = _as_list(getattr(model.generation_config, "eos_token_id", None)) or [tokenizer.eos_token_id]
        self.pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else self.eos_ids[0]
        self.image_token_id = cfg.image_token_id

    def prompt_text(self, prompt: str) -> str:
        messages = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": prompt}]}]
        return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)

    def encode(self, requests: list[CropRequest]) -> dict[str, torch.Tensor]:
        """One left-padded batch: input_ids, attention_mask, mm_token_type_ids, pixel_values, image_grid_thw."""
        # A crop nobody prepared still must not hit the processor's 200:1 limit (a no-op for prepared ones).
        vision = self.image_processor(images=[pad_to_aspect(r.image) for r in requests], return_tensors="pt")
        grids = vision["image_grid_thw"]
        rows = []
        for request, grid in zip(requests, grids):
            n = int(grid.prod()) // self.merge**2
            text = self.prompt_text(request.prompt).replace(self.image_token, self.image_token * n, 1)
            rows.append(self.tokenizer(text, add_special_tokens=False)["input_ids"])
        width = max(len(r) for r in rows)
        ids = torch.full((len(rows), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for i, row in enumerate(rows):
            ids[i, width - len(row) :] = torch.tensor(row)
            mask[i, width - len(row) :] = 1
        # Without mm_token_type_ids transformers silently falls back to 1-D positions (no M-RoPE).
        types = (ids == self.image_token_id).long()
        return {
            "input_ids": ids,
            "attention_mask": mask,
            "mm_token_type_ids": types,
            "pixel_values": vision["pixel_values"],
            "image_grid_thw": grids,
        }

    def batches(self, requests: list[CropRequest]) -> list[list[int]]:
        """Indices grouped into batches of similar crop area (little padding)."""
        order = sorted(range(len(requests)), key=lambda i: requests[i].image.width * requests[i].image.height)
        return [order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size)]

    @torch.inference_mode()
    def recognize(self, requests: list[CropRequest]) -> list[CropAnswer]:
        if self.decoder is not None and requests:
            return self._decode(requests)
        answers: list[CropAnswer | None] = [None] * len(requests)
        for batch in self.batches(requests):
            for i, answer in zip(batch, self._generate([requests[i] for i in batch])):
                answers[i] = answer
        return answers  # type: ignore[return-value]

    @property
    def decoder_name(self) -> str:
        """What reads the crops: "mtp" (our decoder, drafting), "plain" (our decoder) or "generate"."""
        if self.decoder is None:
            return "generate"
        return "mtp" if self.decoder.mtp is not None else "plain"

    def _decode(self, requests: list[CropRequest]) -> list[CropAnswer]:
        """Our decoder (continuous batching, MTP drafts): every crop in one queue, same greedy tokens.

        A failure never turns the decoder off: the crops are decoded again one by one, so only a crop
        that fails alone is read another way (see `_decode_alone`), flagged, and the rest are unchanged.
        """
        budgets = [r.max_new_tokens or self.max_new_tokens for r in requests]
        try:
            built = [
                request_from_encoding(self.encode([r]), b, should_stop=r.should_stop) for r, b in zip(requests, budgets)
            ]
            results = self.decoder.generate(built)
        except Exception as exc:
            log.warning(f"GLM-OCR decoder failed on a batch of {len(requests)} crops ({exc!r}); decoding each alone")
            return [self._decode_alone(r, b, i, len(requests)) for i, (r, b) in enumerate(zip(requests, budgets))]
        return [self._answer(r, result) for r, result in zip(requests, results)]

    def _decode_alone(self, request: CropRequest, budget: int, index: int, count: int) -> CropAnswer:
        """One crop through our decoder; if that fails, through transformers `generate` on the crop alone
        (the same greedy answer: the decoder equals it token for token); if that fails too, an empty answer."""
        try:
            return self._answer(
                request, self.decoder.generate([request_from_encoding(self.encode([request]), budget)])[0]
            )
        except Exception as exc:
            log.warning(
                f"GLM-OCR decoder failed on crop {index + 1} of {count} ({request.prompt!r}, "
                f"{request.image.width}x{request.image.height}): {exc!r}; reading it with transformers generate()"
            )
        try:
            answer = self._generate([request], budget)[0]
        except Exception as exc:
            log.warning(f"GLM-OCR cannot read crop {index + 1} of {count} ({request.prompt!r}): {exc!r}; left empty")
            return CropAnswer(
                request.key, "", 0, "error", 0.0, {"decoder": "none"}, [Flag.DECODER_FAILED, Flag.RECOGNITION_FAILED]
            )
        answer.flags.append(Flag.DECODER_FAILED)
        return answer

    def _answer(self, request: CropRequest, result) -> CropAnswer:
        ids = [t for t in result.token_ids if t not in self.eos_ids]
        return CropAnswer(
            request.key,
            self.tokenizer.decode(ids, skip_special_tokens=True),
            len(ids),
            result.finish_reason,
            result.prefill_seconds + result.decode_seconds,
            {"decoder": self.decoder_name, **result.stats()},
        )

    def _generate(self, requests: list[CropRequest], max_new_tokens: int | None = None) -> list[CropAnswer]:
        start = time.perf_counter()
        inputs = self.encode(requests)
        device = self.model.device
        inputs = {k: v.to(device) for k, v in inputs.items()}
        inputs["pixel_values"] = inputs["pixel_values"].to(self.model.dtype)
        penalty = padding_blind_penalty(self.repetition_penalty, inputs["attention_mask"])
        out = self.model.generate(
            **inputs,
            max_new_tokens=max_new_tokens or self.max_new_tokens,
            do_sample=False,
            logits_processor=penalty,
            eos_token_id=self.eos_ids,
            pad_token_id=self.pad_id,
        )
        new = out[:, inputs["input_ids"].shape[1] :].tolist()
        seconds = (time.perf_counter() - start) / len(requests)
        answers = []
        for request, ids in zip(requests, new):
            cut = next((k for k, t in enumerate(ids) if t in self.eos_ids), None)
            finish = "stop" if cut is not None else "length"
            ids = ids if cut is None else ids[:cut]
            text = self.tokenizer.decode(ids, skip_special_tokens=True)
            answers.append(CropAnswer(request.key, text, len(ids), finish, seconds, {"decoder": "generate"}))
        return answers


def _as_list(value) -> list[int]:
    if value is None:
        return []
    return [int(v) for v in value] if isinstance(value, (list, tuple)) else [int(value)]


# ---- output clean-up -------------------------------------------------------------------------

_FENCE = re.compile(r"^```[a-zA-Z]*\s*|\s*```$")
_MATH_WRAP = re.compile(r"^(\$\$|\\\[|\$)\s*(.*?)\s*(\$\$|\\\]|\$)$", re.S)
_VOID = {"br", "hr", "img", "col"}


class _TableChecker(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.ok = True
        self.saw_table = False
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _VOID:
            return
        self.saw_table |= tag == "table"
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in _VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.ok = False
        else:
            self.stack.pop()

    def handle_data(self, data):
        if data.strip():
            self.text.append(data.strip())


def clean_table(html: str) -> tuple[str, list[Flag]]:
    """(content, flags): valid table HTML as is; a broken table keeps its text and is flagged."""
    html = _FENCE.sub("", html.strip())
    checker = _TableChecker()
    checker.feed(html)
    checker.close()
    if checker.ok and checker.saw_table and not checker.stack:
        return html, []
    return html, [Flag.TABLE_HTML_INVALID]


def clean_formula(latex: str) -> str:
    """Bare LaTeX: the Markdown writer adds `$$`, so wrappers the model emits are removed."""
    latex = _FENCE.sub("", latex.strip())
    match = _MATH_WRAP.match(latex)
    return match.group(2).strip() if match else latex


# The SDK's formatter clean-up of recognised text (ResultFormatter._clean_content): runs of 3+ dots,
# middle dots, underscores or escaped underscores become three; `$ x $` becomes `$x$`, set off by a
# space from letters and digits around it.
_RUNS = [re.compile(r"(\.)\1{2,}"), re.compile(r"(·)\1{2,}"), re.compile(r"(_)\1{2,}"), re.compile(r"(\\_)\1{2,}")]
_INLINE_MATH = re.compile(r"(?<!\$)\$\s*((?:[^$\\]|\\.)+?)\s*\$(?!\$)")


def _inline_math(match: re.Match) -> str:
    text, start, end = match.string, match.start(), match.end()
    before = " " if start > 0 and text[start - 1].isalnum() else ""
    after = " " if end < len(text) and text[end].isalnum() else ""
    return f"{before}${match.group(1).strip()}${after}"


def clean_text(text: str) -> str:
    text = _FENCE.sub("", text.strip())
    text = re.sub(r"(\\t)+$", "", re.sub(r"^(\\t)+", "", text).lstrip()).rstrip()  # literal '\t' at the ends
    for run in _RUNS:
        text = run.sub(r"\1\1\1", text)
    text = cut_repetition(text)
    return _INLINE_MATH.sub(_inline_math, text).strip() if "$" in text else text


def clean_output(task: Task, text: str) -> tuple[str, list[Flag]]:
    if task is Task.TABLE:
        return clean_table(text)
    if task is Task.FORMULA:
        return clean_formula(text), []
    return clean_text(text), []
