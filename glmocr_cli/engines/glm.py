"""The GLM-OCR engine in process: PP-DocLayout-V3 finds and orders regions, GLM-OCR reads them.

Pages are taken in windows so that the crops of several pages form the recognition batches (sorted
by size inside the recogniser); results still come back page by page in input order.
"""

from __future__ import annotations

import io
import itertools
import logging
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, cast

import torch
from transformers.utils import logging as hf_logging

from ..config import Settings
from ..document import PageImage, PageResult, Region, Task
from ..labels import Flag, TextSource
from .device import pick_device
from ..layout.pp_doclayout import PPDocLayoutV3
from ..document import label_tasks as build_label_tasks
from ..layout.postprocess import LayoutPostprocessConfig
from ..recognize.glm.compat import warn_if_untested_transformers
from ..recognize.glm.loading import (
    GLM_OCR_REPO,
    LAYOUT_REPO,
    PULL_HINT,
    CheckpointError,
    find_checkpoint_dirs,
    resolve_checkpoint,
)
from ..recognize.glm.crops import prepare_crop, sdk_crop_box
from ..recognize.glm.recognizer import CropRequest, GlmRecognizer, clean_output, prompt_for
from ..writers.output_paths import crop_file_name

log = logging.getLogger(__name__)  # the CLI shows its records as the reporter's lines (run/logs.py)

hf_logging.disable_progress_bar()  # our own progress display owns the terminal and the logs

WEIGHTS_HINT = PULL_HINT[0].upper() + PULL_HINT[1:] + "."
find_glm_checkpoints = find_checkpoint_dirs


def load_glm_ocr(path: Path, device: str, dtype: torch.dtype):
    """Model, tokenizer and the Pillow image processor (the official processor needs torchvision)."""
    from transformers import AutoTokenizer, GlmOcrForConditionalGeneration
    from transformers.models.glm46v.image_processing_pil_glm46v import Glm46VImageProcessorPil

    warn_if_untested_transformers()
    try:
        model = GlmOcrForConditionalGeneration.from_pretrained(path, dtype=dtype).to(device).eval()
        tokenizer = AutoTokenizer.from_pretrained(path)
        image_processor = Glm46VImageProcessorPil.from_pretrained(path)
    except Exception as exc:
        raise CheckpointError(f"{path}: cannot load GLM-OCR: {exc}") from exc
    return model, tokenizer, image_processor


def build_decoder(
    model, path: Path, *, mtp: bool, draft_tokens: int, repetition_penalty: float, batch_size: int, eos_ids
):
    """Our decoder (continuous batching), with the checkpoint's MTP layer drafting when asked and present."""
    from ..recognize.glm.decoder import GlmDecoder
    from ..recognize.glm.mtp import load_mtp_layer

    layer = None
    if mtp:
        try:
            layer = load_mtp_layer(model, path)
        except Exception as exc:  # a damaged MTP layer costs speed, not output
            log.info(f"{path}: MTP layer unusable ({exc}); decoding without drafts")
        else:
            if layer is None:
                log.info(f"{path}: checkpoint has no MTP layer; decoding without drafts")
    return GlmDecoder(
        model,
        mtp=layer,
        draft_tokens=draft_tokens,
        repetition_penalty=repetition_penalty,
        batch_size=batch_size,
        eos_token_ids=eos_ids,
    )


def default_dtype(device: str) -> torch.dtype:
    return torch.bfloat16 if device.startswith("cuda") else torch.float32


def load_glm_recognizer(
    model_dir: str | Path | None,
    *,
    device: str = "auto",
    dtype: torch.dtype | None = None,
    batch_size: int = Settings.batch_size,
    max_new_tokens: int = Settings.max_new_tokens,
    repetition_penalty: float = Settings.repetition_penalty,
    mtp: bool = True,
    draft_tokens: int = 1,
) -> GlmRecognizer:
    """The in-process GLM-OCR crop reader (what `glmocr serve` serves and the engine reads crops with)."""
    device = pick_device(device)
    dtype = dtype or default_dtype(device)
    checkpoint = resolve_checkpoint(model_dir, GLM_OCR_REPO)
    model, tokenizer, image_processor = load_glm_ocr(checkpoint.path, device, dtype)
    recognizer = GlmRecognizer(
        model,
        tokenizer,
        image_processor,
        batch_size=batch_size,
        max_new_tokens=max_new_tokens,
        repetition_penalty=repetition_penalty,
    )
    recognizer.decoder = build_decoder(
        model,
        checkpoint.path,
        mtp=mtp,
        draft_tokens=draft_tokens,
        repetition_penalty=repetition_penalty,
        batch_size=batch_size,
        eos_ids=recognizer.eos_ids,
    )
    recognizer.checkpoint = checkpoint
    return recognizer


class GlmEngine:
    name = "glm"

    def __init__(
        self,
        model_dir: str | Path | None = None,
        layout_model_dir: str | Path | None = None,
        *,
        device: str = "auto",
        dtype: torch.dtype | None = None,
        batch_size: int = Settings.batch_size,
        max_new_tokens: int = Settings.max_new_tokens,
        repetition_penalty: float = Settings.repetition_penalty,
        mtp: bool = True,
        draft_tokens: int = 1,
        label_tasks: dict[str, Task | str] | None = None,
        keep_furniture: bool = False,
        torch_threads: int | None = None,
        page_window: int = 4,
        layout_config: LayoutPostprocessConfig | None = None,
        recognizer=None,
    ):
        if torch_threads:
            torch.set_num_threads(torch_threads)
        self.device = pick_device(device)
        self.dtype = dtype or default_dtype(self.device)
        warn_if_untested_transformers()
        self.layout_ckpt = resolve_checkpoint(layout_model_dir, LAYOUT_REPO)
        self.layout = PPDocLayoutV3(self.layout_ckpt.path, device=self.device, postprocess_config=layout_config)
        if recognizer is not None:  # a remote server reads the crops (--recognizer-url)
            self.glm_ckpt, self.recognizer, self.mtp_active = None, recognizer, False
        else:
            self.recognizer = load_glm_recognizer(
                model_dir,
                device=self.device,
                dtype=self.dtype,
                batch_size=batch_size,
                max_new_tokens=max_new_tokens,
                repetition_penalty=repetition_penalty,
                mtp=mtp,
                draft_tokens=draft_tokens,
            )
            self.glm_ckpt = self.recognizer.checkpoint
            self.mtp_active = self.recognizer.decoder.mtp is not None
        self.tasks = build_label_tasks(label_tasks, keep_furniture)
        self.page_window = max(1, page_window)
        self.options = {
            "batch_size": batch_size,
            "max_new_tokens": max_new_tokens,
            "repetition_penalty": repetition_penalty,
            "mtp": self.mtp_active,
            "draft_tokens": draft_tokens,
        }

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "device": self.device,
            "dtype": str(self.dtype).removeprefix("torch."),
            "models": {
                "layout": self.layout_ckpt.record(),
                "recognizer": self.glm_ckpt.record() if self.glm_ckpt else self.recognizer.describe(),
            },
            "versions": {"torch": torch.__version__, "transformers": _version("transformers")},
            # what reads the crops now ("mtp", "plain", "generate"); a crop read otherwise says so itself
            "decoder": getattr(self.recognizer, "decoder_name", "remote"),
            "options": self.options,
        }

    def process_pages(self, pages: Iterable[PageImage]) -> Iterator[PageResult]:
        iterator = iter(pages)
        while window := list(itertools.islice(iterator, self.page_window)):
            yield from self.process_window(window)

    def process_window(self, pages: list[PageImage]) -> list[PageResult]:
        start = time.perf_counter()
        layouts = self.layout.detect([p.image.convert("RGB") for p in pages])
        layout_seconds = (time.perf_counter() - start) / len(pages)
        results, requests = [], []
        for page, found in zip(pages, layouts):
            result = self.page_result(page, found)
            result.timings["layout"] = layout_seconds
            results.append(result)
            for region in result.regions:
                prompt = prompt_for(region.task, region.label)
                if prompt is not None:
                    box = sdk_crop_box(region.bbox, result.width, result.height)  # the SDK's crop pixels
                    crop = prepare_crop(result.upright_image.crop(box))
                    requests.append(CropRequest(crop, prompt, key=region))
        start = time.perf_counter()
        for answer in self.recognizer.recognize(requests):
            region = cast(Region, answer.key)
            region.content, flags = clean_output(region.task, answer.text)
            region.flags.extend(flags + answer.flags)
            if answer.finish_reason == "length":
                region.flags.append(Flag.MAX_NEW_TOKENS)
            region.timings["recognize"] = answer.seconds
            region.stats.update({"tokens": answer.tokens, "finish_reason": answer.finish_reason, **answer.stats})
        recognize_seconds = (time.perf_counter() - start) / len(pages)
        for result in results:
            result.timings["recognize"] = recognize_seconds
        return results

    def extract_fields(self, page: PageImage, keys) -> dict[str, Any]:
        """`--extract` on one page: GLM-OCR fills the model card's JSON template for the whole page.

        The model answers values, not boxes: each found value records its page, with bbox None.
        """
        from ..recognize.glm.extract import build_extraction_prompt, parse_extraction

        request = CropRequest(prepare_crop(page.image), build_extraction_prompt(keys), key=page.index)
        answer = self.recognizer.recognize([request])[0]
        values = parse_extraction(answer.text, keys)
        return {k: None if v is None else {"value": v, "page": page.index, "bbox": None} for k, v in values.items()}

    def page_result(self, page: PageImage, found) -> PageResult:
        image = page.image.convert("RGB")
        scale = page.px_per_pt
        regions = []
        for i, det in enumerate(found):
            task = self.tasks.get(det.label, Task.TEXT)
            bbox = tuple(round(v, 2) for v in det.bbox)
            region = Region(
                index=i,
                order=i,
                label=det.label,
                native_label=det.native_label,
                task=task,
                bbox=bbox,
                score=round(det.score, 4),
                text_source=TextSource.GLM,
                bbox_pt=tuple(round(v / scale, 2) for v in bbox) if scale else None,
            )
            if task is Task.SKIP:
                buffer = io.BytesIO()
                image.crop(sdk_crop_box(bbox, image.width, image.height)).save(buffer, format="PNG")
                region.image_png = buffer.getvalue()
                region.image_name = crop_file_name(page.index, i, region.label)
            regions.append(region)
        result = PageResult(
            index=page.index,
            width=image.width,
            height=image.height,
            source=page.source,
            dpi=page.dpi,
            size_pt=page.size_pt,
            rotation=page.rotation,
            regions=regions,
        )
        result.upright_image = image
        return result


def build_glm_engine(settings, threads: int) -> GlmEngine:
    """The engine from the run's Settings (what the CLI and the worker processes call)."""
    recognizer = None
    if settings.recognizer_url:
        from ..recognize.remote import RemoteRecognizer

        recognizer = RemoteRecognizer(
            settings.recognizer_url,
            concurrency=settings.recognizer_concurrency,
            timeout=settings.recognizer_timeout,
            max_new_tokens=settings.max_new_tokens,
            repetition_penalty=settings.repetition_penalty,
        )
    return GlmEngine(
        settings.model,
        settings.layout_model,
        device=settings.device,
        recognizer=recognizer,
        batch_size=settings.batch_size,
        max_new_tokens=settings.max_new_tokens,
        repetition_penalty=settings.repetition_penalty,
        mtp=settings.mtp,
        draft_tokens=settings.draft_tokens,
        keep_furniture=settings.keep_furniture,
        label_tasks=settings.label_task_overrides(),
        torch_threads=threads,
        layout_config=_layout_config(settings),
    )


def _layout_config(settings) -> LayoutPostprocessConfig:
    overall, per_label = settings.layout_thresholds()
    config = LayoutPostprocessConfig(class_thresholds=per_label)
    if overall is not None:
        config.threshold = overall
    return config


def _version(package: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return None
