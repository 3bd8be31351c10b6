"""PP-DocLayout-V3 post-processing, step for step as the reference SDK does it.

Follows glmocr 0.1.5 (`utils/layout_postprocess_utils.apply_layout_postprocess` with its shipped
config.yaml, after `PPDocLayoutDetector._apply_per_class_threshold`); tests/test_oracle_sdk.py runs
the SDK's own functions on the same detections and asserts equal output. Raw detections (in page
pixels, with the model's reading-order rank) -> per-class score threshold -> NMS (IoU with the +1
pixel convention: 0.6 within a class, 0.98 across) -> drop page-sized `image` boxes -> drop boxes
contained (>= 80% of their area) in another box; a box holding a `reference` goes instead (the SDK's
merge mode "small"); image, seal and chart are never dropped as contained -> reading order ->
unclip (ratio 1: a no-op up to rounding, kept for identical integers) -> clip to the page, integer
pixels, empty boxes dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..labels import Label


@dataclass
class Detection:
    bbox: tuple[float, float, float, float]
    label: Label
    score: float
    rank: float  # position in the model's reading order (smaller reads first)
    index: int = 0  # position in the detector's output after post-processing


@dataclass
class LayoutPostprocessConfig:
    threshold: float = 0.3
    class_thresholds: dict[str, float] = field(default_factory=dict)
    nms_iou_same: float = 0.6
    nms_iou_cross: float = 0.98
    image_max_area_landscape: float = 0.82
    image_max_area_portrait: float = 0.93
    containment: float = 0.8
    keep_smaller: tuple[str, ...] = (Label.REFERENCE,)  # merge mode "small"; others "large"
    never_contained: tuple[str, ...] = (Label.IMAGE, Label.SEAL, Label.CHART)
    unclip: tuple[float, float] = (1.0, 1.0)


def iou_pixels(a, b) -> float:
    """IoU of two boxes in integer-pixel convention (a box [x0, x1] spans x1 - x0 + 1 pixels)."""
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]) + 1)
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]) + 1)
    inter = ix * iy
    area_a = (a[2] - a[0] + 1) * (a[3] - a[1] + 1)
    area_b = (b[2] - b[0] + 1) * (b[3] - b[1] + 1)
    return inter / float(area_a + area_b - inter)


def nms(dets: list[Detection], iou_same: float, iou_cross: float) -> list[Detection]:
    """Greedy NMS by score, highest first; returns the kept boxes in the order they were chosen."""
    order = list(np.argsort(np.array([d.score for d in dets], dtype=np.float64))[::-1])
    kept: list[int] = []
    while order:
        best, order = order[0], order[1:]
        kept.append(best)
        limit = lambda i: iou_same if dets[i].label == dets[best].label else iou_cross
        order = [i for i in order if iou_pixels(dets[best].bbox, dets[i].bbox) < limit(i)]
    return [dets[i] for i in kept]


def drop_page_sized_images(
    dets: list[Detection], width: int, height: int, cfg: LayoutPostprocessConfig
) -> list[Detection]:
    """An `image` box covering nearly the whole page is the page itself, not a figure (when it is
    not the only box, and never all boxes)."""
    if len(dets) <= 1:
        return dets
    limit = (cfg.image_max_area_landscape if width > height else cfg.image_max_area_portrait) * width * height

    def area_on_page(b) -> float:
        return (min(width, b[2]) - max(0, b[0])) * (min(height, b[3]) - max(0, b[1]))

    kept = [d for d in dets if d.label != Label.IMAGE or area_on_page(d.bbox) <= limit]
    return kept or dets


def contained(inner, outer, ratio: float) -> bool:
    """Whether at least `ratio` of `inner`'s area lies inside `outer`."""
    area = (inner[2] - inner[0]) * (inner[3] - inner[1])
    ix = max(0, min(inner[2], outer[2]) - max(inner[0], outer[0]))
    iy = max(0, min(inner[3], outer[3]) - max(inner[1], outer[1]))
    return (ix * iy / area if area > 0 else 0) >= ratio


def remove_contained(dets: list[Detection], cfg: LayoutPostprocessConfig) -> list[Detection]:
    """A box inside another box goes ("large": keep the container), except that a container of a
    `reference` box goes instead ("small"); `never_contained` labels are never dropped as contained."""
    n = len(dets)
    inside = [
        [
            i != j
            and dets[i].label not in cfg.never_contained
            and contained(dets[i].bbox, dets[j].bbox, cfg.containment)
            for j in range(n)
        ]
        for i in range(n)
    ]
    keep = [not any(inside[i][j] for j in range(n) if dets[j].label not in cfg.keep_smaller) for i in range(n)]
    for label in cfg.keep_smaller:
        small = [dets[i].label == label for i in range(n)]
        holds_small = [any(small[i] and inside[i][j] for i in range(n)) for j in range(n)]
        is_held_small = [small[i] and any(inside[i]) for i in range(n)]
        keep = [k and (not holds_small[j] or is_held_small[j]) for j, k in enumerate(keep)]
    return [d for d, k in zip(dets, keep) if k]


def unclip(bbox, ratio: tuple[float, float]):
    """Scale a box about its centre (the SDK does it with ratio 1; the arithmetic is kept exactly)."""
    x0, y0, x1, y1 = bbox
    w, h = x1 - x0, y1 - y0
    cx, cy = x0 + w / 2, y0 + h / 2
    return cx - w * ratio[0] / 2, cy - h * ratio[1] / 2, cx + w * ratio[0] / 2, cy + h * ratio[1] / 2


def to_page_pixels(bbox, width: int, height: int) -> tuple[int, int, int, int] | None:
    """Clipped to the page, truncated to integer pixels; None for an empty box."""
    x0, y0, x1, y1 = (max(0, min(float(v), size)) for v, size in zip(bbox, (width, height, width, height)))
    if x0 >= x1 or y0 >= y1:
        return None
    return int(x0), int(y0), int(x1), int(y1)


def postprocess(
    dets: list[Detection], width: int, height: int, cfg: LayoutPostprocessConfig | None = None
) -> list[Detection]:
    """Apply the SDK's steps; returns detections in reading order, integer boxes, `index` set."""
    cfg = cfg or LayoutPostprocessConfig()
    # In reading order first, as transformers' post_process_object_detection hands them to the SDK:
    # NMS breaks score ties by position.
    dets = sorted(
        (d for d in dets if d.score >= cfg.class_thresholds.get(d.label, cfg.threshold)), key=lambda d: d.rank
    )
    if not dets:
        return []
    dets = nms(dets, cfg.nms_iou_same, cfg.nms_iou_cross)
    dets = drop_page_sized_images(dets, width, height, cfg)
    dets = remove_contained(dets, cfg)
    ranks = np.array([d.rank for d in dets], dtype=np.float64)
    dets = [dets[i] for i in np.argsort(ranks)]
    out = []
    for det in dets:
        box = to_page_pixels(unclip(det.bbox, cfg.unclip), width, height)
        if box is not None:
            out.append(Detection(tuple(float(v) for v in box), det.label, det.score, det.rank, len(out)))
    return out
