"""LaTeX from a formula's glyphs and rules (refine/formula_glyphs.py) by their placement, the way a
typesetter set them: fractions (a rule with glyphs over and under it), roots (a radical sign and its
overbar), big operators with limits over and under them, sub- and superscripts (off the baseline and
smaller), tall brackets as \\left( \\right), letters' styles from their fonts, and an equation number at
the far right as \\tag{}. None when a glyph cannot be named (private-use codes, unknown encodings):
the caller keeps the image crop then.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from ..geometry import bbox_union
from .formula_glyphs import Centred, Glyph, Rule

GREEK = dict(
    zip(
        "αβγδεζηθικλμνξπρστυφχψωΓΔΘΛΞΠΣΥΦΨΩϵϑϕϱςϖ",
        r"\alpha \beta \gamma \delta \epsilon \zeta \eta \theta \iota \kappa \lambda \mu \nu \xi \pi \rho "
        r"\sigma \tau \upsilon \phi \chi \psi \omega \Gamma \Delta \Theta \Lambda \Xi \Pi \Sigma \Upsilon "
        r"\Phi \Psi \Omega \epsilon \vartheta \phi \varrho \varsigma \varpi".split(),
    )
)
GREEK["ε"], GREEK["φ"] = r"\varepsilon", r"\varphi"
OPERATORS = {
    "×": r"\times",
    "·": r"\cdot",
    "÷": r"\div",
    "±": r"\pm",
    "∓": r"\mp",
    "≤": r"\leq",
    "≥": r"\geq",
    "≠": r"\neq",
    "≈": r"\approx",
    "≡": r"\equiv",
    "∝": r"\propto",
    "∼": r"\sim",
    "→": r"\rightarrow",
    "←": r"\leftarrow",
    "↔": r"\leftrightarrow",
    "⇒": r"\Rightarrow",
    "⇔": r"\Leftrightarrow",
    "∈": r"\in",
    "∉": r"\notin",
    "⊂": r"\subset",
    "⊆": r"\subseteq",
    "⊃": r"\supset",
    "⊇": r"\supseteq",
    "∪": r"\cup",
    "∩": r"\cap",
    "∞": r"\infty",
    "∂": r"\partial",
    "∇": r"\nabla",
    "∑": r"\sum",
    "∏": r"\prod",
    "∫": r"\int",
    "∮": r"\oint",
    "⋃": r"\bigcup",
    "⋂": r"\bigcap",
    "√": r"\surd",
    "−": "-",
    "–": "-",
    "′": "'",
    "″": "''",
    "…": r"\ldots",
    "⋯": r"\cdots",
    "⋅": r"\cdot",
    "∗": "*",
    "∀": r"\forall",
    "∃": r"\exists",
    "¬": r"\neg",
    "∧": r"\wedge",
    "∨": r"\vee",
    "∅": r"\emptyset",
    "⊕": r"\oplus",
    "⊗": r"\otimes",
    "∘": r"\circ",
    "°": r"^{\circ}",
    "ℓ": r"\ell",
    "ħ": r"\hbar",
    "⟨": r"\langle",
    "⟩": r"\rangle",
    "‖": r"\|",
    "∣": "|",
    "⌊": r"\lfloor",
    "⌋": r"\rfloor",
    "⌈": r"\lceil",
    "⌉": r"\rceil",
    "≪": r"\ll",
    "≫": r"\gg",
    "≺": r"\prec",
    "≻": r"\succ",
    "∖": r"\setminus",
    "∠": r"\angle",
    "⊥": r"\perp",
    "∥": r"\parallel",
    "↦": r"\mapsto",
    "⟶": r"\longrightarrow",
    "∴": r"\therefore",
    "≜": r"\triangleq",
    "≃": r"\simeq",
    "≅": r"\cong",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "#": r"\#",
    "&": r"\&",
    "_": r"\_",
    "$": r"\$",
    "~": r"\sim",
    "<": "<",
    ">": ">",
    "|": "|",
    "^": r"\hat{}",
    "\\": r"\backslash",
}
DOUBLE_STRUCK = {"ℝ": "R", "ℕ": "N", "ℤ": "Z", "ℚ": "Q", "ℂ": "C", "ℙ": "P", "ℍ": "H"}
BIG_OPERATORS = {"∑", "∏", "⋃", "⋂", "∫", "∮"}
OPENING, CLOSING = "([{⟨|‖⌊⌈", ")]}⟩|‖⌋⌉"
FUNCTIONS = {
    "sin",
    "cos",
    "tan",
    "cot",
    "sec",
    "csc",
    "log",
    "ln",
    "exp",
    "lim",
    "max",
    "min",
    "sup",
    "inf",
    "det",
    "arg",
    "deg",
    "dim",
    "ker",
    "gcd",
    "sinh",
    "cosh",
    "tanh",
    "arcsin",
    "arccos",
    "arctan",
    "Pr",
    "lg",
    "hom",
}
_PLAIN = re.compile(r"^[A-Za-z0-9+\-=()\[\]/.,:;!'*?@]$")
_BOLD_FONT = re.compile(r"bold|black|heavy|cmbx|cmmib|cmbsy|[-,]bd?\b", re.I)
_ITALIC_FONT = re.compile(r"italic|oblique|cmmi|cmti|-it\b|mathit", re.I)
_CALLIGRAPHIC_FONT = re.compile(r"cmsy|calligraph|script|rsfs|eusm|euscript|mathcal", re.I)
_DOUBLE_STRUCK_FONT = re.compile(r"msbm|bbold|doublestruck|blackboard|dsrom", re.I)
_FRAKTUR_FONT = re.compile(r"eufm|fraktur", re.I)
# TeX's own fonts, where a PDF without a Unicode map gives each glyph the code of its slot: cmex has no
# letters at all ('X' is its sum sign), cmsy's letters are calligraphic capitals, and Latin-1 codes in
# any of them ('¡', '§') are symbols in TeX's encoding, not those characters.
_TEX_FONT = re.compile(r"^(?:[A-Z]{6}\+)?(?:cm|ms[ab]m|eu[fsx]m|rsfs|lasy|stmary|wasy)[a-z]*\d*$", re.I)
_TEX_EXTENSION_FONT = re.compile(r"^(?:[A-Z]{6}\+)?cmex", re.I)
_TEX_SYMBOL_FONT = re.compile(r"^(?:[A-Z]{6}\+)?cmsy", re.I)
_TAG = re.compile(r"^\((\w{1,4}(?:\.\w{1,3})?[a-z]?)\)$")


class _Unnamed(Exception):
    """A glyph with no name in LaTeX, or a layout this does not read: not written from glyphs."""


@dataclass
class FormulaLatex:
    latex: str
    tag: str | None = None


@dataclass
class _Atom(Centred):
    """One item of a row: a glyph, or a built fraction / root / operator with limits."""

    latex: str
    box: tuple[float, float, float, float]
    glyph: Glyph | None = None  # set for plain glyphs (which may be scripts)
    size: float = 0.0  # the body size of what it holds


def _glyph_atom(glyph: Glyph) -> _Atom:
    return _Atom("", glyph.box, glyph, glyph.size)


def _letter_latex(ch: str, font: str) -> str:
    """A letter or digit with the style its font (or its math-alphanumeric code) gives it."""
    name = unicodedata.name(ch, "")
    if name.startswith("MATHEMATICAL "):
        plain = unicodedata.normalize("NFKC", ch)
        for word, command in (
            ("DOUBLE-STRUCK", r"\mathbb"),
            ("FRAKTUR", r"\mathfrak"),
            ("SCRIPT", r"\mathcal"),
            ("BOLD", r"\mathbf"),
            ("SANS-SERIF", r"\mathsf"),
            ("MONOSPACE", r"\mathtt"),
        ):
            if word in name:
                return f"{command}{{{plain}}}"
        return GREEK.get(plain, plain)
    if ch in DOUBLE_STRUCK:
        return rf"\mathbb{{{DOUBLE_STRUCK[ch]}}}"
    if _DOUBLE_STRUCK_FONT.search(font) and ch.isupper():
        return rf"\mathbb{{{ch}}}"
    if _FRAKTUR_FONT.search(font):
        return rf"\mathfrak{{{ch}}}"
    if _CALLIGRAPHIC_FONT.search(font) and ch.isupper() and ch.isascii():
        return rf"\mathcal{{{ch}}}"
    if _BOLD_FONT.search(font) and ch.isascii() and ch.isalnum():
        return rf"\mathbf{{{ch}}}"
    return ch


def _tex_slot_code(glyph: Glyph) -> bool:
    """True when the glyph's character is a TeX font's slot number rather than what it shows."""
    ch, font = glyph.char, glyph.font
    if ord(ch) < 0x20 or 0xE000 <= ord(ch) <= 0xF8FF or ch == "\ufffd":
        return True  # control codes, private use, replacement: unknown in any font
    if not _TEX_FONT.search(font):
        return False
    if 0x80 <= ord(ch) <= 0xFF:
        return True
    if _TEX_EXTENSION_FONT.search(font):
        return ch.isascii()
    return bool(_TEX_SYMBOL_FONT.search(font)) and ch.isascii() and (ch.islower() or ch.isdigit())


def char_latex(glyph: Glyph) -> str:
    ch = glyph.char
    if _tex_slot_code(glyph):
        raise _Unnamed(ch)
    if ch.isascii() and ch.isalnum() or unicodedata.name(ch, "").startswith("MATHEMATICAL ") or ch in DOUBLE_STRUCK:
        return _letter_latex(ch, glyph.font)
    if ch in GREEK:
        return rf"\boldsymbol{{{GREEK[ch]}}}" if _BOLD_FONT.search(glyph.font) else GREEK[ch]
    if ch in OPERATORS:
        return OPERATORS[ch]
    if _PLAIN.match(ch):
        return ch
    raise _Unnamed(ch)


_SPACED = {
    "=",
    "+",
    "-",
    "<",
    ">",
    r"\pm",
    r"\mp",
    r"\times",
    r"\cdot",
    r"\div",
    r"\leq",
    r"\geq",
    r"\neq",
    r"\approx",
    r"\equiv",
    r"\sim",
    r"\simeq",
    r"\cong",
    r"\propto",
    r"\in",
    r"\notin",
    r"\subset",
    r"\subseteq",
    r"\supset",
    r"\supseteq",
    r"\cup",
    r"\cap",
    r"\rightarrow",
    r"\leftarrow",
    r"\Rightarrow",
    r"\Leftrightarrow",
    r"\leftrightarrow",
    r"\mapsto",
    r"\ll",
    r"\gg",
    r"\oplus",
    r"\otimes",
    r"\wedge",
    r"\vee",
    r"\setminus",
    r"\triangleq",
}


def _join(tokens: list[str]) -> str:
    """Tokens as one LaTeX string, set as a person writes it: binary operators and relations between
    spaces (not a sign that opens a group: -b), elsewhere a space only where a command would run
    into a letter."""
    out = ""
    for k, token in enumerate(tokens):
        binary = (
            token in _SPACED
            and k > 0
            and tokens[k - 1] not in _SPACED
            and not tokens[k - 1].endswith(("(", "[", r"\{", "{}"))
            and k + 1 < len(tokens)
        )
        if binary:
            out += f" {token} "
            continue
        if out and re.search(r"\\[A-Za-z]+$", out) and re.match(r"[A-Za-z]", token):
            out += " "
        out += token
    return out


def _main_size(items: list[_Atom]) -> float:
    """The row's body size: the largest size that at least a third of its glyphs reach (big operators
    and tall brackets are few; scripts are smaller)."""
    sizes = sorted((a.size for a in items if a.glyph is not None), reverse=True) or sorted(
        (a.size for a in items), reverse=True
    )
    for size in sizes:
        if sum(s >= 0.95 * size for s in sizes) >= len(sizes) / 3:
            return size
    return sizes[-1]


def _tall(glyph: Glyph, size: float) -> bool:
    return glyph.size > 1.3 * size or (glyph.box[3] - glyph.box[1]) > 1.9 * size


def _root(items: list[_Atom], bar: Rule, wider: list[Rule]):
    """A radical sign whose overbar is `bar`: \\sqrt{} of what stands under the bar (not past a wider
    fraction rule below it), with an index set small before the sign."""
    for sign in (a for a in items if a.glyph is not None and a.glyph.char == "√"):
        if not (abs(bar.x0 - sign.box[2]) < 0.6 * sign.size and sign.box[1] - 0.4 * sign.size <= bar.y <= sign.cy):
            continue
        fence = min(
            (r.y for r in wider if r.y > bar.y and r.x0 <= sign.box[0] + 1 and r.x1 >= bar.x1 - 1), default=sign.box[3]
        )
        radicand = [
            a
            for a in items
            if a is not sign and bar.x0 - 0.5 <= a.cx <= bar.x1 + 0.5 and bar.y < a.cy < min(sign.box[3], fence)
        ]
        index = [
            a
            for a in items
            if a.glyph is not None
            and a is not sign
            and a.size < 0.85 * sign.size
            and sign.box[0] - sign.size <= a.cx < sign.cx
            and a.cy < sign.cy
        ]
        body = _row(radicand)
        latex = rf"\sqrt[{_row(index)}]{{{body}}}" if index else rf"\sqrt{{{body}}}"
        box = bbox_union([a.box for a in [sign, *radicand, *index]] + [(bar.x0, bar.y, bar.x1, bar.y)])
        return _Atom(latex, box, size=_main_size(radicand) if radicand else sign.size), [sign, *radicand, *index]
    return None


def _fraction(items: list[_Atom], rule: Rule):
    """What stands just over and just under `rule`, within its width, as \\frac{}{}."""
    within = [a for a in items if rule.x0 - 1 <= a.cx <= rule.x1 + 1]
    over = [a for a in within if a.cy < rule.y and rule.y - a.box[3] < 1.2 * a.size]
    under = [a for a in within if a.cy > rule.y and a.box[1] - rule.y < 1.2 * a.size]
    if not over or not under:
        return None
    latex = rf"\frac{{{_row(over)}}}{{{_row(under)}}}"
    box = bbox_union([a.box for a in over + under] + [(rule.x0, rule.y, rule.x1, rule.y)])
    return _Atom(latex, box, size=max(_main_size(over), _main_size(under))), over + under


def _limits(items: list[_Atom], size: float):
    """A big operator with its limits set over and under it (not beside it, as an integral's are)."""
    for op in items:
        glyph = op.glyph
        if glyph is None or glyph.char not in BIG_OPERATORS:
            continue
        reach = 0.6 * (op.box[2] - op.box[0]) + 0.3 * size
        near = [
            a
            for a in items
            if a is not op and a.size < op.size and abs(a.cx - op.cx) <= reach + 0.5 * (a.box[2] - a.box[0])
        ]
        over = [a for a in near if a.box[3] <= op.box[1] + 0.35 * op.size]
        under = [a for a in near if a.box[1] >= op.box[3] - 0.35 * op.size]
        if not over and not under:
            continue
        latex = (
            OPERATORS[glyph.char] + (f"_{{{_row(under)}}}" if under else "") + (f"^{{{_row(over)}}}" if over else "")
        )
        return _Atom(latex, bbox_union([a.box for a in [op, *over, *under]]), size=op.size), [op, *over, *under]
    return None


def _structures(items: list[_Atom], rules: list[Rule]) -> list[_Atom]:
    """Roots and fractions built inside out (the shortest rule first, so an inner one is an item of
    the outer), then big operators with their limits."""
    rules = sorted(rules, key=lambda r: r.width)
    for k, rule in enumerate(rules):
        found = _root(items, rule, rules[k + 1 :]) or _fraction(items, rule)
        if found:
            atom, used = found
            items = [a for a in items if all(a is not u for u in used)] + [atom]
    size = _main_size(items) if items else 0.0
    while items and (found := _limits(items, size)):
        atom, used = found
        items = [a for a in items if all(a is not u for u in used)] + [atom]
    return items


def _place(glyph: Glyph, baseline: float, size: float) -> str:
    """'' on the baseline, 'sup' raised, 'sub' lowered (a smaller glyph off the baseline). A body-size
    glyph a line away is a second row (stacked equations, cases): not one formula this reads."""
    if glyph.char in BIG_OPERATORS or _tall(glyph, size):
        return ""
    shift = glyph.origin[1] - baseline
    smaller = glyph.size < 0.9 * size
    if abs(shift) > (1.5 if smaller else 0.6) * size:
        raise _Unnamed("a second row")
    if shift < -(0.2 if smaller else 0.4) * size:
        return "sup"
    if shift > (0.1 if smaller else 0.3) * size:
        return "sub"
    return ""


def _upright_letter(atom: _Atom) -> bool:
    glyph = atom.glyph
    return glyph is not None and glyph.char.isascii() and glyph.char.isalpha() and not _ITALIC_FONT.search(glyph.font)


def _letter(atom: _Atom) -> Glyph:
    """The glyph of an atom that _upright_letter accepted (so it is a plain glyph)."""
    assert atom.glyph is not None
    return atom.glyph


def _base_tokens(atoms: list[_Atom], suffixes: list[str], size: float) -> list[str]:
    """Base-line atoms with their scripts as tokens; a run of upright letters is a function name
    (\\sin) or a word (\\mathrm{max}), its scripts on its last letter."""
    tokens: list[str] = []
    k = 0
    while k < len(atoms):
        if _upright_letter(atoms[k]):
            end = k + 1
            while (
                end < len(atoms)
                and _upright_letter(atoms[end])
                and not suffixes[end - 1]
                and _letter(atoms[end]).font == _letter(atoms[k]).font
                and atoms[end].box[0] - atoms[end - 1].box[2] < 0.15 * size
            ):
                end += 1
            word = "".join(_letter(a).char for a in atoms[k:end])
            if end - k > 1 and word in FUNCTIONS:
                tokens.append("\\" + word + suffixes[end - 1])
                k = end
                continue
            if end - k > 2 and not _BOLD_FONT.search(_letter(atoms[k]).font):
                tokens.append(rf"\mathrm{{{word}}}" + suffixes[end - 1])
                k = end
                continue
        tokens.append(atoms[k].latex + suffixes[k])
        k += 1
    return tokens


def _bracket_sides(atoms: list[_Atom], size: float) -> dict[int, str]:
    """Indexes of tall brackets that pair up (opening before closing) -> '\\left' or '\\right'."""
    sides: dict[int, str] = {}
    stack: list[int] = []
    for k, atom in enumerate(atoms):
        glyph = atom.glyph
        if glyph is None or not _tall(glyph, size):
            continue
        if glyph.char in OPENING and (glyph.char != "|" or not stack):
            stack.append(k)
        elif glyph.char in CLOSING and stack:
            sides[stack.pop()], sides[k] = r"\left", r"\right"
    return sides


def _row(items: list[_Atom], rules: Sequence[Rule] = ()) -> str:
    """One row of math (a whole formula, a numerator, a script): structures, then scripts by baseline."""
    if not items:
        return ""
    items = _structures(items, list(rules))
    size = _main_size(items)
    loose = [a.glyph for a in items if a.glyph is not None]
    on_line = [g for g in loose if g.size >= 0.9 * size and g.char not in BIG_OPERATORS and not _tall(g, size)]
    origins = sorted(g.origin[1] for g in on_line or loose)
    baseline = origins[len(origins) // 2] if origins else 0.0
    base: list[_Atom] = []
    scripts: dict[int, dict[str, list[_Atom]]] = {}  # index in base -> place -> items
    for item in sorted(items, key=lambda a: (a.box[0], a.box[2])):
        place = _place(item.glyph, baseline, size) if item.glyph is not None else ""
        if place:
            scripts.setdefault(len(base) - 1, {}).setdefault(place, []).append(item)
            continue
        if item.glyph is not None:
            item.latex = char_latex(item.glyph)
        base.append(item)
    sides = _bracket_sides(base, size)
    for k, side in sides.items():
        base[k].latex = side + base[k].latex
    suffixes = [_script_latex(scripts.get(k, {})) for k in range(len(base))]
    lead = "{}" + _script_latex(scripts[-1]) if -1 in scripts else ""
    return _join(([lead] if lead else []) + _base_tokens(base, suffixes, size))


def _script_latex(places: dict[str, list[_Atom]]) -> str:
    return "".join(
        f"{mark}{{{_row(places[place])}}}" for place, mark in (("sub", "_"), ("sup", "^")) if places.get(place)
    )


def _split_tag(glyphs: list[Glyph]) -> tuple[list[Glyph], str | None]:
    """An equation number '(1)' standing apart at the right end of the formula's row."""
    ordered = sorted(glyphs, key=lambda g: g.box[0])
    size = _main_size([_glyph_atom(g) for g in glyphs])
    for k in range(len(ordered) - 1, 0, -1):
        if ordered[k].box[0] - max(g.box[2] for g in ordered[:k]) > 1.5 * size:
            number = "".join(g.char for g in ordered[k:])
            found = _TAG.match(number)
            return (ordered[:k], found.group(1)) if found else (glyphs, None)
    return glyphs, None


def formula_latex(glyphs: list[Glyph], rules: list[Rule]) -> FormulaLatex | None:
    """The formula's LaTeX, or None when a glyph has no name or nothing is there."""
    if not glyphs:
        return None
    body, tag = _split_tag(glyphs)
    try:
        latex = _row([_glyph_atom(g) for g in body], rules)
    except _Unnamed:
        return None
    return FormulaLatex(latex, tag) if latex.strip() else None
