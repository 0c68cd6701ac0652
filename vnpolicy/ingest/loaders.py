"""Turn a .txt, .docx, .doc or .pdf file into its text, or fail with one sentence that says why.

A PDF's pages are joined with a form feed (`PAGE_BREAK`), so clauses know their page; its pages without a
text layer are read by OCR (`ingest.ocr`). A Word 97–2003 .doc is read by `antiword` (Debian), or by
`catdoc` when antiword cannot read it. TCVN3, VNI and VISCII text is converted, whatever the container.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

from vnpolicy.ingest.legacy_encodings import convert_legacy, read_8bit
from vnpolicy.ingest.models import PAGE_BREAK
from vnpolicy.ingest.ocr import OcrUnavailable, PageProgress, max_ocr_pages, ocr_pages

SUPPORTED_SUFFIXES = (".txt", ".docx", ".doc", ".pdf")


class IngestError(Exception):
    """A file that cannot become a document; the message is one sentence for the user."""


class UnsupportedFileType(IngestError):
    pass


class FileTooLarge(IngestError):
    pass


class NoTextLayer(IngestError):
    pass


# A .docx is a zip: its XML may inflate far beyond the upload limit (a 2.9 MB file to 1 GB). Real
# policy documents inflate to a few MB of XML, and hundreds of entries at most.
MAX_DOCX_ENTRIES = 2_000
MAX_PDF_PAGES = 3_000
MAX_PDF_OBJECTS = 2_000_000
_INFLATE_CHUNK = 1 << 20


def max_file_bytes() -> int:
    return int(float(os.environ.get("VNPOLICY_MAX_FILE_MB", "20")) * 1024 * 1024)


def max_inflated_bytes() -> int:
    """The most a .docx may inflate to, all entries together (VNPOLICY_MAX_INFLATED_MB, default 100)."""
    return int(float(os.environ.get("VNPOLICY_MAX_INFLATED_MB", "100")) * 1024 * 1024)


def max_text_chars() -> int:
    """The longest text a document may have: as many characters as the upload limit has bytes."""
    return max_file_bytes()


def _check_text_length(length: int) -> None:
    if length > max_text_chars():
        raise FileTooLarge(
            f"the document's text is over {max_text_chars() / 1e6:g} million characters, more than the "
            f"{max_file_bytes() / 1048576:g} MB upload limit allows as plain text "
            "(set VNPOLICY_MAX_FILE_MB to raise it)"
        )


def _looks_binary(text: str) -> bool:
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f")
    return controls > max(2, len(text) // 200)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text with no BOM shows NUL in every other byte (for Latin and Vietnamese letters)."""
    if len(data) % 2 or len(data) < 4:
        return None
    even_nuls = data[0::2].count(0) / (len(data) // 2)
    odd_nuls = data[1::2].count(0) / (len(data) // 2)
    encoding = "utf-16-le" if odd_nuls > 0.3 > even_nuls else "utf-16-be" if even_nuls > 0.3 > odd_nuls else None
    if not encoding:
        return None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def decode_text(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif b"\x00" in data:
        text = _utf16_without_bom(data)
        if text is None:
            raise IngestError("this is a binary file, not text (it contains NUL bytes)")
        return text
    else:
        encoding = "utf-8"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        legacy, found = convert_legacy(read_8bit(data))  # an 8-bit TCVN3, VNI or VISCII file
        if found:
            return legacy
        raise IngestError(
            f"the text is neither UTF-8 nor UTF-16 (undecodable byte at offset {error.start}); "
            "save it as UTF-8 and ingest it again"
        ) from None


def _check_docx_inflation(data: bytes) -> None:
    """Refuse a zip bomb before python-docx inflates it: the entry count, the sizes the entries declare,
    then the bytes they actually inflate to, counted while streaming (a header can lie)."""
    limit = max_inflated_bytes()
    too_large = FileTooLarge(
        f"the .docx inflates to more than {limit / 1048576:g} MB (a decompression bomb, or a document "
        "far larger than a policy document; set VNPOLICY_MAX_INFLATED_MB to raise the limit)"
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_DOCX_ENTRIES:
                raise IngestError(f"the .docx holds {len(entries)} entries, over the limit of {MAX_DOCX_ENTRIES}")
            if sum(entry.file_size for entry in entries) > limit:
                raise too_large
            inflated = 0
            for entry in entries:
                with archive.open(entry) as member:
                    while chunk := member.read(_INFLATE_CHUNK):
                        inflated += len(chunk)
                        if inflated > limit:
                            raise too_large
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, ValueError):
        raise IngestError("this is not a valid .docx file (it could not be opened as a zip archive)") from None


# Real documents set their header (issuer | national motto, number | dateline) and signature block ("Nơi
# nhận" | signer) side by side in a borderless table of two columns and a few rows.
_LAYOUT_TABLE_ROWS = 3


def _docx_text(data: bytes) -> str:
    import docx  # python-docx: imported here so that plain-text ingestion does not pay for it

    _check_docx_inflation(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:
        raise IngestError("this is not a valid .docx file (it could not be opened as Word XML)") from None
    blocks: list[str] = []
    for block in document.iter_inner_content():  # paragraphs and tables in the order the document has them
        blocks += _table_blocks(block) if isinstance(block, docx.table.Table) else [block.text]
    return "\n\n".join(blocks)


def _table_blocks(table: Any) -> list[str]:  # a python-docx Table, imported with docx above
    """A table's text: a layout table (see _LAYOUT_TABLE_ROWS) column by column, each cell a block, as the eye
    reads the issuer block before the motto beside it; any other table row by row, its cells joined by " | "."""
    rows = [row.cells for row in table.rows]
    if len(table.columns) == 2 and len(rows) <= _LAYOUT_TABLE_ROWS:
        cells = [row[column] for column in range(2) for row in rows if column < len(row)]
        unique = list({id(cell._tc): cell for cell in cells}.values())  # a merged cell comes once per row it spans
        return [cell.text.strip() for cell in unique]
    return [" | ".join(cell.text.strip() for cell in row) for row in rows]


# Word 97–2003 readers, best first: antiword keeps each paragraph on one line (-w 0) and writes UTF-8.
_DOC_READERS = (("antiword", "-m", "UTF-8.txt", "-w", "0"), ("catdoc", "-d", "utf-8", "-w"))
DOC_TIMEOUT_SECONDS = 120
_OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of every Word 97–2003 file


def _doc_text(data: bytes) -> str:
    if not data.startswith(_OLE2_SIGNATURE):  # catdoc would print any other file as if it were text
        raise IngestError("this is not a readable Word 97–2003 .doc file (save it as .docx and ingest it again)")
    installed = [reader for reader in _DOC_READERS if shutil.which(reader[0])]
    if not installed:
        raise IngestError(".doc files need antiword or catdoc, and neither is installed (scripts/setup.sh does it)")
    with tempfile.NamedTemporaryFile(suffix=".doc") as handle:  # both programs read a named file only
        handle.write(data)
        handle.flush()
        for reader in installed:
            try:
                result = subprocess.run([*reader, handle.name], capture_output=True, timeout=DOC_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                continue
            text = result.stdout.decode("utf-8", errors="replace")
            if result.returncode == 0 and any(ch.isalnum() for ch in text):
                return text
    raise IngestError("this is not a readable Word 97–2003 .doc file (save it as .docx and ingest it again)")


MIN_PAGE_LETTERS = 20  # a page with fewer letters in its text layer is a scan (perhaps with a stamped number)


def _pdf_text(data: bytes, on_page: PageProgress | None = None) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise IngestError("this PDF is encrypted; remove the password and ingest it again")
        objects = int(reader.trailer.get("/Size", 0))
        if objects > MAX_PDF_OBJECTS:
            raise IngestError(f"the PDF declares {objects} objects, over the limit of {MAX_PDF_OBJECTS}")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise IngestError(f"the PDF has {len(reader.pages)} pages, over the limit of {MAX_PDF_PAGES}")
        pages, length = [], 0
        for page in reader.pages:  # page by page, stopping as soon as the text is over the limit
            pages.append(page.extract_text() or "")
            length += len(pages[-1])
            _check_text_length(length)
    except (PdfReadError, ValueError, KeyError, TypeError, RecursionError):
        raise IngestError("this is not a readable PDF file") from None
    scanned = [index for index, page in enumerate(pages) if sum(ch.isalpha() for ch in page) < MIN_PAGE_LETTERS]
    if len(scanned) > max_ocr_pages():
        raise FileTooLarge(
            f"the PDF has {len(scanned)} scanned pages, more than the {max_ocr_pages()} OCR reads for one file "
            "(set VNPOLICY_OCR_MAX_PAGES to raise it, or split the file)"
        )
    if scanned:
        try:
            for index, text in ocr_pages(data, scanned, len(pages), on_page).items():
                pages[index] = text
        except OcrUnavailable as reason:
            if len(scanned) == len(pages):
                raise NoTextLayer(f"the PDF has no text layer and cannot be read by OCR: {reason}") from None
        except (RuntimeError, subprocess.TimeoutExpired) as error:
            raise IngestError(f"OCR of the PDF's scanned pages failed ({error})") from None
    text = f"\n{PAGE_BREAK}\n".join(page.strip("\n") for page in pages)
    if not any(ch.isalnum() for ch in text):
        raise NoTextLayer("the PDF has no text layer and OCR found no text on its page images")
    return text


def check_size(size: int) -> None:
    if size > max_file_bytes():
        raise FileTooLarge(
            f"the file is {size / 1048576:.1f} MB, over the {max_file_bytes() / 1048576:.0f} MB limit "
            "(set VNPOLICY_MAX_FILE_MB to raise it)"
        )


def load_bytes(name: str, data: bytes, on_page: PageProgress | None = None) -> str:
    """The text of a file given by name (for its type) and content; `on_page` follows the OCR of scans."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnsupportedFileType(
            f"'{suffix or name}' files are not supported; use one of {', '.join(SUPPORTED_SUFFIXES)}"
        )
    check_size(len(data))
    if not data.strip():
        raise IngestError("the file is empty")
    if suffix == ".docx":
        text = _docx_text(data)
    elif suffix == ".doc":
        text = _doc_text(data)
    elif suffix == ".pdf":
        text = _pdf_text(data, on_page)
    else:
        text = decode_text(data)
        if _looks_binary(text):
            raise IngestError("this is a binary file, not text (it contains control characters)")
    _check_text_length(len(text))
    if not any(ch.isalnum() for ch in text):
        raise IngestError("the file has no text")
    return convert_legacy(text)[0]  # text typed in a TCVN3, VNI or VISCII font, in any container


def load_path(path: Path, on_page: PageProgress | None = None) -> str:
    if not path.exists():
        raise IngestError(f"{path} does not exist")
    if not path.is_file():
        raise IngestError(f"{path} is not a file")
    check_size(path.stat().st_size)  # refuse before reading a huge file into memory
    return load_bytes(path.name, path.read_bytes(), on_page)
