"""The bundled lite OCR: rapidocr's PP-OCRv6 detector and recogniser (onnxruntime), whole page.

Detection and recognition run once over the whole page; the engine then hands each layout region
the lines that fall inside it. This reads text that the layout model missed too, and costs one
detector pass instead of one per region.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from ..document import TextLine

MODEL_NAMES = {
    "detector": "PP-OCRv6_det_small",
    "recognizer": "PP-OCRv6_rec_small",
    "orientation": "ch_ppocr_mobile_v2.0_cls",
}

# Lines sampled to decide whether a page is upside down.
_ORIENTATION_SAMPLE = 24


@dataclass
class OcrResult:
    lines: list[TextLine]
    rotation: int  # clockwise degrees applied to the page before reading it
    image: Image.Image  # the page as read (rotated when rotation != 0)
    timings: dict[str, float] | None = None
    detected: int = 0  # text lines the detector found; far more than len(lines) means the
    # recogniser could not read them (e.g. a script it does not know)
    detected_boxes: list = field(default_factory=list)  # every detected line's box, read or not


def _quad_to_bbox(quad) -> tuple[float, float, float, float]:
    xs, ys = [float(p[0]) for p in quad], [float(p[1]) for p in quad]
    return min(xs), min(ys), max(xs), max(ys)


def _model(engine, kind: str):
    """rapidocr's detector, recogniser or direction classifier: built lazily since 3.10, eagerly in 3.9."""
    loader = getattr(engine, f"_load_{kind}_model", None)
    return loader() if loader is not None else getattr(engine, f"text_{kind}")


def _shrink_to(crop: np.ndarray, height: int) -> np.ndarray:
    """A line taller than the recogniser's input, averaged down to it: the recogniser's own linear
    resize would alias a tall crop's print and scanner noise into false strokes."""
    import cv2

    if crop.shape[0] <= height:
        return crop
    width = max(1, round(crop.shape[1] * height / crop.shape[0]))
    return cv2.resize(crop, (width, height), interpolation=cv2.INTER_AREA)


class LiteOcr:
    def __init__(self, threads: int = 1, max_side: int = 1280):
        from rapidocr import RapidOCR

        logging.getLogger("RapidOCR").setLevel(logging.WARNING)
        self.engine = RapidOCR(
            params={
                "Global.log_level": "warning",
                "Global.max_side_len": max_side,
                "Global.use_cls": False,
                # One line at a time: batches pad every line to the widest, which costs more than it saves
                # on CPU (measured: 33 ms a line unbatched vs 48 ms in batches of 6).
                "Rec.rec_batch_num": 1,
                "EngineConfig.onnxruntime.intra_op_num_threads": threads,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            }
        )
        self.timings: dict[str, float] = {}  # seconds spent in each model since the last read_page

    def _read(self, bgr: np.ndarray) -> list[TextLine]:
        lines, _ = self._read_counted(bgr)
        return lines

    def _add_time(self, det, rec) -> None:
        self.timings["text_detection"] = self.timings.get("text_detection", 0.0) + float(det.elapse or 0.0)
        rec_time = float(rec.elapse or 0.0) if rec is not None else 0.0
        self.timings["text_recognition"] = self.timings.get("text_recognition", 0.0) + rec_time

    def _read_counted(self, bgr: np.ndarray) -> tuple[list[TextLine], int]:
        """Lines read, and how many lines the detector found (rapidocr drops the unreadable ones).

        The detector sees the page shrunk to max_side; the recogniser reads each line cut from the
        full-resolution page. rapidocr would cut the lines from the shrunk page, which halves the
        pixels per letter on a 200 DPI A4 page or a phone photo of a receipt (PaddleOCR itself cuts
        from the original image)."""
        from rapidocr.ch_ppocr_rec import TextRecInput
        from rapidocr.utils.process_img import get_rotate_crop_image, map_boxes_to_original

        engine = self.engine
        image, record = engine.preprocess_img(bgr)
        detector = _model(engine, "det")
        padded, record = self._pad(image, record)
        det = detector(padded)
        if det.boxes is None or not len(det.boxes):
            self.detected_boxes = []
            self._add_time(det, None)
            return [], 0
        quads = map_boxes_to_original(np.array(det.boxes, copy=True), record, *bgr.shape[:2])
        self.detected_boxes = [_quad_to_bbox(q) for q in quads]
        recogniser = _model(engine, "rec")
        height = recogniser.rec_image_shape[1]
        crops = [_shrink_to(get_rotate_crop_image(bgr, np.array(q, dtype=np.float32)), height) for q in quads]
        rec = recogniser(TextRecInput(img=crops, return_word_box=False))
        self._add_time(det, rec)
        threshold = engine.text_score
        lines = [
            TextLine(_quad_to_bbox(quad), text, float(score))
            for quad, text, score in zip(quads, rec.txts or (), rec.scores or ())
            if text.strip() and score >= threshold
        ]
        return lines, len(quads)

    def _pad(self, image: np.ndarray, record: dict):
        """rapidocr's vertical padding for very wide strips, so detection sees what it would alone."""
        if self.engine.cfg.Global.get("use_vertical_padding", True):  # 3.9 always pads
            from rapidocr.utils.process_img import apply_vertical_padding

            return apply_vertical_padding(image, record, self.engine.width_height_ratio, self.engine.min_height)
        record["padding_1"] = {"top": 0, "left": 0}
        return image, record

    def _share_upside_down(self, bgr: np.ndarray, lines: list[TextLine]) -> float:
        """Fraction of the widest lines that the direction classifier reads as rotated 180°."""
        from rapidocr.utils.process_img import get_rotate_crop_image

        wide = sorted(lines, key=lambda ln: ln.bbox[2] - ln.bbox[0], reverse=True)[:_ORIENTATION_SAMPLE]
        crops = []
        for ln in wide:
            x0, y0, x1, y1 = ln.bbox
            quad = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float32)
            crops.append(get_rotate_crop_image(bgr, quad))
        if not crops:
            return 0.0
        classifier = _model(self.engine, "cls")
        labels = classifier(crops).cls_res
        return sum(1 for label, score in labels if "180" in label and score > 0.6) / len(labels)

    def read_page(self, image: Image.Image, detect_orientation: bool = True) -> OcrResult:
        """OCR a page; upside-down and sideways pages are turned upright first."""
        self.timings = {}
        bgr = np.ascontiguousarray(np.asarray(image)[:, :, ::-1])
        lines, detected = self._read_counted(bgr)
        if not detect_orientation:
            return OcrResult(lines, 0, image, dict(self.timings), detected, self.detected_boxes)
        rotation = 0
        tall = sum(1 for ln in lines if (ln.bbox[3] - ln.bbox[1]) > 2 * (ln.bbox[2] - ln.bbox[0]))
        if lines and tall > 0.6 * len(lines):
            # Sideways: most detected lines are tall and narrow. Turn a quarter and re-read.
            rotation = 90
            image = image.rotate(-90, expand=True)
            bgr = np.ascontiguousarray(np.asarray(image)[:, :, ::-1])
            lines, detected = self._read_counted(bgr)
        if lines and self._share_upside_down(bgr, lines) > 0.5:
            rotation = (rotation + 180) % 360
            image = image.rotate(180)
            bgr = np.ascontiguousarray(np.asarray(image)[:, :, ::-1])
            lines, detected = self._read_counted(bgr)
        return OcrResult(lines, rotation, image, dict(self.timings), detected, self.detected_boxes)

    def read_crop(self, image: Image.Image, bbox) -> list[TextLine]:
        """OCR one region of a page; lines come back in page coordinates."""
        x0, y0 = int(max(0, bbox[0])), int(max(0, bbox[1]))
        crop = image.crop((x0, y0, int(bbox[2]), int(bbox[3])))
        if crop.width < 4 or crop.height < 4:
            return []
        lines = self._read(np.ascontiguousarray(np.asarray(crop)[:, :, ::-1]))
        return [
            TextLine((b[0] + x0, b[1] + y0, b[2] + x0, b[3] + y0), ln.text, ln.score) for ln in lines for b in [ln.bbox]
        ]
