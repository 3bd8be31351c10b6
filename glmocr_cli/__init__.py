"""glmocr-cli: offline batch document conversion with GLM-OCR or bundled PP-OCR models."""
__version__ = "0.1.0"
