"""Seconds from a fresh Python process to its first answer: import, load the models (the e5 and
reader exports are cached after their first build), open the index, answer one question. The
target is 15 s on 2 cores. Runs each question in its own new process, ``--repeats`` times.

    .venv/bin/python benchmarks/first_answer.py [--index .cache/set-indexes/bundled] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import median  # noqa: E402

QUESTIONS = ["What did the Wakil Wali Kota say about conflict risk?", "Apa kata Wakil Wali Kota tentang potensi konflik?"]
CHILD = r"""
import json, sys, time
started = time.perf_counter()
from assistant import ask
answer = ask(sys.argv[2], index_dir=sys.argv[1])
print(json.dumps({"seconds": time.perf_counter() - started, "abstained": answer.abstained,
                  "answer": answer.text[:120]}))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", default=".cache/set-indexes/bundled")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    for question in QUESTIONS:
        runs = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", CHILD, args.index, question], cwd=ROOT, check=True,
                                  capture_output=True, text=True)
            result = json.loads(done.stdout.strip().splitlines()[-1])
            result["process_seconds"] = time.perf_counter() - started
            runs.append(result)
        print(f"{question!r}: first answer after start {median([r['process_seconds'] for r in runs]):.1f} s "
              f"(median of {args.repeats}; inside the process {median([r['seconds'] for r in runs]):.1f} s); "
              f"answer: {runs[0]['answer']!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
