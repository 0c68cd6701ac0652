"""Build vnpolicy/ingest/data/place_names.txt.gz: the names of Vietnam's districts and wards (communes,
wards and townships) before the 2025 merger, one per line, without their unit ("Huyện Hòn Đất" → "Hòn Đất").

The restorer reads OCR text with them: a title-case run of words that can be read as a place name is read
as that name ("Kien Giang", "Hdn Dat" → "Kiên Giang", "Hòn Đất"). Source: the `vietnam-provinces` package
(the General Statistics Office's list of administrative units), installed with `pip install .[data]`.

    python scripts/build_place_names.py
"""

from __future__ import annotations

import gzip
import json
import re

from vietnam_provinces import FLAT_DIVISIONS_JSON_PATH

from vnpolicy.ingest.gazetteer import PLACE_NAMES_FILE
from vnpolicy.ingest.normalize import to_nfc

_UNIT = re.compile(r"^(?:Thành phố|Thị xã|Thị trấn|Huyện|Quận|Phường|Xã|Tỉnh)\s+", re.IGNORECASE)


def main() -> None:
    rows = json.loads(FLAT_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
    names: set[str] = set()
    for row in rows:
        for key in ("province_name", "district_name", "ward_name"):
            name = _UNIT.sub("", to_nfc(row.get(key) or "")).strip()
            # numbered wards ("Phường 1") and one-letter suffixes ("Tân Hiệp A") add no spelling
            name = re.sub(r"(?:\s+(?:\d+|[A-Z]))+$", "", name)
            if len(name.split()) >= 2:
                names.add(name)
    with gzip.open(PLACE_NAMES_FILE, "wt", encoding="utf-8", compresslevel=9) as out:
        out.write("\n".join(sorted(names)) + "\n")
    print(f"{PLACE_NAMES_FILE}: {len(names)} names, {PLACE_NAMES_FILE.stat().st_size / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
