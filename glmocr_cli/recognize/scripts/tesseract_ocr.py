"""Tesseract (through tesserocr, in process) for the scripts PP-OCRv6 cannot read.

Lines come from PP-OCRv6's detector, which finds text lines in any script; each line is then read by
Tesseract as one line (PSM 7) with the language's LSTM model. The binding was chosen by measurement
on the same Arabic lines, same (busy) machine: tesserocr 0.62 s a line; a `tesseract` process per line
(what pytesseract does) 3.06 s, reloading the model each time; PyMuPDF's `pdfocr_tobytes` 1.68 s and
its text came back without the spaces between words. tesserocr's wheel carries libtesseract, so
`pip install` needs no compiler. Reading PP-OCRv6's lines rather than letting Tesseract segment the
page kept Japanese at NED 0.00 where Tesseract's own page segmentation gave 0.34.

The trained data is Debian's (`tesseract-ocr-ara`, ...), found through TESSDATA_PREFIX or the
standard folders. tesserocr is optional: without it, or without the language pack, pages in those
scripts stay flagged `unsupported-script` and the warning names what to install.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from PIL import Image

from ...document import BBox, TextLine
from ...ocr_languages import binding_missing, debian_package, installed_languages, tessdata_dir

# Our script names (scripts.py) -> Tesseract languages that read them, preferred first.
SCRIPT_LANGUAGES: dict[str, tuple[str, ...]] = {
    "arabic": ("ara", "fas", "urd", "script/Arabic"),
    "hangul": ("kor", "script/Hangul"),
    "cyrillic": ("rus", "ukr", "bul", "srp", "bel", "mkd", "kaz", "script/Cyrillic"),
    "greek": ("ell", "grc", "script/Greek"),
    "hebrew": ("heb", "yid", "script/Hebrew"),
    "devanagari": ("hin", "mar", "nep", "san", "script/Devanagari"),
    "thai": ("tha", "script/Thai"),
    "bengali": ("ben", "asm", "script/Bengali"),
    "tamil": ("tam", "script/Tamil"),
    "georgian": ("kat", "script/Georgian"),
    "armenian": ("hye", "script/Armenian"),
    "cjk": ("jpn", "chi_sim", "chi_tra", "script/Japanese", "script/HanS"),
    "latin": ("eng",),
}
# Tesseract's OSD script names -> ours.
OSD_SCRIPTS = {
    "Arabic": "arabic",
    "Hangul": "hangul",
    "Korean": "hangul",
    "Cyrillic": "cyrillic",
    "Greek": "greek",
    "Hebrew": "hebrew",
    "Devanagari": "devanagari",
    "Thai": "thai",
    "Bengali": "bengali",
    "Tamil": "tamil",
    "Georgian": "georgian",
    "Armenian": "armenian",
    "Japanese": "cjk",
    "Han": "cjk",
    "Latin": "latin",
}
# A language must read the sample lines at least this confident (Tesseract's 0-100) to be chosen:
# the right model reads clean lines at 90+, the wrong ones at 10-55 (bench/scripts.py pages).
MIN_TRIAL_CONFIDENCE = 70.0
# A language this confident ends the trial early: no other model reads a script it was not trained on
# this well.
SURE_TRIAL_CONFIDENCE = 85.0


def package_for_script(script: str) -> str:
    return debian_package(SCRIPT_LANGUAGES.get(script, ("",))[0]) if script in SCRIPT_LANGUAGES else "tesseract-ocr-all"


def languages_for_script(script: str) -> list[str]:
    installed = set(installed_languages())
    return [lang for lang in SCRIPT_LANGUAGES.get(script, ()) if lang in installed]


def script_of_language(language: str) -> str | None:
    for script, languages in SCRIPT_LANGUAGES.items():
        if language in languages:
            return script
    return None


def line_crop(image: Image.Image, bbox: BBox) -> Image.Image:
    """The line on a white margin: Tesseract needs the margin, and a margin cut from the page would
    carry the neighbouring lines of tightly set text (they make a single-line read come back empty)."""
    from PIL import ImageOps

    height = bbox[3] - bbox[1]
    slack = 0.08 * height  # diacritics stick out a little of the detector's box
    crop = image.crop(
        (
            int(max(0, bbox[0] - slack)),
            int(max(0, bbox[1] - slack)),
            int(min(image.width, bbox[2] + slack)),
            int(min(image.height, bbox[3] + slack)),
        )
    )
    return ImageOps.expand(crop, border=max(4, int(0.25 * height)), fill=_margin_colour(crop))


def _margin_colour(crop: Image.Image) -> tuple[int, ...]:
    """The crop's own background (the most common edge colour), so light-on-dark text stays readable."""
    from collections import Counter

    rgb = crop.convert("RGB")
    w, h = rgb.size
    edge = [rgb.getpixel((x, y)) for x in range(0, w, max(1, w // 50)) for y in (0, h - 1)]
    return Counter(edge).most_common(1)[0][0] if edge else (255, 255, 255)


class TesseractReader:
    """One Tesseract instance per language set, kept for the life of the worker."""

    def __init__(self) -> None:
        missing = binding_missing()
        if missing:
            raise RuntimeError(f"Tesseract is not available ({missing})")
        self.path = str(tessdata_dir()) + "/"
        self._apis: dict[tuple[str, int], object] = {}

    def _api(self, language: str, psm: int):
        import tesserocr

        key = (language, psm)
        if key not in self._apis:
            self._apis[key] = tesserocr.PyTessBaseAPI(path=self.path, lang=language, psm=psm)
        return self._apis[key]

    def read_line(self, image: Image.Image, bbox: BBox, language: str) -> TextLine:
        """One line; its score is Tesseract's mean word confidence on 0-1, like PP-OCR's."""
        import tesserocr

        crop = line_crop(image, bbox)
        best = TextLine(bbox, "", 0.0)
        # Single-line layout analysis gives up (empty text) when bits of the neighbouring lines of tight
        # text sit in the box; a raw line read then still reads it.
        for psm in (tesserocr.PSM.SINGLE_LINE, tesserocr.PSM.RAW_LINE):
            api = self._api(language, psm)
            api.SetImage(crop)
            # NFKC: Tesseract writes some letters as compatibility characters (Greek mu as the micro sign).
            text = unicodedata.normalize("NFKC", " ".join(api.GetUTF8Text().split()))
            line = TextLine(bbox, text, max(0, api.MeanTextConf()) / 100.0 if text else 0.0)
            best = max(best, line, key=lambda ln: ln.score)
            if best.text:
                break
        return best

    def best_language(self, image: Image.Image, boxes: list[BBox], languages: list[str]) -> tuple[str | None, float]:
        """The language that reads the sample lines most confidently, if any reads them well."""
        best, best_conf = None, 0.0
        for language in languages:
            confs = [self.read_line(image, box, language).score * 100 for box in boxes]
            conf = sum(confs) / len(confs) if confs else 0.0
            if conf > best_conf:
                best, best_conf = language, conf
            if conf >= SURE_TRIAL_CONFIDENCE:
                break
        return (best, best_conf) if best_conf >= MIN_TRIAL_CONFIDENCE else (None, best_conf)

    def detect_script(self, image: Image.Image) -> str | None:
        """Tesseract's OSD guess at the page's script (needs osd.traineddata): used only to name the
        package to install, since on short pages it can be wrong."""
        import tesserocr

        if not (Path(self.path) / "osd.traineddata").is_file():
            return None
        try:
            api = self._api("osd", tesserocr.PSM.OSD_ONLY)
            api.SetImage(image)
            found = api.DetectOrientationScript()
        except RuntimeError:
            return None
        return OSD_SCRIPTS.get((found or {}).get("script_name", ""), None)

    def close(self) -> None:
        for api in self._apis.values():
            api.End()
        self._apis.clear()
