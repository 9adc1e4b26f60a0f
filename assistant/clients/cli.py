"""``warta``: ingest, search, ask, stats, eval, serve, uploads, doctor — all through the one service.

Exit codes: 0 answered / done; 1 error; 2 invalid question or usage; 3 no index yet;
4 index built with another model or not an index; 10 the answer abstained (sources don't say).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from assistant.errors import WartaError
from assistant.evaluation.runner import add_eval_arguments, run_eval_command
from assistant.settings import Settings, SettingsError

EXIT_ABSTAINED = 10


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {}
    if getattr(args, "index", None):
        overrides["index_dir"] = args.index
    if getattr(args, "backend", None):
        overrides["backend"] = args.backend
    return Settings.from_env(**overrides)


def _service(args: argparse.Namespace):
    from assistant.service import Warta

    return Warta(_settings(args))


def _filters(args: argparse.Namespace):
    from assistant.records import Filters

    sources = tuple(args.source or ())
    if not (args.date_from or args.date_to or sources):
        return None
    return Filters(date_from=args.date_from, date_to=args.date_to, sources=sources)


def cmd_ingest(args: argparse.Namespace) -> int:
    missing = [p for p in args.paths if not Path(p).exists()]
    service = _service(args)
    report = service.ingest([p for p in args.paths if Path(p).exists()], progress=not args.json)
    report.errors[:0] = [f"{p}: no such file or folder" for p in missing]
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        for error in report.errors:
            print(f"error: {error}", file=sys.stderr)
        for warning in report.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        print(report.summary())
        stats = service.stats()
        print(f"index: {stats['articles']} articles, {stats['chunks']} chunks ({stats['index_dir']})")
    return 1 if report.errors and not (report.articles_added or report.articles_replaced
                                        or report.articles_unchanged or report.duplicates) else 0


def cmd_search(args: argparse.Namespace) -> int:
    hits = _service(args).retrieve(args.query, k=args.k, filters=_filters(args))
    if args.json:
        print(json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=2))
        return 0
    if not hits:
        print("no passages found")
    for hit in hits:
        lexical = f"{hit.lexical_score:.2f}" if hit.lexical_score is not None else "-"
        dense = f"{hit.dense_score:.3f}" if hit.dense_score is not None else "-"
        print(f"{hit.rank}. [{hit.score:.3f} dense {dense} bm25 {lexical}] {hit.title} ({hit.date or 'no date'}) "
              f"{hit.chunk_id}")
        print(f"   {hit.text}\n")
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    answer = _service(args).ask(args.question, top_k=args.k, filters=_filters(args))
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        if answer.notice:
            print(f"note: {answer.notice}", file=sys.stderr)
        print(answer.text)
        if answer.confidence is not None:
            print(f"(confidence {answer.confidence:.0%})")
        shown = answer.related if answer.abstained else answer.citations
        if shown:
            print("\nRelated passages:" if answer.abstained else "\nSources:")
        for c in shown:
            print(f"[{c.n}] {c.title} ({c.date or 'no date'}{', ' + c.source if c.source else ''}) "
                  f"{c.doc_id} chars {c.start}-{c.end}\n    \"{c.quote}\"")
    return EXIT_ABSTAINED if answer.abstained else 0


def cmd_stats(args: argparse.Namespace) -> int:
    stats = _service(args).stats()
    if args.json:
        print(json.dumps(stats, ensure_ascii=False, indent=2))
    else:
        for key in ("index_dir", "chroma", "embedding_model", "articles", "chunks", "lexical_chunks",
                    "pending_articles", "date_min", "date_max"):
            if key in stats:
                print(f"{key:16} {stats[key]}")
        print(f"{'sources':16} {', '.join(stats.get('sources') or []) or '-'}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from assistant.clients.ui import serve

    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v}
    settings = _settings(args).replace(**overrides) if overrides else _settings(args)
    serve(settings)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    return run_eval_command(args)


def cmd_uploads(args: argparse.Namespace) -> int:
    from assistant.clients.uploads import Uploads

    service = _service(args)
    if args.action == "remove":
        if not args.ids:
            print("error: name the upload ids to remove (see `warta uploads list`)", file=sys.stderr)
            return 2
        for doc_id in Uploads(service).remove(args.ids):
            print(f"removed {doc_id}")
        return 0
    uploads = Uploads(service).list()
    if args.json:
        print(json.dumps(uploads, ensure_ascii=False, indent=2))
    elif not uploads:
        print("no uploads")
    for upload in uploads if not args.json else ():
        print(f"{upload['doc_id']}  {upload['title']} ({upload['date'] or 'no date'}, {upload['chunks']} chunks)  "
              f"{upload['origin']}")
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from assistant.answer.reader.model import weights_check
    from assistant.index.doctor import check_and_repair

    service = _service(args)
    report = check_and_repair(service, repair=not args.check_only)
    report.note(*weights_check(service.settings))
    for line in [*report.lines, report.verdict]:
        print(line)
    return 0 if report.healthy else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="warta", description="Answers about news articles, with citations.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    sub = parser.add_subparsers(dest="command", required=True)

    def with_index(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--index", help="index folder (default: WARTA_INDEX_DIR or ./index)")
        return p

    def with_filters(p: argparse.ArgumentParser) -> None:
        p.add_argument("--date-from", help="only articles on or after this date (YYYY-MM-DD)")
        p.add_argument("--date-to", help="only articles on or before this date (YYYY-MM-DD)")
        p.add_argument("--source", action="append", help="only articles of this source (repeatable)")

    p = with_index(sub.add_parser("ingest", help="add articles (files or folders) to the index"))
    p.add_argument("paths", nargs="+")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ingest)

    p = with_index(sub.add_parser("search", help="show the passages retrieved for a query"))
    p.add_argument("query")
    p.add_argument("--k", type=int, default=5)
    p.add_argument("--json", action="store_true")
    with_filters(p)
    p.set_defaults(func=cmd_search)

    p = with_index(sub.add_parser("ask", help=f"answer a question with citations (exit {EXIT_ABSTAINED} when "
                                              "the sources don't say)"))
    p.add_argument("question")
    p.add_argument("--k", type=int, default=None)
    p.add_argument("--backend", choices=["extractive", "ollama", "openai", "llamacpp"])
    p.add_argument("--json", action="store_true")
    with_filters(p)
    p.set_defaults(func=cmd_ask)

    p = with_index(sub.add_parser("stats", help="what the index holds"))
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats)

    p = with_index(sub.add_parser("serve", help="start the chat in the browser"))
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.set_defaults(func=cmd_serve)

    p = with_index(sub.add_parser("uploads", help="list the articles added from the chat, or remove some"))
    p.add_argument("action", choices=["list", "remove"])
    p.add_argument("ids", nargs="*", help="upload ids to remove (as `list` shows them)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_uploads)

    p = with_index(sub.add_parser("doctor", help="check that Chroma and the lexical index agree; repair"))
    p.add_argument("--check-only", action="store_true")
    p.set_defaults(func=cmd_doctor)

    p = sub.add_parser("eval", help="evaluate the whole pipeline on a question set")
    add_eval_arguments(p)
    p.set_defaults(func=cmd_eval)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    try:
        return args.func(args)
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except WartaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # an LLM server that is down, a full disk...: a message, not a traceback
        logging.getLogger("warta").debug("unexpected error", exc_info=True)
        print(f"error: {type(exc).__name__}: {exc} (run with -v for details)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
