"""Low-rank adapters (LoRA) for the reader's upper encoder layers: what training changes, and
all that is committed (a few MB), merged into the rebuilt e5 weights at load time."""

from __future__ import annotations

import math

import torch
from torch import nn

TARGETS = ("attention.self.query", "attention.self.key", "attention.self.value",
           "attention.output.dense", "intermediate.dense", "output.dense")
"""Every linear layer of an XLM-R encoder layer."""


class LoraLinear(nn.Module):
    """``base(x) + scale · B(A(x))``; only A and B train. B starts at zero, so an untrained
    adapter leaves the model unchanged."""

    def __init__(self, base: nn.Linear, rank: int, alpha: float, dropout: float = 0.0):
        super().__init__()
        self.base = base
        self.scale = alpha / rank
        self.lora_A = nn.Parameter(torch.empty(rank, base.in_features))
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, rank))
        nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + (self.dropout(x) @ self.lora_A.T @ self.lora_B.T) * self.scale


def add_adapters(model: nn.Module, layers: list[int], rank: int, alpha: float, dropout: float) -> None:
    """Wrap every target linear of the given encoder layers in a ``LoraLinear``."""
    encoder = model.roberta.encoder.layer
    for index in layers:
        for target in TARGETS:
            parent_name, _, child = target.rpartition(".")
            parent = encoder[index].get_submodule(parent_name)
            setattr(parent, child, LoraLinear(getattr(parent, child), rank, alpha, dropout))


def trainable_names(layers: list[int]) -> tuple[str, ...]:
    """Name prefixes of the full (non-LoRA) parameters that train: the QA head and the layer
    norms of the adapted layers (cheap, and they let each layer rescale what the adapter adds)."""
    norms = [f"roberta.encoder.layer.{i}.{part}.LayerNorm." for i in layers for part in ("attention.output", "output")]
    return ("qa_outputs.", *norms)


def adapter_state(model: nn.Module, layers: list[int]) -> dict[str, torch.Tensor]:
    """What is saved: LoRA factors plus the trainable full parameters, by parameter name."""
    prefixes = trainable_names(layers)
    return {name: p.detach().cpu().contiguous() for name, p in model.named_parameters()
            if "lora_" in name or name.startswith(prefixes)}


def merge_adapter(model: nn.Module, state: dict[str, torch.Tensor], scale: float) -> None:
    """Load a saved adapter into a plain QA model: ``W += scale · B·A``; full parameters copied.
    Raises KeyError naming a tensor the model lacks (a wrong or corrupt adapter file)."""
    params = dict(model.named_parameters())
    with torch.no_grad():
        for name, tensor in state.items():
            if name.endswith(".lora_A"):
                base = name[: -len(".lora_A")]
                delta = state[base + ".lora_B"].float() @ tensor.float()
                weight = params[base + ".weight"] if base + ".weight" in params else params[base + ".base.weight"]
                if weight.shape != delta.shape:
                    raise KeyError(f"{base}: adapter shape {tuple(delta.shape)} does not fit {tuple(weight.shape)}")
                weight += scale * delta
            elif not name.endswith(".lora_B"):
                target = params[name]
                if target.shape != tensor.shape:
                    raise KeyError(f"{name}: adapter shape {tuple(tensor.shape)} does not fit {tuple(target.shape)}")
                target.copy_(tensor)
