"""Builds a tiny random-weight PP-DocLayout-V3 checkpoint in the real on-disk format.

The converter loads it through `--layout-model DIR` exactly as it loads the downloaded
`PaddlePaddle/PP-DocLayoutV3_safetensors`: config.json + model.safetensors + preprocessor_config.json.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from transformers import PPDocLayoutV3Config, PPDocLayoutV3ForObjectDetection

from glmocr_cli.document import LABELS

PREPROCESSOR_CONFIG = {
    "image_processor_type": "PPDocLayoutV3ImageProcessor",
    "do_resize": True,
    "size": {"height": 800, "width": 800},
    "resample": 3,
    "do_rescale": True,
    "rescale_factor": 1 / 255,
    "do_normalize": True,
    "image_mean": [0.0, 0.0, 0.0],
    "image_std": [1.0, 1.0, 1.0],
}


def tiny_layout_config() -> PPDocLayoutV3Config:
    backbone = {
        "model_type": "hgnet_v2",
        "stem_channels": [3, 8, 8],
        "stage_in_channels": [8, 16, 32, 32],
        "stage_mid_channels": [8, 8, 16, 16],
        "stage_out_channels": [16, 32, 32, 64],
        "stage_num_blocks": [1, 1, 1, 1],
        "stage_numb_of_layers": [1, 1, 1, 1],
        "stage_downsample": [False, True, True, True],
        "stage_light_block": [False, False, True, True],
        "stage_kernel_size": [3, 3, 5, 5],
        "hidden_sizes": [16, 32, 32, 64],
        "return_idx": [0, 1, 2, 3],
        "out_features": ["stage1", "stage2", "stage3", "stage4"],
    }
    return PPDocLayoutV3Config(
        backbone_config=backbone,
        encoder_hidden_dim=32,
        encoder_in_channels=[32, 32, 64],
        encoder_ffn_dim=64,
        encoder_attention_heads=2,
        d_model=32,
        decoder_in_channels=[32, 32, 32],
        decoder_ffn_dim=64,
        decoder_layers=1,
        decoder_attention_heads=2,
        num_queries=30,
        num_denoising=0,
        mask_feature_channels=[16, 16],
        x4_feat_dim=16,
        num_prototypes=8,
        global_pointer_head_size=16,
        # Random mask heads give empty masks, and mask-derived reference boxes would all be points.
        mask_enhanced=False,
        id2label=dict(enumerate(LABELS)),
        label2id={n: i for i, n in enumerate(LABELS)},
    )


def build_tiny_pp_doclayout(path: Path, *, seed: int = 0, image_size: int = 800) -> Path:
    """Save a random-weight PP-DocLayout-V3 with the real labels; returns `path`."""
    torch.manual_seed(seed)
    model = PPDocLayoutV3ForObjectDetection(tiny_layout_config()).eval()
    # The reference init zeroes the box heads (every box collapses to a point) and gives all classes
    # one prior score: spread them so a random model proposes varied boxes and labels to test with.
    with torch.no_grad():
        # Random conv features vanish under the reference init; He init keeps them alive.
        for module in model.model.modules():
            if isinstance(module, torch.nn.Conv2d):
                torch.nn.init.kaiming_normal_(module.weight)
            elif isinstance(module, torch.nn.BatchNorm2d):
                module.weight.fill_(1.0)
        for param in model.model.enc_score_head.parameters():
            param.normal_(0.0, 0.3)
        # A zero last box layer keeps each query on its anchor: varied, well-formed boxes.
        model.model.enc_bbox_head.layers[-1].weight.zero_()
        model.model.enc_bbox_head.layers[-1].bias.zero_()
    path = Path(path)
    model.save_pretrained(path)
    pre = dict(PREPROCESSOR_CONFIG, size={"height": image_size, "width": image_size})
    (path / "preprocessor_config.json").write_text(json.dumps(pre, indent=2))
    return path
