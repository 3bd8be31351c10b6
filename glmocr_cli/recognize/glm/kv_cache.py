"""A KV cache of batch rows with their own lengths: rows roll back, leave, and are refilled in place.

transformers' attention calls `cache.update(k, v, layer_idx)` and attends over what it returns, with
the mask we give. Each row writes its new positions at its own length; what lies beyond a row's length
(rejected drafts, a previous occupant of the slot) is masked out and overwritten later, so a rollback
is only a smaller length and a new sequence can take a finished one's slot without moving the others.

Memory: the capacity (positions per row) grows in chunks of at least GROW and by a quarter of itself,
so a long answer is copied a few times rather than every 256 tokens; it never grows past `limit`,
the longest prompt + budget among the rows (the batch sets it), and shrinks back when the row that
needed it leaves. Growth and shrinking go layer by layer, so the transient copy is one layer's.
"""

from __future__ import annotations

import torch

GROW = 256  # the smallest growth step, in positions


def round_up(n: int, step: int = GROW) -> int:
    return -(-n // step) * step


class SlotKVCache:
    def __init__(
        self, num_layers: int, rows: int, kv_heads: int, head_dim: int, *, dtype, device, capacity: int = GROW
    ):
        shape = (rows, kv_heads, capacity, head_dim)
        self.keys = [torch.zeros(shape, dtype=dtype, device=device) for _ in range(num_layers)]
        self.values = [torch.zeros(shape, dtype=dtype, device=device) for _ in range(num_layers)]
        self.lengths = torch.zeros(rows, dtype=torch.long, device=device)
        self._write: tuple[torch.Tensor, torch.Tensor] | None = None
        self._span = 0
        self.limit: int | None = None  # no row ever needs more positions than this (set by the batch)
        self.writes = 0  # update() calls since begin(): the decoder checks every layer wrote

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
        self.writes = 0
        self.reserve(self._span)
        offsets = torch.arange(new_tokens, device=self.lengths.device)
        columns = self.lengths[:, None] + offsets  # [rows, T]
        rows = torch.arange(self.rows, device=self.lengths.device)[:, None].expand_as(columns)
        self._write = (rows, columns)
        if (
            self.rows
            and (new_tokens == 1 or self._span == new_tokens)
            and bool((self.lengths == self.lengths[0]).all())
        ):
            # Every row sees every key (one new token, or a causal prefill from empty): no mask, which
            # lets SDPA take the same kernel as transformers' own decoding (bf16 results then agree).
            return None
        keys = torch.arange(self._span, device=self.lengths.device)
        return (keys[None, None, :] <= columns[:, :, None])[:, None]

    def update(self, key: torch.Tensor, value: torch.Tensor, layer_idx: int, **_):
        rows, columns = self._write
        self.writes += 1
        self.keys[layer_idx][rows, :, columns] = key.transpose(1, 2)
        self.values[layer_idx][rows, :, columns] = value.transpose(1, 2)
        return self.keys[layer_idx][:, :, : self._span], self.values[layer_idx][:, :, : self._span]

    # ---- bookkeeping between forwards ----------------------------------------------------------
    @property
    def nbytes(self) -> int:
        return sum(t.numel() * t.element_size() for store in (self.keys, self.values) for t in store)

    def reserve(self, positions: int) -> None:
        """Room for `positions` per row: grown by a chunk (GROW or a quarter of the capacity), not past
        the limit unless the positions themselves need it."""
        if positions <= self.capacity:
            return
        target = max(positions, round_up(self.capacity + max(GROW, self.capacity // 4)))
        if self.limit is not None:
            target = max(positions, min(target, self.limit))
        self._resize(target)

    def fit(self, limit: int) -> None:
        """Set the bound (the longest prompt + budget present) and give back capacity far above it."""
        self.limit = limit
        need = max(limit, int(self.lengths.max()) if self.rows else 0)
        if self.capacity > need + GROW:
            self._resize(need)

    def _resize(self, capacity: int) -> None:
        keep = min(capacity, self.capacity)
        for store in (self.keys, self.values):
            for i, t in enumerate(store):  # one layer at a time: the old one is freed before the next
                resized = t.new_empty(t.shape[0], t.shape[1], capacity, t.shape[3])
                resized[:, :, :keep] = t[:, :, :keep]
                resized[:, :, keep:] = 0  # never garbage (NaN) under the mask: 0 x NaN is NaN
                store[i] = resized
                del t

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
