"""Metadata and structure of whole documents against eval/data/documents.jsonl.

Each gold row names a document file, its expected metadata and the expected path and kind of a sample of
its clauses (each given by a snippet of the source). Reported:
- metadata accuracy per field (a missing value is right when the gold says null);
- structure accuracy: the share of gold snippets whose clause has the expected path, and the expected kind
  (gold "body" is an item, bullet or paragraph; "heading" a heading or an item; other kinds by name);
- article coverage: for texts organised in articles, the share of "Điều N." headings that open a clause
  whose path ends in "Điều N".
No model is needed: documents are parsed, not indexed.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vnpolicy.eval.gold import CHECKOUT, SAMPLE
from vnpolicy.ingest.clauses import PATH_SEPARATOR, article_headings
from vnpolicy.ingest.gazetteer import resolve_province
from vnpolicy.ingest.models import Clause, Document
from vnpolicy.ingest.normalize import folded_form
from vnpolicy.ingest.pipeline import parse_path

DOCUMENTS_GOLD = Path(__file__).parent / "data" / "documents.jsonl"
# The sample, the five more documents of other issuers, eighteen documents of legal-document web pages
# (data/web-documents) and twenty-four more from the same crawl, kept as a held-out set (data/crawled-documents;
# the sources of both in the gold rows).
DEFAULT_FOLDERS = (
    SAMPLE, CHECKOUT.parent / "shared" / "more-documents", CHECKOUT / "data" / "web-documents",
    CHECKOUT / "data" / "crawled-documents",
)
# The fields the done-when target counts, and the rest that are reported.
TARGET_FIELDS = ("number", "date", "doc_type", "title", "province")
FIELDS = (*TARGET_FIELDS, "province_2025", "issuer", "signer", "signer_role", "cites")
_OUR_FIELD = {"province_2025": "province_current"}
_BODY_KINDS = {"body": {"item", "bullet", "paragraph"}, "heading": {"heading", "item"}}
_DOC_TYPE_WORDS = re.compile(
    r"^(?:ke hoach|nghi quyet|chuong trinh|ket luan|quyet dinh|chi thi|bao cao|de an|thong bao|quy dinh|quy che"
    r"|cong van)\b"
)


@dataclass
class DocumentResult:
    name: str
    set: str
    fields: dict[str, tuple[bool, Any, Any]]  # field -> (right, ours, gold)
    clauses: list[tuple[str, str, str, str, bool, bool]] = field(default_factory=list)
    # (snippet, gold path, our path, gold kind/our kind, path right, kind right)
    articles: tuple[int, int] = (0, 0)  # (covered, total) "Điều N." headings
    missing_articles: list[str] = field(default_factory=list)


def _plain(value: str) -> str:
    return re.sub(r"[^\w]+", " ", folded_form(value.replace("**", ""))).strip()


def _same_title(ours: str, gold: str) -> bool:
    """Titles compared without case, accents or punctuation; ours starts with the type word ("Kế hoạch …"),
    the gold gives the lines under it (an official letter's: its subject, with or without "V/v")."""
    plain = _plain(ours)
    untyped = _DOC_TYPE_WORDS.sub("", plain, count=1).strip()
    return _plain(gold) in (plain, untyped, untyped.removeprefix("ve viec "))


def _same(name: str, ours: Any, gold: Any) -> bool:
    if gold is None or gold == []:
        return ours in (None, [], "")
    if ours in (None, [], ""):
        return False
    if name == "cites":
        return {re.sub(r"\s+", "", c) for c in ours} == {re.sub(r"\s+", "", c) for c in gold}
    if name == "number":
        return re.sub(r"\s+", "", ours) == re.sub(r"\s+", "", gold)
    if name == "title":
        return _same_title(ours, gold)
    if name == "date":
        return ours == gold
    if name == "province":  # a renamed unit by either name: "Huế" is Thừa Thiên Huế before 2025
        return ours == (resolve_province(gold) or (gold,))[0]
    if name == "issuer":  # "UBND tỉnh" is "Ủy ban nhân dân tỉnh"
        return _spelled_out(ours) == _spelled_out(gold)
    return _plain(str(ours)) == _plain(str(gold))


def _spelled_out(issuer: str) -> str:
    plain = _plain(issuer)
    for short, full in (("ubnd", "uy ban nhan dan"), ("hdnd", "hoi dong nhan dan")):
        plain = re.sub(rf"\b{short}\b", full, plain)
    return plain


def _clause_of(snippet: str, clauses: list[Clause], text: str) -> Clause | None:
    """The clause whose original span holds the snippet (the first, when a clause was cut in parts)."""
    position = text.find(snippet)
    if position >= 0:
        for clause in clauses:
            if clause.start <= position < clause.end:
                return clause
    wanted = _plain(snippet)
    return next((c for c in clauses if wanted in _plain(c.text)), None)


def _kind_right(gold_kind: str, our_kind: str) -> bool:
    return our_kind in _BODY_KINDS.get(gold_kind, {gold_kind})


def evaluate_document(row: dict[str, Any], document: Document) -> DocumentResult:
    meta = document.meta.values()
    gold = row["metadata"]
    fields = {}
    for name in FIELDS:
        if name not in gold:
            continue
        ours = meta.get(_OUR_FIELD.get(name, name))
        fields[name] = (_same(name, ours, gold[name]), ours, gold[name])
    result = DocumentResult(row["document"], row.get("set", ""), fields)
    for expected in row.get("clauses", []):
        clause = _clause_of(expected["snippet"], document.clauses, document.text)
        path, kind = (clause.path, clause.kind) if clause else ("<not found>", "<not found>")
        result.clauses.append((
            expected["snippet"], expected["path"], path, f"{expected['kind']}/{kind}",
            path == expected["path"], _kind_right(expected["kind"], kind),
        ))
    headings = article_headings(document.text)
    covered = 0
    for start, label in headings:
        opening = next((c for c in document.clauses if c.start <= start < c.end), None)
        if opening and opening.path.split(PATH_SEPARATOR)[-1] == label:
            covered += 1
        else:
            result.missing_articles.append(f"{label} at {start}")
    result.articles = (covered, len(headings))
    return result


def _locate(name: str, folders: Sequence[Path]) -> Path | None:
    return next((folder / name for folder in folders if (folder / name).is_file()), None)


def load_rows(path: Path = DOCUMENTS_GOLD) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate_documents(
    path: Path = DOCUMENTS_GOLD, folders: Sequence[Path] = DEFAULT_FOLDERS
) -> tuple[list[DocumentResult], list[str]]:
    """Results for every gold document found in `folders`, and the names of those not found."""
    results, missing = [], []
    for row in load_rows(path):
        source = _locate(row["document"], folders)
        if source is None:
            missing.append(row["document"])
            continue
        results.append(evaluate_document(row, parse_path(source)))
    return results, missing


def _share(right: int, total: int) -> str:
    return f"{right}/{total} = {right / total:.0%}" if total else "n/a"


def summarise(results: list[DocumentResult]) -> dict[str, Any]:
    """Per-field accuracy for each set and over all, the structure figures, and the target figure."""
    summary: dict[str, Any] = {"fields": {}, "structure": {}}
    groups = defaultdict(list)
    for result in results:
        groups[result.set].append(result)
        groups["all"].append(result)
    for group, members in sorted(groups.items()):
        counts = {}
        for name in FIELDS:
            marks = [r.fields[name][0] for r in members if name in r.fields]
            counts[name] = [sum(marks), len(marks)]
        target = [sum(counts[n][0] for n in TARGET_FIELDS), sum(counts[n][1] for n in TARGET_FIELDS)]
        clauses = [c for r in members for c in r.clauses]
        outside = [c for c in clauses if c[3].split("/")[0] in ("header", "recital", "signature", "recipients")]
        articles = [sum(r.articles[0] for r in members), sum(r.articles[1] for r in members)]
        summary["fields"][group] = {**counts, "target": target}
        summary["structure"][group] = {
            "path": [sum(c[4] for c in clauses), len(clauses)],
            "kind": [sum(c[5] for c in clauses), len(clauses)],
            "path_and_kind": [sum(c[4] and c[5] for c in clauses), len(clauses)],
            "outside_body_kept_out": [sum(c[5] for c in outside), len(outside)],
            "articles": articles,
        }
    return summary


def print_documents_report(results: list[DocumentResult], missing: list[str], out: Callable[[str], None]) -> dict:
    summary = summarise(results)
    out(f"Documents (eval/data/documents.jsonl): {len(results)} parsed"
        + (f", not found: {', '.join(missing)}" if missing else ""))
    groups = list(summary["fields"])
    out(f"{'metadata field':<16}" + "".join(f"{group:>18}" for group in groups))
    for name in (*FIELDS, "target"):
        label = "target (5 fields)" if name == "target" else name
        out(f"{label:<16}" + "".join(f"{_share(*summary['fields'][g][name]):>18}" for g in groups))
    out(f"{'structure':<16}" + "".join(f"{group:>18}" for group in groups))
    for name in ("path", "kind", "path_and_kind", "outside_body_kept_out", "articles"):
        out(f"{name:<16}" + "".join(f"{_share(*summary['structure'][g][name]):>18}" for g in groups))
    for result in results:
        wrong = [f"{n}: {ours!r} ≠ {gold!r}" for n, (right, ours, gold) in result.fields.items() if not right]
        misplaced = [f"{snippet[:50]!r}: {ours} ≠ {gold} ({kinds})"
                     for snippet, gold, ours, kinds, path_right, kind_right in result.clauses
                     if not (path_right and kind_right)]
        if wrong or misplaced or result.missing_articles:
            out(f"  {result.name}:")
            for line in wrong + misplaced:
                out(f"    {line[:220]}")
            if result.missing_articles:
                out(f"    articles without their path: {', '.join(result.missing_articles[:10])}")
    return summary


def run_documents(
    path: Path = DOCUMENTS_GOLD, folders: Sequence[Path] = DEFAULT_FOLDERS, out: Callable[[str], None] = print
) -> dict:
    results, missing = evaluate_documents(path, folders)
    return print_documents_report(results, missing, out)
