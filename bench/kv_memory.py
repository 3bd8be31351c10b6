"""Peak memory of one long answer at real size: what the decoder's KV cache costs while it grows.

    .venv/bin/python bench/kv_memory.py [--tokens 2048] [--crop 1120x700] [--threads 2]

Loads the real-size random-weight GLM-OCR checkpoint (bench/real_size.py builds it once, 2.7 GB),
decodes one crop with a budget of --tokens and no EOS (random weights would stop anywhere), and
samples the process RSS every 5 ms. The same crop is first decoded with a budget of 4 tokens, so the
weights (memory-mapped safetensors, paged in on first use) are resident before anything is measured.
Prints the prompt and answer lengths, the KV capacity at the end and its bytes, how often the
capacity changed, the RSS after the warm-up, after the prefill and its peak during the decode steps.
To compare with another version of the package, run it with that version first on PYTHONPATH.

Bar (issue 10): from the warmed-up RSS, the peak during the decode steps grows by no more than 1.5x
the KV cache the sequence needs (prompt + answer positions, every layer, keys and values, in bf16).
The prefill's own peak (the vision encoder's activations, freed before decoding) is printed apart.
"""

from __future__ import annotations

import argparse
import threading
import time

import psutil
import torch

from real_size import build_requests, load, real_size_checkpoint, Crop
from glmocr_cli.recognize.glm.decoder import GlmDecoder

BAR = 1.5


class RssPeak:
    """The largest RSS seen by a sampling thread between start() and stop()."""

    def __init__(self, every: float = 0.005):
        self.process, self.every, self.peak, self.prefill_peak = psutil.Process(), every, 0, 0
        self._stop = threading.Event()

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(self.every)

    def __enter__(self):
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        return self

    def reset(self) -> int:
        """Forget the peak so far (the prefill's); returns the RSS now."""
        now = self.process.memory_info().rss
        self.prefill_peak, self.peak = self.peak, now
        return now

    def __exit__(self, *exc):
        self._stop.set()
        self.thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)


class Watched(GlmDecoder):
    """Our decoder, noting the batch cache's capacity at every step (what the bench reports)."""

    def step(self, batch, requests, results):
        if self.rss is not None and self.after_prefill is None:
            self.after_prefill = self.rss.reset()  # the first decode step: the prefill is done
        super().step(batch, requests, results)
        capacity = batch.cache.capacity
        if not self.capacities or self.capacities[-1] != capacity:
            self.capacities.append(capacity)
        self.kv_bytes = sum(t.numel() * t.element_size() for t in batch.cache.keys + batch.cache.values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=2048)
    parser.add_argument("--crop", default="1120x700", help="crop size in pixels, WxH")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    width, height = (int(v) for v in args.crop.lower().split("x"))

    model, processor = load(real_size_checkpoint())
    [request] = build_requests([Crop((width, height), args.tokens)], processor)
    decoder = Watched(model, repetition_penalty=1.1, batch_size=1, eos_token_ids=[])
    decoder.capacities, decoder.kv_bytes, decoder.rss, decoder.after_prefill = [], 0, None, None
    [warm] = build_requests([Crop((width, height), 4)], processor)
    decoder.generate([warm])  # weights paged in, the allocator warmed
    decoder.capacities = []
    cfg = model.config.text_config
    head_dim = getattr(cfg, "head_dim", None) or cfg.hidden_size // cfg.num_attention_heads
    per_position = 2 * cfg.num_hidden_layers * cfg.num_key_value_heads * head_dim * model.dtype.itemsize
    before = psutil.Process().memory_info().rss
    start = time.perf_counter()
    with RssPeak() as peak:
        decoder.rss = peak
        [result] = decoder.generate([request])
    seconds = time.perf_counter() - start
    needed = (request.prompt_length + len(result.token_ids)) * per_position
    growth = peak.peak - before
    print(
        f"prompt {request.prompt_length} tokens, answer {len(result.token_ids)} tokens in {seconds:.0f} s "
        f"({len(result.token_ids) / seconds:.1f} tokens/s)"
    )
    print(
        f"KV cache needed {needed / 2**20:.0f} MiB; allocated at the end {decoder.kv_bytes / 2**20:.0f} MiB "
        f"(capacity {decoder.capacities[-1]} positions, {len(decoder.capacities) - 1} resizes: "
        f"{' -> '.join(map(str, decoder.capacities))})"
    )
    print(
        f"RSS after the warm-up {before / 2**20:.0f} MiB; prefill peak {peak.prefill_peak / 2**20:.0f} MiB, "
        f"after the prefill {decoder.after_prefill / 2**20:.0f} MiB; peak during the decode steps "
        f"{peak.peak / 2**20:.0f} MiB"
    )
    print(
        f"decode growth {growth / 2**20:.0f} MiB = {growth / needed:.2f}x the KV needed "
        f"(bar <= {BAR}x: {'PASS' if growth <= BAR * needed else 'FAIL'})"
    )


if __name__ == "__main__":
    main()
