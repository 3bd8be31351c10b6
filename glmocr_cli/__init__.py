"""glmocr-cli: offline batch document conversion with GLM-OCR or bundled PP-OCR models."""

import os as _os

# No telemetry: onnxruntime (>= 1.2x on Linux) otherwise writes a device id and a database of process,
# model-load and performance events under ~/.cache/Microsoft, and warns in colour where HOME is not
# writable. Its switch is read when it is imported, so it is set before any module of ours imports it
# (worker processes inherit it); run/logs.py also turns the events off through its API.
_os.environ["ORT_DISABLE_TELEMETRY"] = "1"

__version__ = "0.1.0"
