"""A KV cache of batch rows with their own lengths: rows roll back, leave, and are refilled in place.

transformers' attention calls `cache.update(k, v, layer_idx)` and attends over what it returns, with
the mask we give. Each row writes its new positions at its own length; what lies beyond a row's length
(rejected drafts, a previous occupant of the slot) is masked out and overwritten later, so a rollback
is only a smaller length and a new sequence can take a finished one's slot without moving the others.
"""
from __future__ import annotations

import torch

GROW = 256  # capacity grows in steps of this many positions


class SlotKVCache:
    def __init__(self, num_layers: int, rows: int, kv_heads: int, head_dim: int, *, dtype, device,
                 capacity: int = GROW):
        shape = (rows, kv_heads, capacity, head_dim)
        self.keys = [torch.zeros(shape, dtype=dtype, device=device) for _ in range(num_layers)]
        self.values = [torch.zeros(shape, dtype=dtype, device=device) for _ in range(num_layers)]
        self.lengths = torch.zeros(rows, dtype=torch.long, device=device)
        self._write: tuple[torch.Tensor, torch.Tensor] | None = None
        self._span = 0

    @property
    def rows(self) -> int:
        return self.lengths.shape[0]

    @property
    def capacity(self) -> int:
        return self.keys[0].shape[2]

    # ---- one forward ---------------------------------------------------------------------------
    def begin(self, new_tokens: int) -> torch.Tensor | None:
        """Prepare a forward of `new_tokens` per row at each row's length; returns its attention mask
        (None when every row sees every key).

        The mask [rows, 1, T, span] lets query t of row b see keys 0 .. lengths[b] + t.
        """
        self._span = int(self.lengths.max()) + new_tokens
        self.reserve(self._span)
        offsets = torch.arange(new_tokens, device=self.lengths.device)
        columns = self.lengths[:, None] + offsets                       # [rows, T]
        rows = torch.arange(self.rows, device=self.lengths.device)[:, None].expand_as(columns)
        self._write = (rows, columns)
        if self.rows and (new_tokens == 1 or self._span == new_tokens) and bool((self.lengths == self.lengths[0]).all()):
            # Every row sees every key (one new token, or a causal prefill from empty): no mask, which
            # lets SDPA take the same kernel as transformers' own decoding (bf16 results then agree).
            return None
        keys = torch.arange(self._span, device=self.lengths.device)
        return (keys[None, None, :] <= columns[:, :, None])[:, None]

    def update(self, key: torch.Tensor, value: torch.Tensor, layer_idx: int, **_):
        rows, columns = self._write
        self.keys[layer_idx][rows, :, columns] = key.transpose(1, 2)
        self.values[layer_idx][rows, :, columns] = value.transpose(1, 2)
        return self.keys[layer_idx][:, :, :self._span], self.values[layer_idx][:, :, :self._span]

    # ---- bookkeeping between forwards ----------------------------------------------------------
    def reserve(self, positions: int) -> None:
        if positions <= self.capacity:
            return
        extra = -(-(positions - self.capacity) // GROW) * GROW
        for store in (self.keys, self.values):
            for i, t in enumerate(store):
                pad = t.new_zeros(t.shape[0], t.shape[1], extra, t.shape[3])
                store[i] = torch.cat([t, pad], dim=2)

    def keep_rows(self, rows: torch.Tensor) -> None:
        """Drop every row not in `rows` (finished sequences stop costing compute)."""
        for store in (self.keys, self.values):
            for i, t in enumerate(store):
                store[i] = t.index_select(0, rows)
        self.lengths = self.lengths.index_select(0, rows)

    def place(self, row: int, other: "SlotKVCache", other_row: int = 0) -> None:
        """Put row `other_row` of another cache (a fresh prefill) into slot `row`."""
        n = int(other.lengths[other_row])
        self.reserve(n)
        for mine, theirs in ((self.keys, other.keys), (self.values, other.values)):
            for layer in range(len(mine)):
                mine[layer][row, :, :n] = theirs[layer][other_row, :, :n]
        self.lengths[row] = n

    def add_row(self, other: "SlotKVCache", other_row: int = 0) -> None:
        """Append a row (a fresh prefill) at the end of the batch."""
        for store in (self.keys, self.values):
            for i, t in enumerate(store):
                store[i] = torch.cat([t, t.new_zeros(1, *t.shape[1:])], dim=0)
        self.lengths = torch.cat([self.lengths, self.lengths.new_zeros(1)])
        self.place(self.rows - 1, other, other_row)
