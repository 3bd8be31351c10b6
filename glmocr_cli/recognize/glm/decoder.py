"""Our GLM-OCR decoder: batched greedy decoding with Multi-Token Prediction, identical to `generate`.

The shape is gpt-fast's (`generate.py`): `prefill` one prompt, `verify` = one main-model forward over
the last token plus its drafts (plain decoding is verify with no drafts), `draft` = the MTP layer
proposing the next k tokens. It runs over the transformers model's own modules (embedding, decoder
layers, rotary embedding, final norm, lm_head): nothing is copied.

Batching is continuous: a sequence that stops (EOS or its token budget) leaves the batch at once and
the next prompt takes its slot, so one long table never holds up a batch of short text lines, and
finished rows cost no compute. Greedy choices apply the repetition penalty exactly as transformers'
RepetitionPenaltyLogitsProcessor does, over the prompt and every token before each verified position.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass

import torch

from ...config import Settings
from .compat import cache_argument
from .kv_cache import SlotKVCache
from .requests import DecodeRequest, DecodeResult


@dataclass
class Prefilled:
    """One prompt after prefill: its caches (one row each) and what the next step starts from."""

    cache: SlotKVCache
    mtp_cache: SlotKVCache | None
    cur: torch.Tensor  # [1] the last chosen token, not yet in the cache
    seen: torch.Tensor  # [1, V] tokens of prompt + output (for the repetition penalty)
    delta: torch.Tensor  # [1] M-RoPE offset: rope position = cache index + delta
    drafts: torch.Tensor  # [1, k]
    bound: int = 0  # positions this sequence can ever need: prompt + budget + k + 1


class Batch:
    """The rows being decoded: request index per slot, and the per-row tensors of the next step."""

    def __init__(self, decoder: "GlmDecoder"):
        self.slots: list[int | None] = []
        self.bounds: list[int] = []  # per slot: the positions its sequence can ever need
        # Per slot: (token, main hidden state) of positions decoded without drafting, not yet fed to
        # the MTP layer; fed in one forward when drafting resumes.
        self.pending: list[list[tuple[int, torch.Tensor]]] = []
        self.cache = decoder.new_cache(0, main=True)
        self.mtp_cache = decoder.new_cache(0, main=False) if decoder.k else None
        device = decoder.device
        self.cur = torch.zeros(0, dtype=torch.long, device=device)
        self.seen = torch.zeros(0, decoder.vocab, dtype=torch.bool, device=device)
        self.delta = torch.zeros(0, dtype=torch.long, device=device)
        self.drafts = torch.zeros(0, decoder.k, dtype=torch.long, device=device)

    def active(self) -> int:
        return sum(s is not None for s in self.slots)

    def put(self, index: int, row: Prefilled) -> None:
        """Fill a free slot with a new sequence, or add a row when none is free."""
        free = next((s for s, occupant in enumerate(self.slots) if occupant is None), None)
        if free is None:
            self.slots.append(index)
            self.bounds.append(row.bound)
            self.pending.append([])
            self.cache.add_row(row.cache)
            if self.mtp_cache is not None:
                self.mtp_cache.add_row(row.mtp_cache)
            self.cur = torch.cat([self.cur, row.cur])
            self.seen = torch.cat([self.seen, row.seen])
            self.delta = torch.cat([self.delta, row.delta])
            self.drafts = torch.cat([self.drafts, row.drafts])
            return
        self.slots[free], self.pending[free], self.bounds[free] = index, [], row.bound
        self.cache.place(free, row.cache)
        if self.mtp_cache is not None:
            self.mtp_cache.place(free, row.mtp_cache)
        self.cur[free], self.seen[free], self.delta[free] = row.cur[0], row.seen[0], row.delta[0]
        self.drafts[free] = row.drafts[0]

    def compact(self) -> None:
        """Drop the slots nobody took (the end of the queue): they would cost compute for nothing."""
        keep = [s for s, occupant in enumerate(self.slots) if occupant is not None]
        if len(keep) == len(self.slots):
            return
        rows = torch.tensor(keep, dtype=torch.long, device=self.cur.device)
        self.slots = [self.slots[s] for s in keep]
        self.bounds = [self.bounds[s] for s in keep]
        self.pending = [self.pending[s] for s in keep]
        self.cache.keep_rows(rows)
        if self.mtp_cache is not None:
            self.mtp_cache.keep_rows(rows)
        self.cur, self.seen, self.delta, self.drafts = (
            t.index_select(0, rows) for t in (self.cur, self.seen, self.delta, self.drafts)
        )

    def fit_caches(self) -> None:
        """Bound the caches by the longest sequence present, so a finished long answer frees its room."""
        limit = max((b for b, s in zip(self.bounds, self.slots) if s is not None), default=0)
        self.cache.fit(limit)
        if self.mtp_cache is not None:
            self.mtp_cache.fit(limit)


class GlmDecoder:
    """`generate(requests)` -> one DecodeResult per request, in order. `mtp=None` decodes plainly."""

    def __init__(
        self,
        model,
        *,
        mtp=None,
        draft_tokens: int = Settings.draft_tokens,
        repetition_penalty: float = Settings.repetition_penalty,
        batch_size: int = Settings.batch_size,
        eos_token_ids=(),
        draft_hook=None,
        draft_batch_limit: int | None = None,
    ):
        self.model = model
        self.lm = model.model.language_model
        self.head = model.lm_head
        self.mtp = mtp
        self.k = max(1, int(draft_tokens)) if mtp is not None else 0
        self.penalty = float(repetition_penalty)
        self.batch_size = max(1, int(batch_size))
        self.eos = set(int(t) for t in eos_token_ids)
        self.image_token_id = model.config.image_token_id
        self.vocab = self.head.out_features
        self.device, self.dtype = model.device, model.dtype
        # Bench and test only: hook(request indexes, results so far, drafts [B, k]) -> drafts to verify.
        # The MTP drafts are still computed; the hook may replace them (a known continuation).
        self.draft_hook = draft_hook
        # Bench only: hook(drafts, targets, accepted) -> accepted counts to use instead (the output is
        # then not the greedy one; the cost of every step is).
        self.accept_hook = None
        # Drafting pays while a verify forward (rows x (k+1) tokens) costs about what a plain step does:
        # on a CPU that holds up to about 8 tokens a matmul (bf16 is compute-bound beyond), on a GPU far
        # more. Larger batches decode plainly, as vLLM's speculative_disable_by_batch_size does; the
        # MTP layer catches up on the positions it missed when the batch shrinks again.
        if draft_batch_limit is None:
            draft_batch_limit = 64 if str(self.device).startswith("cuda") else max(1, 8 // (self.k + 1))
        self.draft_batch_limit = draft_batch_limit

    # ---- the model pieces ----------------------------------------------------------------------
    def new_cache(self, rows: int, *, main: bool, capacity: int = 256) -> SlotKVCache:
        cfg = self.model.config.text_config
        head_dim = getattr(cfg, "head_dim", None) or cfg.hidden_size // cfg.num_attention_heads
        layers = cfg.num_hidden_layers if main else 1
        return SlotKVCache(
            layers, rows, cfg.num_key_value_heads, head_dim, dtype=self.dtype, device=self.device, capacity=capacity
        )

    def run_layers(self, layers, x: torch.Tensor, positions: torch.Tensor, cache: SlotKVCache) -> torch.Tensor:
        mask = cache.begin(x.shape[1])
        rotary = self.lm.rotary_emb(x, positions)
        for layer in layers:  # transformers 5.24 calls the argument `cache`, earlier 5.x `past_key_values`
            x = layer(x, position_embeddings=rotary, attention_mask=mask, **{cache_argument(type(layer)): cache})
        if cache.writes != len(layers):  # a layer that ignored the cache attended to nothing: garbage
            raise RuntimeError(
                f"{len(layers) - cache.writes} of {len(layers)} decoder layers did not write "
                "the KV cache they were given"
            )
        return x

    def main_hidden(self, embeds, positions, cache) -> torch.Tensor:
        """The main model's hidden states after its final norm (what lm_head and the MTP layer read)."""
        return self.lm.norm(self.run_layers(self.lm.layers, embeds, positions, cache))

    def mtp_block(self, tokens, hidden, positions, cache, zero_first: bool = False) -> torch.Tensor:
        x = self.mtp.inputs(tokens, hidden, zero_first=zero_first)
        return self.run_layers([self.mtp.block], x, positions, cache)

    def choose(self, logits: torch.Tensor, seen: torch.Tensor) -> torch.Tensor:
        """Greedy choice after the repetition penalty (transformers' formula, float32 logits)."""
        if self.penalty != 1.0:
            penalised = torch.where(logits < 0, logits * self.penalty, logits / self.penalty)
            logits = torch.where(seen, penalised, logits)
        return logits.argmax(-1)

    @staticmethod
    def text_positions(start: torch.Tensor, count: int) -> torch.Tensor:
        """M-RoPE positions [3, B, count] of text tokens from rope position `start` [B] on."""
        steps = torch.arange(count, device=start.device)
        return (start[:, None] + steps).unsqueeze(0).expand(3, -1, -1)

    def rope_positions(self, ids: torch.Tensor, grid: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """M-RoPE positions [3, 1, P] of one prompt [1, P] and the offset of the text after it."""
        image_mask = ids == self.image_token_id
        positions, delta = self.model.model.get_rope_index(ids, mm_token_type_ids=image_mask.int(), image_grid_thw=grid)
        return positions.to(self.device), delta.view(1).to(self.device)

    # ---- prefill, draft, verify ----------------------------------------------------------------
    def prefill(self, request: DecodeRequest) -> Prefilled:
        ids = request.input_ids.to(self.device).view(1, -1)
        length = ids.shape[1]
        embeds = self.lm.embed_tokens(ids)
        if request.pixel_values is not None:
            grid = request.image_grid_thw.to(self.device)
            features = self.model.model.get_image_features(
                request.pixel_values.to(self.device, self.dtype), grid, return_dict=True
            ).pooler_output
            image_mask = ids == self.image_token_id
            embeds = embeds.masked_scatter(
                image_mask[..., None].expand_as(embeds), torch.cat(features).to(embeds.dtype)
            )
            positions, delta = self.rope_positions(ids, grid)
        else:
            positions = torch.arange(length, device=self.device).view(1, 1, -1).expand(3, 1, -1)
            delta = torch.zeros(1, dtype=torch.long, device=self.device)
        cache = self.new_cache(1, main=True, capacity=length + 64)
        hidden = self.main_hidden(embeds, positions, cache)
        cache.lengths += length
        seen = torch.zeros(1, self.vocab, dtype=torch.bool, device=self.device)
        seen[0, ids[0]] = True
        cur = self.choose(self.head(hidden[:, -1]).float(), seen)  # [1]
        seen[0, cur] = True
        mtp_cache, drafts = None, torch.zeros(1, self.k, dtype=torch.long, device=self.device)
        if self.k:
            mtp_cache = self.new_cache(1, main=False, capacity=length + 64)
            shifted = torch.cat([ids[:, 1:], cur.view(1, 1)], dim=1)  # token i+1 beside state i
            out = self.mtp_block(shifted, hidden, positions, mtp_cache, zero_first=True)
            mtp_cache.lengths += length
            drafts = self.draft(out[:, -1:], seen, mtp_cache, delta)
        return Prefilled(cache, mtp_cache, cur, seen, delta, drafts, length + request.max_new_tokens + self.k + 1)

    def draft(self, last: torch.Tensor, seen: torch.Tensor, mtp_cache: SlotKVCache, delta) -> torch.Tensor:
        """k draft tokens [B, k] from the MTP block's output at the last committed position [B, 1, H]."""
        token = self.choose(self.mtp.logits(last[:, 0]), seen)
        drafts = [token]
        committed = mtp_cache.lengths.clone()
        for _ in range(1, self.k):  # chained drafts: the block's output stands in for the hidden state
            positions = self.text_positions(mtp_cache.lengths + delta, 1)
            last = self.mtp_block(token[:, None], last, positions, mtp_cache)
            mtp_cache.lengths += 1
            token = self.choose(self.mtp.logits(last[:, 0]), seen)
            drafts.append(token)
        mtp_cache.lengths = committed  # chain positions are rewritten by the next refresh
        return torch.stack(drafts, dim=1)

    def verify(self, batch: Batch, drafting: bool = True) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """One main forward over [cur, drafts]: (targets [B, T], accepted drafts [B], hidden [B, T, H])."""
        drafts = batch.drafts if drafting else batch.drafts[:, :0]
        tokens = torch.cat([batch.cur[:, None], drafts], dim=1)
        steps = tokens.shape[1]
        positions = self.text_positions(batch.cache.lengths + batch.delta, steps)
        hidden = self.main_hidden(self.lm.embed_tokens(tokens), positions, batch.cache)
        logits = self.head(hidden).float()
        seen = batch.seen[:, None, :].repeat(1, steps, 1)
        rows = torch.arange(tokens.shape[0], device=self.device)
        for j in range(1, steps):  # position j is penalised for the drafts before it too
            seen[:, j:][rows, :, tokens[:, j]] = True
        targets = self.choose(logits, seen)
        accepted = torch.cumprod((drafts == targets[:, :-1]).long(), dim=1).sum(dim=1)
        if self.accept_hook is not None and drafting:  # bench only: a chosen acceptance, same work
            accepted = self.accept_hook(drafts, targets, accepted)
            taken = torch.arange(drafts.shape[1], device=self.device)[None, :] < accepted[:, None]
            targets[:, :-1] = torch.where(taken, drafts, targets[:, :-1])
        return targets, accepted, hidden

    def refresh_and_draft(self, batch: Batch, targets, accepted, hidden) -> torch.Tensor:
        """Feed the verified positions to the MTP layer (its cache is rolled back to them) and draft."""
        steps = targets.shape[1]
        positions = self.text_positions(batch.mtp_cache.lengths + batch.delta, steps)
        out = self.mtp_block(targets, hidden, positions, batch.mtp_cache)
        batch.mtp_cache.lengths += accepted + 1
        rows = torch.arange(targets.shape[0], device=self.device)
        return self.draft(out[rows, accepted][:, None], batch.seen, batch.mtp_cache, batch.delta)

    def catch_up(self, batch: Batch) -> None:
        """Feed the MTP layer the positions decoded without drafts, then draft for those rows."""
        counts = torch.tensor([len(p) for p in batch.pending], device=self.device)
        steps = int(counts.max())
        tokens = torch.zeros(len(batch.slots), steps, dtype=torch.long, device=self.device)
        hidden = torch.zeros(
            len(batch.slots), steps, self.lm.norm.weight.shape[0], dtype=self.dtype, device=self.device
        )
        for row, entries in enumerate(batch.pending):
            for j, (token, state) in enumerate(entries):
                tokens[row, j], hidden[row, j] = token, state
        positions = self.text_positions(batch.mtp_cache.lengths + batch.delta, steps)
        out = self.mtp_block(tokens, hidden, positions, batch.mtp_cache)  # padding lies past each length
        batch.mtp_cache.lengths += counts
        rows = torch.arange(len(batch.slots), device=self.device)
        drafts = self.draft(out[rows, (counts - 1).clamp(min=0)][:, None], batch.seen, batch.mtp_cache, batch.delta)
        caught = counts > 0
        batch.drafts[caught] = drafts[caught]
        batch.pending = [[] for _ in batch.slots]

    # ---- the scheduler -------------------------------------------------------------------------
    @torch.inference_mode()
    def generate(self, requests: list[DecodeRequest]) -> list[DecodeResult]:
        results = [DecodeResult() for _ in requests]
        # Longest prompts (largest crops, usually the longest answers) first: the tail is short ones.
        queue = deque(sorted(range(len(requests)), key=lambda i: -requests[i].prompt_length))
        batch = Batch(self)
        while queue or batch.active():
            while queue and batch.active() < self.batch_size:
                index = queue.popleft()
                start = time.perf_counter()
                row = self.prefill(requests[index])
                results[index].prefill_seconds = time.perf_counter() - start
                if not self.emit(requests[index], results[index], [int(row.cur)])[0]:
                    batch.put(index, row)
            batch.compact()
            if batch.active():
                batch.fit_caches()
                self.step(batch, requests, results)
        return results

    def step(self, batch: Batch, requests, results) -> None:
        start = time.perf_counter()
        slots = list(batch.slots)
        drafting = bool(self.k) and len(slots) <= self.draft_batch_limit
        if drafting:
            if any(batch.pending):
                self.catch_up(batch)
            if self.draft_hook is not None:
                batch.drafts = self.draft_hook(slots, [results[i] for i in slots], batch.drafts)
        targets, accepted, hidden = self.verify(batch, drafting)
        batch.cache.lengths += accepted + 1
        rows = torch.arange(targets.shape[0], device=self.device)
        batch.cur = targets[rows, accepted]
        chosen, counts = targets.tolist(), accepted.tolist()
        for slot, index in enumerate(slots):
            batch.seen[slot, targets[slot, : counts[slot] + 1]] = True
            result = results[index]
            result.steps += 1
            result.draft_proposed += self.k if drafting else 0
            finished, taken = self.emit(requests[index], result, chosen[slot][: counts[slot] + 1])
            # draft j stands at output position j-1 of this step: ones past an EOS or the budget don't count
            result.draft_accepted += min(counts[slot], taken)
            if finished:
                batch.slots[slot] = None
        if drafting:
            batch.drafts = self.refresh_and_draft(batch, targets, accepted, hidden)
        elif self.k:
            for slot in range(len(slots)):
                batch.pending[slot].append((chosen[slot][0], hidden[slot, 0]))
        share = (time.perf_counter() - start) / len(slots)
        for index in slots:
            results[index].decode_seconds += share

    def emit(self, request: DecodeRequest, result: DecodeResult, tokens: list[int]) -> tuple[bool, int]:
        """Append chosen tokens up to an EOS or the budget: (finished, how many tokens were kept)."""
        for taken, token in enumerate(tokens, start=1):
            result.token_ids.append(token)
            if token in self.eos:
                result.finish_reason = "stop"
                return True, taken
            if len(result.token_ids) >= request.max_new_tokens:
                result.finish_reason = "length"
                return True, taken
        if request.should_stop is not None and request.should_stop():
            result.finish_reason = "stopped"
            return True, len(tokens)
        return False, len(tokens)
