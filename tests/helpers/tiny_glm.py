"""A tiny GLM-OCR checkpoint in the real on-disk format (config, safetensors with the MTP layer,
tokenizer with GLM's special tokens and chat template, Pillow image processor), for tests and benches."""

from __future__ import annotations

from pathlib import Path

SPECIALS = [
    "<|endoftext|>",
    "[MASK]",
    "[gMASK]",
    "<sop>",
    "<eop>",
    "<|system|>",
    "<|user|>",
    "<|assistant|>",
    "<|observation|>",
    "<|begin_of_image|>",
    "<|end_of_image|>",
    "<|image|>",
    "<|begin_of_video|>",
    "<|end_of_video|>",
    "<|video|>",
]
CHAT_TEMPLATE = (
    "[gMASK]<sop>{% for m in messages %}<|{{ m['role'] }}|>\n{% if m['content'] is string %}{{ m['content'] }}"
    "{% else %}{% for c in m['content'] %}{% if c['type'] == 'image' %}<|begin_of_image|><|image|><|end_of_image|>"
    "{% elif c['type'] == 'text' %}{{ c['text'] }}{% endif %}{% endfor %}{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)


def build_tiny_glm_ocr(path: Path, *, seed: int = 0, mtp: bool = True) -> Path:
    """Tiny GLM-OCR: byte-level tokenizer with GLM's special tokens at the config's ids, Pillow processor."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import GlmOcrConfig, GlmOcrForConditionalGeneration, PreTrainedTokenizerFast
    from transformers.models.glm46v.image_processing_pil_glm46v import Glm46VImageProcessorPil

    from glmocr_cli.recognize.glm.crops import CHECKPOINT_PROCESSOR_SIZE

    path = Path(path)
    vocab = {tok: i for i, tok in enumerate(sorted(pre_tokenizers.ByteLevel.alphabet()))}
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens(SPECIALS)
    ids = {s: tok.token_to_id(s) for s in SPECIALS}
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|endoftext|>", pad_token="<|endoftext|>")
    fast.chat_template = CHAT_TEMPLATE
    fast.save_pretrained(path)
    torch.manual_seed(seed)
    eos = [ids["<|endoftext|>"], ids["<|user|>"]]
    # 16 decoder layers as the real checkpoint, so that its MTP layer sits at index 16 too.
    text = dict(
        vocab_size=len(vocab) + 32,
        hidden_size=128,
        intermediate_size=256,
        num_hidden_layers=16,
        num_attention_heads=2,
        num_key_value_heads=1,
        head_dim=64,
        pad_token_id=eos[0],
        eos_token_id=eos,
        rope_parameters={
            "rope_type": "default",
            "rope_theta": 10000.0,
            "mrope_section": [8, 12, 12],
            "partial_rotary_factor": 1.0,
        },
    )
    vision = dict(
        depth=1,
        hidden_size=64,
        num_heads=2,
        intermediate_size=128,
        out_hidden_size=128,
        patch_size=14,
        spatial_merge_size=2,
        temporal_patch_size=2,
    )
    config = GlmOcrConfig(
        text_config=text,
        vision_config=vision,
        image_token_id=ids["<|image|>"],
        image_start_token_id=ids["<|begin_of_image|>"],
        image_end_token_id=ids["<|end_of_image|>"],
        video_token_id=ids["<|video|>"],
        video_start_token_id=ids["<|begin_of_video|>"],
        video_end_token_id=ids["<|end_of_video|>"],
    )
    model = GlmOcrForConditionalGeneration(config).eval()
    model.generation_config.eos_token_id, model.generation_config.pad_token_id = eos, eos[0]
    model.save_pretrained(path)
    if mtp:
        add_mtp_layer(path, model)
    Glm46VImageProcessorPil(size=CHECKPOINT_PROCESSOR_SIZE).save_pretrained(path)
    return path


def add_mtp_layer(path: Path, model) -> None:
    """Append the MTP layer to model.safetensors under model.language_model.layers.{N}. as the real
    checkpoint lays it out (vLLM glm_ocr_mtp): enorm, hnorm, eh_proj, shared_head.{norm,head},
    embed_tokens, and an ordinary decoder block; transformers ignores these keys on load."""
    import torch
    from safetensors.torch import load_file, save_file

    file = path / "model.safetensors"
    tensors = load_file(file)
    n = model.config.text_config.num_hidden_layers
    hidden = model.config.text_config.hidden_size
    prefix = f"model.language_model.layers.{n}."
    generator = torch.Generator().manual_seed(n)
    for name, tensor in list(tensors.items()):
        if name.startswith("model.language_model.layers.0."):
            noise = torch.randn(tensor.shape, generator=generator, dtype=torch.float32) * 0.02
            tensors[prefix + name.removeprefix("model.language_model.layers.0.")] = (tensor.float() + noise).to(
                tensor.dtype
            )
    tensors[prefix + "enorm.weight"] = torch.ones(hidden)
    tensors[prefix + "hnorm.weight"] = torch.ones(hidden)
    tensors[prefix + "eh_proj.weight"] = torch.randn(hidden, 2 * hidden, generator=generator) * 0.02
    tensors[prefix + "shared_head.norm.weight"] = torch.ones(hidden)
    tensors[prefix + "shared_head.head.weight"] = model.lm_head.weight.detach().clone()
    tensors[prefix + "embed_tokens.weight"] = model.model.language_model.embed_tokens.weight.detach().clone()
    save_file({k: v.contiguous() for k, v in tensors.items()}, file, metadata={"format": "pt"})
