"""From files to stored documents: load, normalise, split, describe, store — one file at a time."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from vnpolicy.ingest.clauses import MAX_CLAUSE_CHARS, split_clauses
from vnpolicy.ingest.loaders import SUPPORTED_SUFFIXES, IngestError, load_bytes, load_path
from vnpolicy.ingest.metadata import apply_sidecar, extract_metadata
from vnpolicy.ingest.models import Document, DocumentMeta
from vnpolicy.ingest.normalize import clean_line, is_layout_line, strip_markup, to_nfc
from vnpolicy.ingest.ocr import PageProgress
from vnpolicy.ingest.restore import restore_clauses
from vnpolicy.ingest.store import Store

logger = logging.getLogger("vnpolicy.ingest")

SIDECAR_SUFFIX = ".meta.json"
# Bump when splitting or metadata extraction changes: stored documents parsed by an older version
# are parsed again on their next ingestion instead of being skipped as unchanged.
# 5: page numbers, tone misreadings; 6: a footnote after the recipients is body; 7: OCR names and acronyms;
# 8: a title after a blank line, qualified type lines ("CHƯƠNG TRÌNH HÀNH ĐỘNG"), the issuer block's province;
# 9: "THÔNG BÁO KẾT LUẬN", signatures by order (T/L); 10: front matter without blank lines, lettered parts,
# official letters, .docx tables in document order, web pages' markup, numbered appendices (issue 19);
# 11: a reference's number wrapped after a heading word in capitals ("ĐIỀU⏎12."), a signer's role or "Nơi nhận"
# wrapped by a narrow column ("CHỦ⏎TỊCH") are rejoined; a signer's name may end in "Bi", "Thu", "Chu"; units and
# bounds ("đồng/lượt/khách", "<10") are no OCR junk; a table row may have cells of several lines; "Mức" is no "Mục"
PARSER_VERSION = "11"
MIN_CLAUSES_EXPECTED = 5
_REPORTED_FIELDS = ("province", "doc_type", "number", "date", "title")


def content_hash(text: str) -> str:
    """Hash of the NFC text: the same content in another encoding or normal form is the same document."""
    return hashlib.sha256(to_nfc(text).encode("utf-8")).hexdigest()


def _warnings(text: str, document: Document) -> list[str]:
    warnings = []
    if "\ufffd" in text:
        warnings.append(f"{text.count(chr(0xFFFD))} unreadable character(s) (U+FFFD) in the source")
    if to_nfc(text) != text:
        warnings.append("decomposed (NFD) characters were normalised to NFC")
    junk_lines = sum(
        1 for line in text.splitlines() if not is_layout_line(line) and clean_line(line) != strip_markup(to_nfc(line))
    )
    if junk_lines:
        warnings.append(f"OCR junk removed from {junk_lines} line(s)")
    if len(document.clauses) < MIN_CLAUSES_EXPECTED:
        warnings.append(f"only {len(document.clauses)} clause(s) found; is the structure recognisable?")
    long_clauses = sum(1 for clause in document.clauses if len(clause.text) > MAX_CLAUSE_CHARS)
    if long_clauses:
        warnings.append(f"{long_clauses} clause(s) longer than {MAX_CLAUSE_CHARS} characters")
    missing = [name for name in _REPORTED_FIELDS if not getattr(document.meta, name).found]
    if missing:
        warnings.append(f"not stated in the text: {', '.join(missing)}")
    return warnings


def parse_text(text: str, source_name: str, overrides: dict | None = None) -> Document:
    """A document, its clauses and its metadata from decoded text (the original, offsets point into it)."""
    digest = content_hash(text)
    document_id = digest[:16]
    clauses = split_clauses(document_id, text)
    restoration = restore_clauses(text, clauses)  # restored readings of OCR-damaged or unaccented blocks
    clauses = restoration.clauses
    meta = extract_metadata(text, clauses)
    if overrides:
        meta = apply_sidecar(meta, overrides)
    document = Document(
        id=document_id, source_name=source_name, content_hash=digest, text=text, meta=meta, clauses=clauses
    )
    document.warnings = _warnings(text, document) + restoration.notes
    return document


def read_sidecar(path: Path) -> dict | None:
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if not sidecar.exists():
        return None
    try:
        overrides = json.loads(sidecar.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise IngestError(f"the metadata sidecar {sidecar.name} is not valid JSON ({error})") from None
    if not isinstance(overrides, dict):
        raise IngestError(f"the metadata sidecar {sidecar.name} must hold a JSON object")
    unknown = sorted(set(overrides) - set(DocumentMeta.FIELDS))
    if unknown:
        raise IngestError(
            f"the metadata sidecar {sidecar.name} has unknown field(s) {', '.join(unknown)}; "
            f"known: {', '.join(DocumentMeta.FIELDS)}"
        )
    wrong = [problem for name, value in overrides.items() if (problem := _sidecar_value_problem(name, value))]
    if wrong:
        raise IngestError(f"in the metadata sidecar {sidecar.name}, {'; '.join(wrong)}")
    return overrides


def _sidecar_value_problem(name: str, value: object) -> str | None:
    """Why a sidecar's value cannot stand for its field (filters and the index read them as such), or None."""
    if value is None:
        return None
    if name == "cites":
        ok = isinstance(value, list) and all(isinstance(code, str) for code in value)
        return None if ok else "cites must be a list of document codes (strings)"
    if not isinstance(value, str):
        return f"{name} must be a string or null"
    if name == "date" and not _is_iso_date(value):
        return f"date must be a date written yyyy-mm-dd, not {value!r}"
    return None


def _is_iso_date(text: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def parse_path(
    path: Path, on_page: PageProgress | None = None, parsed_before: Callable[[str], Document | None] | None = None
) -> Document:
    """The file's document; `parsed_before(content_hash)` may give it from an earlier parse of the same text
    (the store's), which spares splitting and restoring it again: re-reading an unchanged folder costs only
    the reading."""
    text, overrides = load_path(path, on_page), read_sidecar(path)
    earlier = parsed_before(content_hash(text)) if parsed_before else None
    return earlier or parse_text(text, path.name, overrides)


def parse_upload(name: str, data: bytes) -> Document:
    return parse_text(load_bytes(name, data), Path(name).name)


@dataclass
class FileReport:
    path: str
    status: Literal["added", "replaced", "unchanged", "failed"]
    document_id: str | None = None
    clauses: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    replaced: list[str] = field(default_factory=list)


def expand_paths(paths: Iterable[Path]) -> Iterator[Path]:
    """Files named, and the supported files inside folders named (sidecars excluded), in sorted order."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in SUPPORTED_SUFFIXES:
                    yield child
        else:
            yield path


def store_document(store: Store, document: Document) -> FileReport:
    existing = store.id_for_hash(document.content_hash, PARSER_VERSION)
    if existing:
        return FileReport(document.source_name, "unchanged", existing, len(document.clauses))
    replaced = store.put_document(document, PARSER_VERSION)
    return FileReport(
        document.source_name, "replaced" if replaced else "added", document.id, len(document.clauses),
        document.warnings, replaced=replaced,
    )


def parse_each(
    paths: Iterable[Path], on_page: Callable[[Path, int, int], None] | None = None,
    parsed_before: Callable[[str], Document | None] | None = None,
) -> Iterator[tuple[Path, Document | str]]:
    """Each file's document, or the sentence saying why it cannot be one: a failure of any kind (a bad
    file, a permission, an I/O error, a parser bug) stays with its file and the next file is read.

    `on_page(path, page, pages)` is called as each scanned page of a PDF has been read by OCR;
    `parsed_before`: see `parse_path`.
    """
    for path in expand_paths(paths):
        progress = (lambda page, pages, path=path: on_page(path, page, pages)) if on_page else None
        try:
            yield path, parse_path(path, progress, parsed_before)
        except IngestError as error:
            yield path, str(error)
        except OSError as error:
            yield path, f"{path} cannot be read ({error.strerror or error})"
        except Exception as error:
            logger.exception("parsing %s failed", path)
            yield path, f"{path} could not be parsed ({type(error).__name__}); the log says why"


def ingest_paths(
    paths: Iterable[Path], store: Store, on_file: Callable[[FileReport], None] | None = None
) -> list[FileReport]:
    """Store every file (without indexing it); one bad file fails alone (its report says why) and the batch goes on."""
    reports = []
    for path, parsed in parse_each(paths, parsed_before=store.parsed(PARSER_VERSION)):
        if isinstance(parsed, str):
            report = FileReport(str(path), "failed", error=parsed)
        else:
            report = store_document(store, parsed)
            report.path = str(path)
        reports.append(report)
        if on_file:
            on_file(report)
    return reports
