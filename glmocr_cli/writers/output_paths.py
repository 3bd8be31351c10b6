"""The one place where output paths are made and checked.

Every file this tool writes or deletes under the output folder (-o) comes from `OutputFolder`:
documents' NAME.md/.json/.html/.kv.json, figure crops (images/), layout pictures (layout/), stamps
(.glmocr/) and the deletions of outputs a stamp names. A path is refused (`UnsafeOutputPath`) unless
its folder, symlinks resolved, lies under -o, and, for crops, layout pictures and stamps, under an
`images/`, `layout/` or `.glmocr/` folder. Stamps are data: an entry of theirs that fails the check is
ignored, never deleted.

Names taken from inputs are made safe and stable in output_names.py.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..output_names import NAME_MAX, STATE_DIR, cut_to_bytes, fit_name, name_bytes, output_stem_for, safe_component


class UnsafeOutputPath(ValueError):
    """A path that would leave the output folder (or its images/, layout/, .glmocr/ area)."""


def crop_file_name(page_index: int, region_index: int, label: str) -> str:
    """A region crop's name as both engines give it: page0001_region000_figure.png (page from 1,
    region in detection order, its layout label); OutputFolder.crop_name prefixes the document's name."""
    return f"page{page_index + 1:04d}_region{region_index:03d}_{label}.png"


@dataclass
class OutputFolder:
    """-o: makes every output path and refuses any that would leave it."""

    root: Path
    _resolved: Path = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.root = Path(self.root)
        self._resolved = self.root.resolve()

    # -- the check ----------------------------------------------------------------------------
    def checked(self, relative: str | os.PathLike, area: str | None = None) -> Path:
        """root/relative when it stays under root (and directly in an `area` folder, if given)."""
        text = os.fspath(relative)
        rel = PurePosixPath(text)
        if not text or rel.is_absolute():
            raise UnsafeOutputPath(f"{text!r} is not a path inside the output folder")
        if any(part in ("", ".", "..") for part in text.split("/")) or "\0" in text:
            raise UnsafeOutputPath(f"{text!r} leaves the output folder")
        if any(name_bytes(part) > NAME_MAX for part in rel.parts):
            raise UnsafeOutputPath(f"{text!r}: a name is longer than {NAME_MAX} bytes")
        if area is not None:
            inside = rel.parts[0] == STATE_DIR if area == STATE_DIR else rel.parent.name == area
            if not inside or len(rel.parts) < 2:
                raise UnsafeOutputPath(f"{text!r} is not in the output folder's {area}/")
        path = self.root.joinpath(*rel.parts)
        folder = path.parent.resolve()  # symlinked folders resolved: they must not lead out
        if not folder.is_relative_to(self._resolved):
            raise UnsafeOutputPath(f"{text!r} leads outside the output folder (to {folder})")
        return path

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    # -- the paths a document's outputs take --------------------------------------------------
    def output(self, stem: Path, suffix: str) -> Path:
        """NAME.md / .json / .html / .kv.json beside where the input's tree puts it."""
        return self.checked(stem.parent / fit_name(f"{stem.name}.{suffix}", suffix=f".{suffix}"))

    def crop_name(self, stem: Path, name: str) -> str:
        """A figure crop's file name in images/: prefixed with its document's name, fitted."""
        if not name.startswith(stem.name + "-"):
            name = f"{stem.name}-{name}"
        return fit_name(safe_component(name))

    def crop(self, stem: Path, name: str) -> Path:
        return self.checked(stem.parent / "images" / name, area="images")

    def layout_picture(self, stem: Path, page_index: int) -> Path:
        return self.checked(
            stem.parent / "layout" / fit_name(f"{stem.name}-page{page_index + 1:04d}.png", suffix=".png"), area="layout"
        )

    def stamp(self, relative_path: Path) -> Path:
        """.glmocr/INPUT-PATH.stamp.json: one per input (x.pdf and x.jpg have their own)."""
        safe = output_stem_for(relative_path, keep_suffix=True)
        return self.checked(
            Path(STATE_DIR) / safe.parent / fit_name(f"{safe.name}.stamp.json", suffix=".stamp.json"), area=STATE_DIR
        )

    def state_file(self, name: str) -> Path:
        return self.checked(Path(STATE_DIR) / name, area=STATE_DIR)

    # -- paths read back from a stamp (data, never trusted) -----------------------------------
    def from_stamp(self, entry: object) -> Path | None:
        """A stamp's `outputs` entry as a path under -o; None when it is not one (tampered)."""
        if not isinstance(entry, str):
            return None
        try:
            path = self.checked(entry)
        except UnsafeOutputPath:
            return None
        return None if PurePosixPath(entry).parts[0] == STATE_DIR else path

    def removable(self, entry: object, stem: object, *, outputs_too: bool = False) -> Path | None:
        """A stamp's entry that may be deleted: under -o, a picture of the document's own in its
        folder's images/ or layout/ (or, with outputs_too, one of its NAME.* files); else None."""
        path = self.from_stamp(entry)
        if path is None or not isinstance(entry, str) or not isinstance(stem, str) or not stem:
            return None
        rel, home, name = PurePosixPath(entry), PurePosixPath(stem).parent, PurePosixPath(stem).name

        def named_after_it(separator: str) -> bool:
            if rel.name.startswith(name + separator):
                return True  # a long name was cut (fit_name) but keeps at least its first 200 bytes
            return name_bytes(name) > 200 and rel.name.startswith(cut_to_bytes(name, 200))

        if rel.parent.name in ("images", "layout") and rel.parent.parent == home:
            return path if named_after_it("-") else None
        if outputs_too and rel.parent == home and named_after_it("."):
            return path
        return None
