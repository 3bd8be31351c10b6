"""The errors the library raises to its callers (the CLI, the API's users), in one public module.

Engines and loaders raise these; a caller catches them here without reaching into an engine's
internals. This module imports nothing heavy, so importing it never loads torch or a model.
"""

from __future__ import annotations


class ConfigError(ValueError):
    """Unusable settings or options: the run cannot start (the CLI exits 2)."""


class CheckpointError(RuntimeError):
    """A model checkpoint is missing, truncated or of the wrong architecture."""


class DeviceError(ConfigError):
    """The requested --device is not available in this torch / on this machine (the CLI exits 2)."""


class SourceError(Exception):
    """A document that cannot be read; the message names the reason (the caller adds the file)."""


__all__ = ["CheckpointError", "ConfigError", "DeviceError", "SourceError"]
