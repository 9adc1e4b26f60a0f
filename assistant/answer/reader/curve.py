"""The learning curve of a news training run: ``python -m assistant.answer.reader.curve WORK``.

``train.py --curve 1000,2000,4000`` saves the adapter under ``WORK/curve-N`` once the run has
trained on as much news data as N questions give; this reads the adapter the run started from,
each snapshot and the final adapter on the news corpus's dev split (each question over its own
article, as ``train.py`` validates) and writes the rows to the final adapter's ``config.json`` as
``learning_curve``, where the model card shows them: what more news data buys.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from assistant.answer.reader.model import CONFIG_FILE, WEIGHTS_DIR


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("work", help="the training run's work folder (holds curve-N snapshots)")
    parser.add_argument("--weights", default=str(WEIGHTS_DIR), help="the final adapter of that run")
    parser.add_argument("--data", default="data/reader")
    parser.add_argument("--start", default="data/reader/stage1", help="the adapter the run continued from (0 news questions)")
    args = parser.parse_args(argv)
    import torch

    from assistant.answer.reader import train
    from assistant.answer.reader.lora import add_adapters
    from assistant.answer.reader.model import base_folder, load_qa_model, load_tokenizer

    final = json.loads((Path(args.weights) / CONFIG_FILE).read_text(encoding="utf-8"))
    options = train.parse_args(["--data", args.data, "--max-tokens", str(final["max_tokens"]),
                                "--stride", str(final["stride"]), "--valid-sets", "news_dev"])
    folder = base_folder()
    tokenizer = load_tokenizer(folder)
    snapshots = sorted(Path(args.work).glob("curve-*"), key=lambda p: int(p.name.split("-")[1]))
    curve = {}
    for snapshot in [Path(args.start), *snapshots, Path(args.weights)]:
        model = load_qa_model(folder)
        add_adapters(model, final["layers"], final["rank"], final["alpha"], 0.0)
        train.start_from_adapter(model, snapshot)
        metrics = train.validate(Path(args.data), model, tokenizer, torch.device("cpu"), options)["news_dev"]
        label = (snapshot.name.split("-")[1] if snapshot in snapshots else "0" if snapshot == Path(args.start)
                 else f"all ({final.get('news_questions', 'news')})")
        curve[label] = metrics
        print(f"{label:>12} news questions: EM {metrics['em']:.3f} F1 {metrics['f1']:.3f} "
              f"no-answer accuracy {metrics['no_answer_acc']:.3f}", flush=True)
    final["learning_curve"] = curve
    (Path(args.weights) / CONFIG_FILE).write_text(json.dumps(final, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
