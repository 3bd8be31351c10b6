"""What `glmocr serve` checks before it loads a model or opens a socket."""

from __future__ import annotations

import ipaddress
import re


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (no name lookup: a name other than
    localhost counts as reachable from outside)."""
    if host.strip().lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bind_refusal(host: str, api_key: str | None, allow_no_key: bool, api_key_env: str) -> str | None:
    """Why binding `host` is refused, or None. An open port without a key lets anyone on the
    network run the model."""
    if api_key or allow_no_key or is_loopback(host):
        return None
    return (
        f"--host {host} is reachable from other machines and {api_key_env} is not set: set {api_key_env} "
        f"to require a key, bind 127.0.0.1, or pass --allow-no-key"
    )


def serve_advice(message: str) -> str:
    """A model-loading error reworded with the options `serve` has (it has --model, not --layout-model:
    it serves the recogniser alone)."""
    return re.sub(r",? or pass --model DIR --layout-model DIR", ", or pass --model DIR", message)
