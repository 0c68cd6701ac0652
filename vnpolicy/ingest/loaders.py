"""Turn a .txt, .docx or .pdf file into its text, or fail with one sentence that says why."""

from __future__ import annotations

import io
import os
import unicodedata
import zipfile
from pathlib import Path

from vnpolicy.ingest.legacy_encodings import convert_legacy

SUPPORTED_SUFFIXES = (".txt", ".docx", ".pdf")


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
        legacy, found = convert_legacy(data.decode("cp1252", errors="replace"))  # an 8-bit TCVN3/VNI file
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


def _docx_text(data: bytes) -> str:
    import docx  # python-docx: imported here so that plain-text ingestion does not pay for it

    _check_docx_inflation(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:
        raise IngestError("this is not a valid .docx file (it could not be opened as Word XML)") from None
    blocks = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            blocks.append(" | ".join(cell.text.strip() for cell in row.cells))
    return "\n\n".join(block for block in blocks)


def _pdf_text(data: bytes) -> str:
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
    text = "\n\n".join(pages)
    if not any(ch.isalnum() for ch in text):
        raise NoTextLayer("the PDF has no text layer — run OCR first")
    return text


def check_size(size: int) -> None:
    if size > max_file_bytes():
        raise FileTooLarge(
            f"the file is {size / 1048576:.1f} MB, over the {max_file_bytes() / 1048576:.0f} MB limit "
            "(set VNPOLICY_MAX_FILE_MB to raise it)"
        )


def load_bytes(name: str, data: bytes) -> str:
    """The text of a file given by name (for its type) and content."""
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
    elif suffix == ".pdf":
        text = _pdf_text(data)
    else:
        text = decode_text(data)
        if _looks_binary(text):
            raise IngestError("this is a binary file, not text (it contains control characters)")
    _check_text_length(len(text))
    if not any(ch.isalnum() for ch in text):
        raise IngestError("the file has no text")
    return convert_legacy(text)[0]  # text typed in a TCVN3 or VNI font, in any container


def load_path(path: Path) -> str:
    if not path.exists():
        raise IngestError(f"{path} does not exist")
    if not path.is_file():
        raise IngestError(f"{path} is not a file")
    check_size(path.stat().st_size)  # refuse before reading a huge file into memory
    return load_bytes(path.name, path.read_bytes())
