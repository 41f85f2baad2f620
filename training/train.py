"""PEFT LoRA supervised fine-tuning of the base model on prepared examples.

Float32 on CPU (bf16 autocast on CUDA), loss on answer tokens only (the LM head runs on those
positions alone, which also saves time), seeded, length-bucketed batches, checkpoint every N
steps and `resume`, a tqdm bar, and the loss curve as a PNG.
"""

from __future__ import annotations

import json
import logging
import math
import random
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from training.dataset import IGNORE, Example

logger = logging.getLogger(__name__)
TARGET_MODULES = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


@dataclass
class TrainConfig:
    base_model: str
    out_dir: str
    run_dir: str
    rank: int = 8
    alpha: int = 16
    dropout: float = 0.05
    lr: float = 1e-3
    warmup_steps: int = 6
    batch_size: int = 8
    epochs: float = 1.0
    max_steps: int | None = None
    seed: int = 1234
    threads: int = 2
    device: str = "cpu"
    checkpoint_every: int = 20
    eval_every: int = 0
    weight_decay: float = 0.0
    save_dtype: str = "float16"


@dataclass
class TrainState:
    step: int = 0
    losses: list[float] = field(default_factory=list)
    dev_losses: list[tuple[int, float]] = field(default_factory=list)
    tokens: int = 0
    wall_s: float = 0.0


def length_bucketed_batches(
    examples: Sequence[Example], batch_size: int, seed: int, epoch: int
) -> list[list[int]]:
    """Shuffle, sort by length inside windows of 16 batches, cut into batches, shuffle batches."""
    rng = random.Random(f"{seed}:{epoch}")
    order = list(range(len(examples)))
    rng.shuffle(order)
    window = batch_size * 16
    batches: list[list[int]] = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start : start + window], key=lambda i: len(examples[i].input_ids))
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def schedule(cfg: TrainConfig, examples: Sequence[Example]) -> list[list[int]]:
    """The whole run's batch order (deterministic, so `resume` continues exactly)."""
    per_epoch = math.ceil(len(examples) / cfg.batch_size)
    total = cfg.max_steps or max(1, round(per_epoch * cfg.epochs))
    batches: list[list[int]] = []
    epoch = 0
    while len(batches) < total:
        batches += length_bucketed_batches(examples, cfg.batch_size, cfg.seed, epoch)
        epoch += 1
    return batches[:total]


def collate(examples: Sequence[Example], pad_id: int) -> dict[str, Any]:
    import torch

    width = max(len(e.input_ids) for e in examples)
    ids = torch.full((len(examples), width), pad_id, dtype=torch.long)
    labels = torch.full((len(examples), width), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(examples), width), dtype=torch.long)
    for row, e in enumerate(examples):
        n = len(e.input_ids)
        ids[row, :n] = torch.tensor(e.input_ids)
        labels[row, :n] = torch.tensor(e.labels)
        mask[row, :n] = 1
    return {"input_ids": ids, "labels": labels, "attention_mask": mask}


def answer_loss(model: Any, batch: dict[str, Any]) -> Any:
    """Mean cross-entropy over answer tokens; the LM head only sees the positions that predict them."""
    import torch.nn.functional as F

    causal_lm = model.base_model.model  # PeftModel -> LoraModel -> *ForCausalLM
    hidden = causal_lm.model(
        input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]
    ).last_hidden_state
    targets = batch["labels"][:, 1:]
    keep = targets != IGNORE
    logits = causal_lm.lm_head(hidden[:, :-1][keep])
    return F.cross_entropy(logits.float(), targets[keep])


def build_model(cfg: TrainConfig) -> tuple[Any, Any]:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.manual_seed(cfg.seed)
    tokenizer = AutoTokenizer.from_pretrained(cfg.base_model)
    base = AutoModelForCausalLM.from_pretrained(cfg.base_model, dtype=torch.float32)
    lora = LoraConfig(
        r=cfg.rank,
        lora_alpha=cfg.alpha,
        lora_dropout=cfg.dropout,
        target_modules=TARGET_MODULES,
        task_type="CAUSAL_LM",
    )
    model = get_peft_model(base, lora).to(cfg.device)
    return model, tokenizer


def _checkpoint_path(cfg: TrainConfig) -> Path:
    return Path(cfg.run_dir) / "checkpoint.pt"


def save_checkpoint(cfg: TrainConfig, model: Any, optimizer: Any, scheduler: Any, state: TrainState) -> None:
    import torch
    from peft import get_peft_model_state_dict

    path = _checkpoint_path(cfg)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save(
        {
            "adapter": get_peft_model_state_dict(model),
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(),
            "state": asdict(state),
            "config": asdict(cfg),
            "torch_rng": torch.get_rng_state(),
        },
        tmp,
    )
    tmp.replace(path)


def load_checkpoint(cfg: TrainConfig, model: Any, optimizer: Any, scheduler: Any) -> TrainState:
    import torch
    from peft import set_peft_model_state_dict

    blob = torch.load(_checkpoint_path(cfg), weights_only=False)
    set_peft_model_state_dict(model, blob["adapter"])
    optimizer.load_state_dict(blob["optimizer"])
    scheduler.load_state_dict(blob["scheduler"])
    torch.set_rng_state(blob["torch_rng"])
    return _state_from(blob["state"])


def dev_loss(model: Any, examples: Sequence[Example], pad_id: int, cfg: TrainConfig) -> float:
    import torch

    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(examples), cfg.batch_size):
            chunk = examples[start : start + cfg.batch_size]
            batch = {k: v.to(cfg.device) for k, v in collate(chunk, pad_id).items()}
            n = int((batch["labels"][:, 1:] != IGNORE).sum())
            total += float(answer_loss(model, batch)) * n
            count += n
    model.train()
    return total / max(1, count)


def plot_losses(state: TrainState, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    steps = list(range(1, len(state.losses) + 1))
    ax.plot(steps, state.losses, lw=0.8, alpha=0.5, label="train loss (batch)")
    if len(state.losses) >= 5:
        k = 5
        smooth = [
            sum(state.losses[max(0, i - k + 1) : i + 1]) / len(state.losses[max(0, i - k + 1) : i + 1])
            for i in range(len(state.losses))
        ]
        ax.plot(steps, smooth, lw=1.6, label="train loss (5-step mean)")
    if state.dev_losses:
        ax.plot([s for s, _ in state.dev_losses], [v for _, v in state.dev_losses], "o-", label="dev loss")
    ax.set_xlabel("step")
    ax.set_ylabel("cross-entropy per answer token")
    ax.set_yscale("log")
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title("medical-ie LoRA on SmolLM2-135M-Instruct")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def train(
    cfg: TrainConfig, examples: Sequence[Example], dev: Sequence[Example] = (), resume: bool = False
) -> TrainState:
    """Run (or continue) training; returns the final state. The adapter is saved by `save_adapter`."""
    import torch
    from tqdm import tqdm

    torch.set_num_threads(cfg.threads)
    model, tokenizer = build_model(cfg)
    model.train()
    plan = schedule(cfg, examples)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)

    def lr_lambda(step: int) -> float:
        if step < cfg.warmup_steps:
            return (step + 1) / cfg.warmup_steps
        progress = (step - cfg.warmup_steps) / max(1, len(plan) - cfg.warmup_steps)
        return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)
    state = TrainState()
    if resume and _checkpoint_path(cfg).exists():
        state = load_checkpoint(cfg, model, optimizer, scheduler)
        logger.info("resumed at step %d", state.step)
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    autocast = (
        torch.autocast("cuda", dtype=torch.bfloat16)
        if cfg.device.startswith("cuda")
        else torch.autocast("cpu", enabled=False)
    )
    bar = tqdm(total=len(plan), initial=state.step, desc="train", unit="step", dynamic_ncols=True)
    started = time.monotonic() - state.wall_s
    for step in range(state.step, len(plan)):
        chunk = [examples[i] for i in plan[step]]
        batch = {k: v.to(cfg.device) for k, v in collate(chunk, pad_id).items()}
        with autocast:
            loss = answer_loss(model, batch)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        state.step = step + 1
        state.losses.append(float(loss))
        state.tokens += int(batch["attention_mask"].sum())
        state.wall_s = time.monotonic() - started
        bar.set_postfix(loss=f"{float(loss):.4f}", lr=f"{scheduler.get_last_lr()[0]:.1e}")
        bar.update(1)
        if dev and cfg.eval_every and state.step % cfg.eval_every == 0 and state.step < len(plan):
            state.dev_losses.append((state.step, dev_loss(model, dev, pad_id, cfg)))
            logger.info("step %d dev loss %.4f", state.step, state.dev_losses[-1][1])
        if state.step % cfg.checkpoint_every == 0 or state.step == len(plan):
            save_checkpoint(cfg, model, optimizer, scheduler, state)
            plot_losses(state, Path(cfg.run_dir) / "loss_curve.png")
    bar.close()
    if dev and (not state.dev_losses or state.dev_losses[-1][0] != state.step):
        state.dev_losses.append((state.step, dev_loss(model, dev, pad_id, cfg)))
        logger.info("final dev loss %.4f", state.dev_losses[-1][1])
    state.wall_s = time.monotonic() - started
    save_checkpoint(cfg, model, optimizer, scheduler, state)
    plot_losses(state, Path(cfg.run_dir) / "loss_curve.png")
    save_adapter(cfg, model)
    (Path(cfg.run_dir) / "train_state.json").write_text(json.dumps(asdict(state)))
    return state


def export_checkpoint(cfg: TrainConfig) -> TrainState:
    """Write the adapter of the run's last checkpoint (e.g. to ship a run stopped early)."""
    import torch
    from peft import set_peft_model_state_dict

    model, _ = build_model(cfg)
    blob = torch.load(_checkpoint_path(cfg), weights_only=False)
    set_peft_model_state_dict(model, blob["adapter"])
    save_adapter(cfg, model)
    return _state_from(blob["state"])


def save_adapter(
    cfg: TrainConfig, model: Any, base_model_name: str = "HuggingFaceTB/SmolLM2-135M-Instruct"
) -> None:
    """adapter_config.json + adapter_model.safetensors (weights in `save_dtype`) into out_dir."""
    import torch
    from safetensors.torch import load_file, save_file

    out = Path(cfg.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out, safe_serialization=True)
    weights = out / "adapter_model.safetensors"
    dtype = {"float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32}[cfg.save_dtype]
    tensors = {k: v.to(dtype).contiguous() for k, v in load_file(weights).items()}
    save_file(tensors, weights, metadata={"format": "pt"})
    for path in out.iterdir():
        path.chmod(0o644)
    config_path = out / "adapter_config.json"
    config = json.loads(config_path.read_text())
    config["base_model_name_or_path"] = base_model_name
    config_path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    (out / "README.md").unlink(missing_ok=True)  # PEFT's template card; ADAPTER_CARD.md is ours


def _state_from(raw: dict) -> TrainState:
    """The training state as saved in a checkpoint."""
    return TrainState(
        step=raw["step"],
        losses=raw["losses"],
        dev_losses=[tuple(x) for x in raw["dev_losses"]],
        tokens=raw["tokens"],
        wall_s=raw["wall_s"],
    )
