"""Writes an evaluation run to a folder a person can read and a later run can compare against:
results.jsonl (+ baseline_results.jsonl), summary.json, report.md and chart.png."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.evaluation.metrics import QUALITY_METRICS

EvalRun = Any
"""``runner.EvalRun`` (not imported: the runner imports this module to write its runs)."""

TABLE_METRICS = ("hit@1", "hit@5", "mrr@10", "answer_accuracy", "answer_f1", "citation_precision",
                 "citation_recall", "faithfulness", "abstention_precision", "abstention_recall")
CHART_METRICS = ("hit@5", "answer_accuracy", "answer_f1", "citation_recall", "faithfulness", "abstention_recall")
WORST_SHOWN = 20


def write_report(run: EvalRun, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = [_write_jsonl(out / "results.jsonl", run.warta.results)]
    if run.baseline:
        written.append(_write_jsonl(out / "baseline_results.jsonl", run.baseline.results))
    summary = out / "summary.json"
    summary.write_text(json.dumps(run.summary(), indent=2, ensure_ascii=False), encoding="utf-8")
    report = out / "report.md"
    report.write_text(markdown_report(run), encoding="utf-8")
    return [*written, summary, report, write_chart(run, out / "chart.png")]


def _write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def console_summary(run: EvalRun) -> str:
    """The overall table, with Warta / baseline ratios, for the terminal."""
    return "\n".join(_overall_table(run))


def markdown_report(run: EvalRun) -> str:
    meta = run.meta
    summary = run.warta.summary
    lines = [
        f"# Evaluation: {meta.get('question_set', 'questions')}",
        "",
        f"{meta.get('questions')} questions · backend {meta.get('backend')} · embedder "
        f"{meta.get('embedding_model')} · started {meta.get('started')} · {meta.get('seconds')} s",
        "",
        "Metric definitions: see the docstring of `assistant/evaluation.py`. `answer_accuracy` credits a",
        "gold answer anywhere in the answer or its quotes, so long answers (the baseline's whole",
        "1000-character chunk) earn it easily; `answer_f1` is the one that penalizes length.",
        "",
        "## Overall",
        "",
        *_overall_table(run),
        "",
        "## By language (Warta)",
        "",
        *_group_table("lang", summary["by_lang"]),
        "",
        "## By tag (Warta)",
        "",
        *_group_table("tag", summary["by_tag"]),
        "",
        "## Latency in seconds",
        "",
        "| system | stage | p50 | p95 | mean | n |",
        "|---|---|---|---|---|---|",
    ]
    for system in filter(None, (run.warta, run.baseline)):
        for stage, t in system.summary["latency"].items():
            lines.append(f"| {system.name} | {stage} | {t['p50']:.3f} | {t['p95']:.3f} | {t['mean']:.3f} | {t['n']} |")
    errors = [r for r in run.warta.results if r["error"]]
    if errors:
        lines += ["", f"## Errors ({len(errors)})", ""]
        lines += [f"- `{r['id']}`: {r['error']}" for r in errors]
    failures = worst_failures(run.warta.results)
    lines += ["", f"## The {min(WORST_SHOWN, len(failures))} worst failures (of {len(failures)})", ""]
    for r in failures[:WORST_SHOWN]:
        lines += _failure(r)
    return "\n".join(lines) + "\n"


def _overall_table(run: EvalRun) -> list[str]:
    warta = run.warta.summary["overall"]
    base = run.baseline.summary["overall"] if run.baseline else {}
    ratios = run.ratios or {}
    lines = ["| metric | Warta | baseline | Warta / baseline | n |", "|---|---|---|---|---|"]
    for metric in QUALITY_METRICS:
        lines.append(
            f"| {metric} | {_fmt(warta.get(metric))} | {_fmt(base.get(metric))} | "
            f"{_fmt(ratios.get(metric))} | {warta['counts'][metric]} |"
        )
    total = run.warta.summary["latency"].get("total")
    base_total = run.baseline.summary["latency"].get("total") if run.baseline else None
    if total:
        lines.append(
            f"| latency total p50 (s) | {total['p50']:.3f} | {_fmt(base_total and base_total['p50'])} | "
            f"{_fmt(ratios.get('latency_total_p50'))} | {total['n']} |"
        )
    return lines


def _group_table(kind: str, groups: dict[str, dict]) -> list[str]:
    lines = [f"| {kind} | n | " + " | ".join(TABLE_METRICS) + " |", "|---" * (len(TABLE_METRICS) + 2) + "|"]
    for name, m in groups.items():
        lines.append(f"| {name} | {m['n']} | " + " | ".join(_fmt(m[k]) for k in TABLE_METRICS) + " |")
    return lines


def worst_failures(results: list[dict]) -> list[dict]:
    """Errors, wrong answers and answered unanswerables, the most wrong first: errors, then the
    lowest answer F1, then no supporting citation, then the gold article ranked lowest."""
    failed = [
        r for r in results
        if r["error"]
        or (r["answerable"] and not r["scores"].get("answer_accuracy"))
        or (not r["answerable"] and not r["abstained"])
    ]

    def badness(r: dict) -> tuple:
        s = r["scores"]
        return (not r["error"], s.get("answer_f1") or 0.0, s.get("citation_recall") or 0.0, s.get("mrr@10") or 0.0)

    return sorted(failed, key=badness)


def _failure(r: dict) -> list[str]:
    gold = " | ".join(r["gold_answers"]) or "(unanswerable: should abstain)"
    lines = [
        f"### `{r['id']}` ({r['lang']}, {', '.join(r['tags']) or 'no tags'})",
        "",
        f"- question: {r['question']}",
        f"- gold: {gold}",
        f"- answer{' (abstained)' if r['abstained'] else ''}: {_short(r['answer'], 300)}",
    ]
    if "hit@10" in r["scores"]:
        lines.append(f"- gold article rank: {r['scores']['gold_rank'] or 'not in top 10'}")
    if r["error"]:
        lines.append(f"- error: {r['error']}")
    for c in r["citations"][:3]:
        lines.append(f"- cited [{c['n']}] `{c['chunk_id']}`: {_short(c['quote'], 160)}")
    lines.append("- retrieved:")
    for h in r["evidence"][:3]:
        lines.append(f"  - `{h['chunk_id']}` ({h['score']:.3f}): {_short(h['text'], 160)}")
    return [*lines, ""]


def write_chart(run: EvalRun, path: Path) -> Path:
    """Four panels: Warta vs baseline, metrics by language, accuracy by tag, latency histogram."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    summary = run.warta.summary
    fig, axes = plt.subplots(2, 2, figsize=(13, 9))
    systems = [("Warta", summary["overall"])]
    if run.baseline:
        systems.append(("baseline", run.baseline.summary["overall"]))
    _bars(axes[0][0], "overall", CHART_METRICS, systems)
    _bars(axes[0][1], "Warta by language", CHART_METRICS, list(summary["by_lang"].items()))
    tags = summary["by_tag"]
    axes[1][0].barh(list(tags), [_value(m, "answer_accuracy") for m in tags.values()], color="tab:green")
    axes[1][0].set(title="Warta answer accuracy by tag", xlim=(0, 1))
    totals = [r["timings"].get("total", r["timings"]["wall"]) for r in run.warta.results]
    axes[1][1].hist(totals, bins=20, color="tab:blue", label="Warta")
    if run.baseline:
        axes[1][1].hist([r["timings"].get("total", r["timings"]["wall"]) for r in run.baseline.results],
                        bins=20, color="tab:orange", alpha=0.6, label="baseline")
    axes[1][1].set(title="latency per question (total, s)", xlabel="seconds", ylabel="questions")
    axes[1][1].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _bars(ax, title: str, metrics: tuple[str, ...], groups: list[tuple[str, dict]]) -> None:
    width = 0.8 / max(len(groups), 1)
    for i, (name, values) in enumerate(groups):
        xs = [x + i * width for x in range(len(metrics))]
        ax.bar(xs, [_value(values, m) for m in metrics], width, label=name)
    ax.set_xticks([x + width * (len(groups) - 1) / 2 for x in range(len(metrics))], metrics, rotation=20)
    ax.set(title=title, ylim=(0, 1))
    ax.legend()


def _value(metrics: dict, name: str) -> float:
    """NaN (no bar) for a metric that had nothing to measure, so it is not drawn as a zero."""
    value = metrics.get(name)
    return float("nan") if value is None else value


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
