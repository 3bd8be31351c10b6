"""Key-value extraction (`--extract`): reads the finished document model, writes NAME.kv.json.

A stage of its own after recognition, not part of rendering: keys.py (what to extract), lines.py (the
page as rows of text lines), values.py (value grammars), labels.py (label-value pairing), issuer.py
(company and address), total.py (the amount to pay), extractor.py (the lite entry point) and
model_answers.py (the glm engine's per-page answers merged).
"""

from .extractor import extract_key_values
from .keys import KeySpec, parse_key_spec
from .model_answers import merge_model_answers

__all__ = ["KeySpec", "extract_key_values", "merge_model_answers", "parse_key_spec"]
