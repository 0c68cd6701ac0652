"""Answers over other issuers' documents (issue 19): the sample corpus plus a folder, questioned with its
question set: ../shared/more-documents with eval/data/more.jsonl, data/web-documents with eval/data/web.jsonl.

    vnpolicy eval --more DIR --web DIR

Indexed in a scratch data directory (the model of the given one is linked, not copied), so the user's
index is left as it was. Prints, for each half, the lookups about those documents whose gold clause
is in the top 5 of search and whose answer quotes a gold clause, then the usual answer figures.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from vnpolicy.api.service import VnPolicy
from vnpolicy.eval.answers import evaluate_answers, print_report, report_dict
from vnpolicy.eval.gold import MORE_SET, SAMPLE, RetrievedUnit, judge, load_gold

TOP = 5  # issue 19: the right clause in the top 5 of search


def run_more(home: Path, folder: Path, out: Callable[[str], None] = print, question_set: Path = MORE_SET) -> dict:
    questions = load_gold(question_set)
    with tempfile.TemporaryDirectory(prefix="vnpolicy-more-") as scratch:
        (Path(scratch) / "models").symlink_to((Path(home) / "models").resolve(), target_is_directory=True)
        service = VnPolicy(Path(scratch))
        service.ingest([SAMPLE, folder])
        own = {path.name for path in folder.iterdir()}
        lookups = [q for q in questions if q.kind == "lookup" and {s.document for s in q.relevant} & own]
        found = {
            q.id: bool(judge(q, [RetrievedUnit(h.source_name, h.text) for h in service.search(q.question, k=TOP)])
                       .relevant_ranks)
            for q in lookups
        }
        report = evaluate_answers(service, questions)
    out(f"Lookups about the documents of {folder} (eval/data/{question_set.name})")
    figures: dict = {}
    for split in ("tune", "test"):
        chosen = [q for q in lookups if q.split == split]
        retrieved = sum(found[q.id] for q in chosen) / len(chosen) if chosen else float("nan")
        cited = sum(report.outcomes[q.id].gold_quote for q in chosen) / len(chosen) if chosen else float("nan")
        figures[split] = {"gold clause in the top 5": retrieved, "gold clause cited": cited, "lookups": len(chosen)}
        out(f"  {split}: gold clause in the top {TOP} {retrieved:.3f}, cited in the answer {cited:.3f} "
            f"({len(chosen)} lookups)")
    out(f"Answers on eval/data/{question_set.name} (sample corpus + those documents)")
    print_report(report, out)
    return {"lookups": figures, "answers": report_dict(report)}
