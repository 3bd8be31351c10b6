"""PP-DocLayout-V3 post-processing as the reference SDK does it.

Raw detections (already thresholded per query, in page pixels, ranked by the model's reading
order) -> per-class score threshold -> NMS within a class (IoU 0.6) and across classes (0.98) ->
drop page-sized `image` boxes -> remove boxes contained in a larger one -> reading order renumbered.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..document import DEFAULT_LABEL_TASKS, FURNITURE_LABELS, Task


@dataclass
class Detection:
    bbox: tuple[float, float, float, float]
    label: str
    score: float
    rank: float          # position in the model's reading order (smaller reads first)
    index: int = 0       # position in the detector's output after post-processing


@dataclass
class LayoutPostprocessConfig:
    threshold: float = 0.3
    class_thresholds: dict[str, float] = field(default_factory=dict)
    nms_iou_same: float = 0.6
    nms_iou_cross: float = 0.98
    image_max_area_landscape: float = 0.82
    image_max_area_portrait: float = 0.93
    containment: float = 0.8


def label_tasks(overrides: dict[str, Task | str] | None = None, keep_furniture: bool = False) -> dict[str, Task]:
    """The SDK's label -> task mapping, with furniture kept as text on request and user overrides."""
    tasks = dict(DEFAULT_LABEL_TASKS)
    if keep_furniture:
        tasks.update({name: Task.TEXT for name in FURNITURE_LABELS})
    for name, task in (overrides or {}).items():
        tasks[name] = Task(task)
    return tasks


def _iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of box `a` against every row of `b`."""
    x0 = np.maximum(a[0], b[:, 0]); y0 = np.maximum(a[1], b[:, 1])
    x1 = np.minimum(a[2], b[:, 2]); y1 = np.minimum(a[3], b[:, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area = lambda r: np.clip(r[..., 2] - r[..., 0], 0, None) * np.clip(r[..., 3] - r[..., 1], 0, None)
    return inter / np.maximum(area(a) + area(b) - inter, 1e-9)


def nms(dets: list[Detection], iou_same: float, iou_cross: float) -> list[Detection]:
    """Greedy NMS by score; the IoU limit depends on whether the two boxes share a class."""
    if not dets:
        return []
    order = sorted(range(len(dets)), key=lambda i: -dets[i].score)
    boxes = np.array([d.bbox for d in dets], dtype=np.float64)
    kept: list[int] = []
    for i in order:
        if kept:
            ious = _iou(boxes[i], boxes[kept])
            limits = np.array([iou_same if dets[k].label == dets[i].label else iou_cross for k in kept])
            if np.any(ious > limits):
                continue
        kept.append(i)
    return [dets[i] for i in sorted(kept)]


def drop_page_sized_images(dets: list[Detection], width: int, height: int, cfg: LayoutPostprocessConfig) -> list[Detection]:
    """An `image` box covering nearly the whole page is the page itself, not a figure."""
    limit = cfg.image_max_area_landscape if width > height else cfg.image_max_area_portrait
    page = float(width * height)

    def too_big(d: Detection) -> bool:
        x0, y0, x1, y1 = d.bbox
        return d.label == "image" and (x1 - x0) * (y1 - y0) / page > limit

    return [d for d in dets if not too_big(d)]


def remove_contained(dets: list[Detection], ratio: float) -> list[Detection]:
    """Drop a box lying (>= ratio of its area) inside a larger one; for `reference` keep the smaller."""
    def area(b):
        return max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])

    def inside(small, big) -> bool:
        ix = max(0.0, min(small[2], big[2]) - max(small[0], big[0]))
        iy = max(0.0, min(small[3], big[3]) - max(small[1], big[1]))
        return area(small) > 0 and ix * iy / area(small) >= ratio

    drop: set[int] = set()
    for i, a in enumerate(dets):
        for j, b in enumerate(dets):
            if i == j or i in drop or j in drop or area(a.bbox) >= area(b.bbox):
                continue
            if inside(a.bbox, b.bbox):
                drop.add(j if b.label == "reference" else i)
    return [d for k, d in enumerate(dets) if k not in drop]


def postprocess(dets: list[Detection], width: int, height: int,
                cfg: LayoutPostprocessConfig | None = None) -> list[Detection]:
    """Apply the SDK's steps; returns detections in reading order with `index` set."""
    cfg = cfg or LayoutPostprocessConfig()
    dets = [d for d in dets if d.score >= cfg.class_thresholds.get(d.label, cfg.threshold)]
    dets = [Detection(_clip(d.bbox, width, height), d.label, d.score, d.rank) for d in dets]
    dets = [d for d in dets if d.bbox[2] - d.bbox[0] >= 1 and d.bbox[3] - d.bbox[1] >= 1]
    dets = nms(dets, cfg.nms_iou_same, cfg.nms_iou_cross)
    dets = drop_page_sized_images(dets, width, height, cfg)
    dets = remove_contained(dets, cfg.containment)
    dets.sort(key=lambda d: d.rank)
    for i, d in enumerate(dets):
        d.index = i
    return dets


def _clip(b, width: int, height: int) -> tuple[float, float, float, float]:
    return (min(max(b[0], 0.0), width), min(max(b[1], 0.0), height),
            min(max(b[2], 0.0), width), min(max(b[3], 0.0), height))
