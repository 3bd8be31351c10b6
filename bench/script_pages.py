"""Pages of known text in many scripts, rendered with Debian's Noto fonts, for OCR tests and benches.

Pillow (with libraqm) shapes the text: Arabic joining, Devanagari conjuncts, right-to-left runs. The
texts are article 1 of the Universal Declaration of Human Rights and a sentence of numbers, so each
page has several lines of ordinary prose. A page is drawn at a given DPI with 12 pt type, one
paragraph line per text line, right-aligned for right-to-left scripts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, features

NOTO = Path("/usr/share/fonts")
CORE_FONTS = {  # fonts-noto-core
    "latin": "truetype/noto/NotoSans-Regular.ttf",
    "cyrillic": "truetype/noto/NotoSans-Regular.ttf",
    "greek": "truetype/noto/NotoSans-Regular.ttf",
    "arabic": "truetype/noto/NotoSansArabic-Regular.ttf",
    "hebrew": "truetype/noto/NotoSansHebrew-Regular.ttf",
    "devanagari": "truetype/noto/NotoSansDevanagari-Regular.ttf",
}
CJK_FONT = "opentype/noto/NotoSansCJK-Regular.ttc"  # fonts-noto-cjk; face index picks the language
CJK_FACE = {"ja": 0, "ko": 1}

# Each text: (script, BCP 47 language, Tesseract language, lines).
SAMPLES: dict[str, tuple[str, str, str, list[str]]] = {
    "arabic": (
        "arabic",
        "ar",
        "ara",
        [
            "يولد جميع الناس أحرارا متساوين في الكرامة والحقوق",
            "وقد وهبوا عقلا وضميرا وعليهم أن يعامل بعضهم بعضا بروح الإخاء",
            "لكل إنسان حق التمتع بجميع الحقوق والحريات الواردة في هذا الإعلان",
            "دون أي تمييز بسبب العنصر أو اللون أو الجنس أو اللغة أو الدين",
            "وصل القطار في الساعة العاشرة وكان عدد الركاب مائة وعشرين",
        ],
    ),
    "korean": (
        "hangul",
        "ko",
        "kor",
        [
            "모든 인간은 태어날 때부터 자유로우며 그 존엄과 권리에 있어",
            "동등하다. 인간은 천부적으로 이성과 양심을 부여받았으며",
            "서로 형제애의 정신으로 행동하여야 한다.",
            "모든 사람은 인종, 피부색, 성, 언어, 종교, 정치적 또는 기타의 견해에",
            "기차는 열 시에 도착했고 승객은 백이십 명이었다.",
        ],
    ),
    "russian": (
        "cyrillic",
        "ru",
        "rus",
        [
            "Все люди рождаются свободными и равными в своем достоинстве",
            "и правах. Они наделены разумом и совестью и должны поступать",
            "в отношении друг друга в духе братства.",
            "Каждый человек должен обладать всеми правами и всеми свободами,",
            "Поезд прибыл в десять часов, и пассажиров было сто двадцать.",
        ],
    ),
    "greek": (
        "greek",
        "el",
        "ell",
        [
            "Όλοι οι άνθρωποι γεννιούνται ελεύθεροι και ίσοι στην αξιοπρέπεια",
            "και τα δικαιώματα. Είναι προικισμένοι με λογική και συνείδηση,",
            "και οφείλουν να συμπεριφέρονται μεταξύ τους με πνεύμα αδελφοσύνης.",
            "Κάθε άνθρωπος δικαιούται να επικαλείται όλα τα δικαιώματα",
            "Το τρένο έφτασε στις δέκα και οι επιβάτες ήταν εκατόν είκοσι.",
        ],
    ),
    "hebrew": (
        "hebrew",
        "he",
        "heb",
        [
            "כל בני האדם נולדו בני חורין ושווים בערכם ובזכויותיהם",
            "כולם חוננו בתבונה ובמצפון, לפיכך חובה עליהם לנהוג",
            "איש ברעהו ברוח של אחוה",
            "כל אדם זכאי לזכויות ולחרויות שנקבעו בהכרזה זו ללא הפליה",
            "הרכבת הגיעה בשעה עשר והיו בה מאה ועשרים נוסעים",
        ],
    ),
    "hindi": (
        "devanagari",
        "hi",
        "hin",
        [
            "सभी मनुष्यों को गौरव और अधिकारों के मामले में जन्मजात",
            "स्वतन्त्रता और समानता प्राप्त है। उन्हें बुद्धि और अन्तरात्मा की",
            "देन प्राप्त है और परस्पर उन्हें भाईचारे के भाव से बर्ताव करना चाहिए।",
            "प्रत्येक व्यक्ति को इस घोषणा में सन्निहित सभी अधिकारों और",
            "रेलगाड़ी दस बजे पहुँची और उसमें एक सौ बीस यात्री थे।",
        ],
    ),
    "japanese": (
        "cjk",
        "ja",
        "jpn",
        [
            "すべての人間は、生まれながらにして自由であり、",
            "かつ、尊厳と権利とについて平等である。人間は、",
            "理性と良心とを授けられており、互いに同胞の精神を",
            "もって行動しなければならない。",
            "電車は十時に到着し、乗客は百二十人だった。",
        ],
    ),
}
RTL_SCRIPTS = frozenset({"arabic", "hebrew"})
SPACED = frozenset({"arabic", "korean", "russian", "greek", "hebrew", "hindi"})  # word-F1 applies


@dataclass
class ScriptPage:
    name: str
    script: str
    lang: str
    tesseract_lang: str
    lines: list[str]
    image: Image.Image

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def font_path(name: str) -> Path:
    script = SAMPLES[name][0]
    return NOTO / (CJK_FONT if script == "cjk" or name == "korean" else CORE_FONTS[script])


def fonts_missing(names=SAMPLES) -> list[str]:
    """Debian packages whose fonts these pages need and that are not installed."""
    missing = set()
    for name in names:
        if not font_path(name).is_file():
            missing.add("fonts-noto-cjk" if font_path(name).suffix == ".ttc" else "fonts-noto-core")
    if not features.check("raqm"):
        missing.add("libraqm0 (Pillow text shaping)")
    return sorted(missing)


def render_page(name: str, dpi: int = 200, lines: list[str] | None = None, point_size: float = 12.0) -> ScriptPage:
    """An A4-wide page with the sample's lines, black on white."""
    script, lang, tess, sample = SAMPLES[name]
    lines = sample if lines is None else lines
    path = font_path(name)
    size = round(point_size * dpi / 72)
    font = ImageFont.truetype(str(path), size, index=CJK_FACE.get(lang, 0), layout_engine=ImageFont.Layout.RAQM)
    width, margin, step = round(8.27 * dpi), round(0.9 * dpi), round(size * 1.9)
    image = Image.new("RGB", (width, margin * 2 + step * len(lines)), "white")
    draw = ImageDraw.Draw(image)
    rtl = name in RTL_SCRIPTS
    for k, text in enumerate(lines):
        y = margin + k * step
        if rtl:
            draw.text((width - margin, y), text, font=font, fill="black", anchor="ra", direction="rtl", language=lang)
        else:
            draw.text((margin, y), text, font=font, fill="black", language=lang)
    return ScriptPage(name, script, lang, tess, list(lines), image)


def save_pdf(page: ScriptPage, path: Path, dpi: int = 200) -> Path:
    """The page as an image-only PDF (a scan: no text layer)."""
    page.image.save(path, "PDF", resolution=float(dpi))
    return path
