"""PP-DocLayout-V3 through transformers, without torchvision.

transformers' `PPDocLayoutV3ImageProcessor` needs torchvision, so the resize/normalise is done here
from the checkpoint's `preprocessor_config.json`: resize to the fixed size without keeping the aspect
ratio with the config's `resample` filter (cv2, which the processor's `antialias=False` resize is
documented to approximate), rescale, normalise. Decoding follows `post_process_object_detection`: sigmoid scores, top-k over
queries x classes, boxes cx,cy,w,h -> x0,y0,x1,y1 in page pixels, reading order from `order_logits`.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch
from PIL import Image

from ..document import LABELS, LayoutRegion
from ..errors import CheckpointError
from ..labels import Label
from .postprocess import Detection, LayoutPostprocessConfig, postprocess


class LayoutCheckpointError(CheckpointError):
    """The layout checkpoint is missing, broken or not PP-DocLayout-V3 (a CheckpointError, so callers
    catch it from glmocr_cli.errors)."""


# PIL's resample codes (what `resample` holds in a preprocessor config) -> the cv2 filter that matches
# torch's antialias-free resize; BOX (4) and HAMMING (5) have no such counterpart.
RESAMPLE_FILTERS = {0: cv2.INTER_NEAREST, 1: cv2.INTER_LANCZOS4, 2: cv2.INTER_LINEAR, 3: cv2.INTER_CUBIC}
RESAMPLE_NAMES = {0: "nearest", 1: "lanczos", 2: "bilinear", 3: "bicubic", 4: "box", 5: "hamming"}


@dataclass
class Preprocessing:
    height: int = 800
    width: int = 800
    rescale_factor: float = 1 / 255
    mean: tuple[float, float, float] = (0.0, 0.0, 0.0)
    std: tuple[float, float, float] = (1.0, 1.0, 1.0)
    do_rescale: bool = True
    do_normalize: bool = True
    resample: int = 3  # PIL code; the processor's default is bicubic

    @classmethod
    def from_dir(cls, path: Path) -> "Preprocessing":
        file = Path(path) / "preprocessor_config.json"
        if not file.is_file():
            raise LayoutCheckpointError(f"{path}: no preprocessor_config.json")
        cfg = json.loads(file.read_text())
        size = cfg.get("size", {"height": 800, "width": 800})
        return cls(
            height=int(size["height"]),
            width=int(size["width"]),
            rescale_factor=float(cfg.get("rescale_factor", 1 / 255)),
            mean=tuple(cfg.get("image_mean", (0.0, 0.0, 0.0))),
            std=tuple(cfg.get("image_std", (1.0, 1.0, 1.0))),
            do_rescale=bool(cfg.get("do_rescale", True)),
            do_normalize=bool(cfg.get("do_normalize", True)),
            resample=_resample_code(cfg.get("resample", 3), file),
        )

    def __call__(self, images: list[Image.Image]) -> torch.Tensor:
        """RGB PIL images -> float tensor [N, 3, height, width]."""
        batch = []
        for image in images:
            arr = np.asarray(image.convert("RGB"))
            arr = cv2.resize(arr, (self.width, self.height), interpolation=RESAMPLE_FILTERS[self.resample]).astype(
                np.float32
            )
            if self.do_rescale:
                arr = arr * self.rescale_factor
            if self.do_normalize:
                arr = (arr - np.asarray(self.mean, np.float32)) / np.asarray(self.std, np.float32)
            batch.append(arr.transpose(2, 0, 1))
        return torch.from_numpy(np.ascontiguousarray(np.stack(batch)))


def _resample_code(value, file: Path) -> int:
    code = int(value) if isinstance(value, (int, float)) or str(value).isdigit() else None
    if code not in RESAMPLE_FILTERS:
        name = RESAMPLE_NAMES.get(code, repr(value))
        raise LayoutCheckpointError(f"{file}: resample {name} is not supported (nearest, bilinear, bicubic or lanczos)")
    return code


def checked_id2label(path: Path) -> dict[int, str]:
    """The class names from config.json; without them transformers invents 2 classes, so refuse."""
    file = Path(path) / "config.json"
    try:
        names = json.loads(file.read_text()).get("id2label")
    except (OSError, ValueError) as exc:
        raise LayoutCheckpointError(f"{file}: unreadable ({exc})") from exc
    if not isinstance(names, dict) or not names:
        raise LayoutCheckpointError(
            f"{file}: no id2label; the layout classes cannot be named (a PP-DocLayout-V3 config lists its 25 labels)"
        )
    return {int(k): str(v) for k, v in names.items()}


def order_ranks(order_logits: torch.Tensor) -> torch.Tensor:
    """Rank of each query in reading order: votes of the pairwise 'i before j' scores (as transformers)."""
    scores = torch.sigmoid(order_logits)
    votes = scores.triu(diagonal=1).sum(dim=1) + (1.0 - scores.transpose(1, 2)).tril(diagonal=-1).sum(dim=1)
    pointers = torch.argsort(votes, dim=1)
    ranks = torch.empty_like(pointers)
    ranks.scatter_(1, pointers, torch.arange(pointers.shape[1]).expand_as(pointers))
    return ranks


def check_heads_tied(model) -> None:
    """GLM-OCR issues #179/#180: untied detection heads give garbage boxes; refuse such a load."""
    inner = model.model
    pairs = [(inner.decoder.class_embed, inner.enc_score_head), (inner.decoder.bbox_embed, inner.enc_bbox_head)]
    for a, b in pairs:
        for (name, pa), (_, pb) in zip(a.named_parameters(), b.named_parameters()):
            if pa.shape != pb.shape or not torch.equal(pa, pb):
                raise LayoutCheckpointError(
                    f"PP-DocLayout-V3 detection heads are not tied ({name}); this transformers version "
                    "loads the checkpoint wrongly (GLM-OCR issues #179/#180)"
                )


class PPDocLayoutV3:
    """Loads the detector once; `detect(images)` -> per image a list of LayoutRegion in reading order."""

    native_name = "PP-DocLayout-V3"

    def __init__(
        self,
        path: Path,
        *,
        device: str = "cpu",
        dtype: torch.dtype = torch.float32,
        postprocess_config: LayoutPostprocessConfig | None = None,
        raw_threshold: float = 0.05,
    ):
        from transformers import PPDocLayoutV3ForObjectDetection

        self.path = Path(path)
        self.preprocess = Preprocessing.from_dir(self.path)
        id2label = checked_id2label(self.path)
        try:
            self.model = PPDocLayoutV3ForObjectDetection.from_pretrained(self.path, dtype=dtype).to(device).eval()
        except Exception as exc:  # safetensors / config errors name the file; keep the message
            raise LayoutCheckpointError(f"{self.path}: cannot load PP-DocLayout-V3: {exc}") from exc
        check_heads_tied(self.model)
        self.id2label = id2label
        self.device, self.dtype = device, dtype
        self.config = postprocess_config or LayoutPostprocessConfig()
        # Below the lowest threshold anything a class override allows is dropped before NMS.
        self.raw_threshold = min([raw_threshold, self.config.threshold, *self.config.class_thresholds.values()])
        self.last_seconds = 0.0

    @torch.inference_mode()
    def detect(self, images: list[Image.Image]) -> list[list[LayoutRegion]]:
        start = time.perf_counter()
        results = [
            [
                LayoutRegion(bbox=d.bbox, label=d.label, native_label=d.label, score=d.score)
                for d in postprocess(raw, image.width, image.height, self.config)
            ]
            for raw, image in zip(self.raw_detections(images), images)
        ]
        self.last_seconds = time.perf_counter() - start
        return results

    @torch.inference_mode()
    def raw_detections(self, images: list[Image.Image]) -> list[list[Detection]]:
        """Per image, the model's detections above `raw_threshold`, before post-processing."""
        pixels = self.preprocess(images).to(self.device, self.dtype)
        out = self.model(pixel_values=pixels)
        return [
            self._decode(
                out.logits[i], out.pred_boxes[i], order_ranks(out.order_logits[i : i + 1].float())[0], images[i].size
            )
            for i in range(len(images))
        ]

    def _decode(self, logits, boxes, ranks, size) -> list[Detection]:
        width, height = size
        scores = torch.sigmoid(logits.float())
        num_classes = scores.shape[1]
        flat, index = torch.topk(scores.flatten(), scores.shape[0])
        labels, queries = index % num_classes, index // num_classes
        cx, cy, w, h = boxes.float()[queries].unbind(-1)
        xyxy = torch.stack(
            [(cx - w / 2) * width, (cy - h / 2) * height, (cx + w / 2) * width, (cy + h / 2) * height], dim=-1
        )
        return [
            Detection(
                tuple(float(v) for v in xyxy[k]), self._label(int(labels[k])), float(flat[k]), float(ranks[queries[k]])
            )
            for k in range(len(flat))
            if float(flat[k]) >= self.raw_threshold
        ]

    def _label(self, class_id: int) -> Label:
        name = self.id2label.get(class_id, "")
        return Label(name) if name in LABELS else (LABELS[class_id] if class_id < len(LABELS) else Label.TEXT)
