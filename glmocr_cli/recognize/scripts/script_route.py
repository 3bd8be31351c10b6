"""Which reader reads each line: PP-OCRv6 for Latin and Chinese, Tesseract for the other scripts.

PP-OCRv6's detector finds lines in any script, but its recogniser reads only Latin and CJK: on other
scripts it drops the line (score under its threshold), returns a few stray marks, or reads letters of
an unsupported script. Such lines are "unread". When a fair share of a page's lines are unread, the
page's language is found by letting each installed Tesseract model read the widest unread lines
(the right one reads them at 90+ confidence, the wrong ones under 55), unless `--ocr-lang` names the
languages; then every unread line is read by Tesseract in that language. Pages PP-OCRv6 reads well
never reach Tesseract, so Latin and Chinese pages cost nothing more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from PIL import Image

from ...document import BBox, TextLine
from ...ocr_languages import binding_missing, installed_languages
from ...scripts import SUPPORTED_BY_LITE, char_script, dominant_script
from .tesseract_ocr import (
    SCRIPT_LANGUAGES,
    TesseractReader,
    package_for_script,
    script_of_language,
)
from ...geometry import area, intersection

# A page goes to Tesseract when at least this share of its detected lines is unread.
MIN_UNREAD_SHARE = 0.3
# PP-OCRv6 output on a script it does not know: low scores, or far fewer characters than the box holds.
MIN_PP_SCORE = 0.65
SURE_PP_SCORE = 0.9  # on a page in another script, PP-OCR lines below this are read again
MIN_CHARS_PER_HEIGHT = 0.3  # letters and digits per line height of box width (Latin ~2, CJK ~1)
TRIAL_LINES = 2
# Garbage from a script it does not know reads as odd words: one or two letters, letters mixed with
# digits or with another script ('CI4α', '4tUIr'). Half the words odd marks a line unread; on the
# dev receipts 11 of 659 lines are (codes like '1174703-K'), far under a page's MIN_UNREAD_SHARE.
MAX_ODD_WORDS = 0.5


def odd_word_share(text: str) -> float:
    words = [w for w in re.findall(r"\w+", text) if any(c.isalpha() for c in w)]
    if len(words) < 3:
        return 0.0

    def odd(word: str) -> bool:
        scripts = {char_script(c) for c in word if c.isalpha()}
        return len(word) <= 2 or any(c.isdigit() for c in word) or len(scripts) > 1

    return sum(map(odd, words)) / len(words)


@dataclass
class ScriptReading:
    lines: list[TextLine]
    language: str | None = None  # Tesseract language used on this page
    script: str | None = None  # script Tesseract read
    tesseract_lines: int = 0
    confidence: float = 0.0  # the chosen language's trial confidence (0-100)
    unread_share: float = 0.0  # share of detected lines PP-OCRv6 did not read
    problems: list[str] = field(default_factory=list)  # for the page warning
    unsupported: bool = False  # text in a script nothing installed reads
    unreadable: bool = False  # text nothing installed reads, script unknown


def pp_line_unread(line: TextLine) -> bool:
    width, height = line.bbox[2] - line.bbox[0], max(1.0, line.bbox[3] - line.bbox[1])
    chars = sum(ch.isalnum() for ch in line.text)
    script = dominant_script(line.text)
    return (
        line.score < MIN_PP_SCORE
        or chars < MIN_CHARS_PER_HEIGHT * width / height
        or (script is not None and script not in SUPPORTED_BY_LITE)
        or odd_word_share(line.text) >= MAX_ODD_WORDS
    )


def _matches(box: BBox, line: TextLine) -> bool:
    return intersection(box, line.bbox) >= 0.5 * min(area(box), area(line.bbox) or 1.0)


def unread_boxes(lines: list[TextLine], detected: list[BBox]) -> tuple[list[TextLine], list[BBox]]:
    """PP-OCR's well-read lines, and the boxes of the lines it could not read."""
    kept = [ln for ln in lines if not pp_line_unread(ln)]
    unread = [b for b in detected if not any(_matches(b, ln) for ln in kept)]
    return kept, unread


def _candidates(hint: str | None, only: bool = True) -> list[str]:
    """One installed language per script (the trial reads a few lines with each), hinted script first."""
    installed = set(installed_languages())
    scripts = (
        [hint]
        if only and hint in SCRIPT_LANGUAGES
        else [*([hint] if hint in SCRIPT_LANGUAGES else []), *(s for s in SCRIPT_LANGUAGES if s != hint)]
    )
    chosen = []
    for script in scripts:
        chosen += [lang for lang in SCRIPT_LANGUAGES[script] if lang in installed][:1]
    return chosen


class ScriptRouter:
    def __init__(self, ocr_lang: str = "auto") -> None:
        self.forced = None if ocr_lang == "auto" else "+".join(p.strip() for p in ocr_lang.split(",") if p.strip())
        self.missing = binding_missing()
        self._reader: TesseractReader | None = None

    @property
    def reader(self) -> TesseractReader:
        if self._reader is None:
            self._reader = TesseractReader()
        return self._reader

    def route(
        self, image: Image.Image, lines: list[TextLine], detected: list[BBox], layer_script: str | None = None
    ) -> ScriptReading:
        kept, unread = unread_boxes(lines, detected)
        share = len(unread) / max(1, len(detected))
        hinted = layer_script is not None and layer_script not in SUPPORTED_BY_LITE
        if not unread or (not hinted and share < MIN_UNREAD_SHARE):
            return ScriptReading(lines, unread_share=share)
        seen_script = layer_script if hinted else dominant_script(" ".join(ln.text for ln in lines))
        seen_script = seen_script if seen_script not in SUPPORTED_BY_LITE else None
        if self.missing:
            return self._unreadable(lines, seen_script, f"Tesseract is not installed ({self.missing})")
        sample = sorted(unread, key=lambda b: b[2] - b[0], reverse=True)[:TRIAL_LINES]
        language, conf = self.forced, 100.0
        if language is None:
            language, conf = self.reader.best_language(image, sample, _candidates(seen_script, only=hinted))
            if language is None and hinted:  # the text layer's script may be wrong (a garbled layer)
                language, conf = self.reader.best_language(image, sample, _candidates(None))
            if language is None:
                script = seen_script or self.reader.detect_script(image)
                return self._unreadable(
                    lines, script, f"no installed Tesseract language reads it (best confidence {conf:.0f}/100)"
                )
        script = script_of_language(language.split("+")[0])
        if self.forced is None and script in SUPPORTED_BY_LITE:
            return ScriptReading(lines, unread_share=share)  # blurry Latin or Chinese: PP-OCR's reading stands
        read = [self.reader.read_line(image, box, language) for box in unread]
        # A short line in this script can pass for a shaky Latin word: the better reading wins.
        kept = [
            max(ln, self.reader.read_line(image, ln.bbox, language), key=lambda x: x.score)
            if ln.score < SURE_PP_SCORE
            else ln
            for ln in kept
        ]
        read = [ln for ln in read if ln.text]
        return ScriptReading(kept + read, language, script, len(read), conf, share)

    @staticmethod
    def _unreadable(lines: list[TextLine], script: str | None, why: str) -> ScriptReading:
        if script in (None, "latin"):  # not known to be another script: unread, not unsupported
            advice = "apt-get install tesseract-ocr-LANG for its language, or use --ocr-lang"
            return ScriptReading(
                lines, problems=[f"text the lite recogniser cannot read: {why}; to read it: {advice}"], unreadable=True
            )
        advice = f"apt-get install {package_for_script(script)}"
        return ScriptReading(
            lines, problems=[f"text in {script} script: {why}; to read it: {advice}"], unsupported=True, script=script
        )
