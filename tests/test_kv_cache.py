"""The decoder's KV cache (issue 10, fault 7): grown in chunks, bounded by what the rows can need,
given back when the long row leaves, and the answers unchanged."""

from __future__ import annotations

import pytest
import torch

from glmocr_cli.engines.glm import load_glm_ocr
from glmocr_cli.recognize.glm.decoder import GlmDecoder
from glmocr_cli.recognize.glm.kv_cache import GROW, SlotKVCache
from glmocr_cli.recognize.glm.recognizer import GlmRecognizer
from helpers.decoding import crops, decode_requests, reference


def one_token_at_a_time(cache: SlotKVCache, positions: int) -> list[int]:
    """Write `positions` tokens one forward at a time; the capacities the cache went through."""
    seen = [cache.capacity]
    for _ in range(positions):
        cache.begin(1)
        for layer in range(len(cache.keys)):
            cache.update(torch.ones(cache.rows, 2, 1, 4), torch.ones(cache.rows, 2, 1, 4), layer)
        cache.lengths += 1
        if cache.capacity != seen[-1]:
            seen.append(cache.capacity)
    return seen


def test_capacity_grows_in_chunks_and_stops_at_the_limit():
    cache = SlotKVCache(2, 1, 2, 4, dtype=torch.float32, device="cpu", capacity=GROW)
    cache.limit = 3000
    seen = one_token_at_a_time(cache, 2990)
    assert len(seen) - 1 <= 9  # by a quarter of itself: not every 256 positions
    assert seen[-1] == 3000  # never past what the row can need
    assert all(b - a >= GROW for a, b in zip(seen[:-2], seen[1:-1]))
    assert torch.equal(cache.keys[0][0, :, :2990], torch.ones(2, 2990, 4))  # nothing lost in the copies
    assert not cache.keys[0][0, :, 2990:].any()  # the tail is zeros, never garbage


def test_fit_gives_back_the_room_of_a_long_row_that_left():
    cache = SlotKVCache(2, 2, 2, 4, dtype=torch.float32, device="cpu")
    cache.limit = 5000
    one_token_at_a_time(cache, 4000)
    assert cache.capacity >= 4000
    cache.keep_rows(torch.tensor([1]))
    cache.lengths[:] = 100  # the row left is short
    cache.fit(300)
    assert (
        cache.capacity == 300 and cache.nbytes == 2 * 2 * 1 * 2 * 300 * 4 * 4
    )  # layers, K+V, row, heads, positions, dim, fp32


@pytest.fixture(scope="module")
def tiny(tiny_glm_dir):
    path = tiny_glm_dir
    model, tokenizer, image_processor = load_glm_ocr(path, "cpu", torch.float32)
    return path, GlmRecognizer(model, tokenizer, image_processor)


class Watched(GlmDecoder):
    """Our decoder, noting (capacity, longest bound present) of the batch cache after every step."""

    def step(self, batch, requests, results):
        super().step(batch, requests, results)
        self.seen.append((batch.cache.capacity, max(batch.bounds)))


@pytest.mark.slow
def test_decoder_cache_is_bounded_and_shrinks_after_a_long_answer(tiny):
    path, recognizer = tiny
    requests = crops()[:4]
    built = decode_requests(recognizer, requests, [1] * 4)
    first = max(range(4), key=lambda i: built[i].prompt_length)  # the decoder takes it first
    budgets = [520 if i == first else 6 + 3 * i for i in range(4)]
    expected = reference(recognizer, requests, budgets, [], 1.0)
    decoder = Watched(recognizer.model, repetition_penalty=1.0, batch_size=1, eos_token_ids=[])
    decoder.seen = []
    results = decoder.generate(decode_requests(recognizer, requests, budgets))
    assert [r.token_ids for r in results] == expected
    assert all(capacity <= bound + GROW for capacity, bound in decoder.seen)  # never far past a need
    longest = max(capacity for capacity, _ in decoder.seen)
    assert longest > 520 and decoder.seen[-1][0] < 512  # grew, then gave it back
