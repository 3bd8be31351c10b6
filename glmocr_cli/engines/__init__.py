"""Engines compose a layout detector and recognisers into page -> PageResult.

An engine is built once per worker process (models load once) and then fed pages. `process_pages`
takes an iterable so that an engine may batch regions across pages (the GLM engine does); results
come back in the order the pages went in.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from ..document import PageImage, PageResult


class Engine(Protocol):
    name: str

    def describe(self) -> dict[str, Any]:
        """The engine record stored in every JSON output: name, model ids, revisions or hashes."""

    def process_pages(self, pages: Iterable[PageImage]) -> Iterator[PageResult]:
        """Layout + recognition of each page, yielded in input order."""
