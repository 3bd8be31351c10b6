"""The torch device a run asked for, checked before any model is loaded.

Loading a model onto a device torch cannot use fails deep inside from_pretrained with a message that
blames the checkpoint; this says what is wrong in one line instead.
"""

from __future__ import annotations


from ..errors import DeviceError  # re-exported: the public home of the error is glmocr_cli.errors


def pick_device(device: str = "auto") -> str:
    """`auto` -> cuda when available, else cpu; an explicit device is checked (DeviceError)."""
    import torch

    device = (device or "auto").strip()
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cpu":
        return device
    if device == "cuda" or device.startswith("cuda:"):
        if not torch.cuda.is_available():
            reason = (
                "this torch build has no CUDA support" if torch.version.cuda is None else "no CUDA device is visible"
            )
            raise DeviceError(
                f"--device {device}: {reason} (torch {torch.__version__}); use --device cpu or --device auto"
            )
        index = device.partition(":")[2]
        if index and (not index.isdigit() or int(index) >= torch.cuda.device_count()):
            raise DeviceError(f"--device {device}: this machine has {torch.cuda.device_count()} CUDA device(s)")
        return device
    raise DeviceError(f"--device {device}: expected auto, cpu, cuda or cuda:N")
