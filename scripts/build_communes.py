"""Build vnpolicy/ingest/data/communes_2025.tsv.gz: the 3,321 communes, wards and special zones of the 34
provinces after the 2025 reorganisation, one per line as "unit<TAB>name<TAB>province" ("Xã<TAB>Bà Nà<TAB>Đà
Nẵng"). A commune's or ward's own document names only itself in its header ("ỦY BAN NHÂN DÂN⏎XÃ BÀ NÀ");
this tells its province. Source: the `vietnam-provinces` package, 2025 edition (the General Statistics
Office's list), installed with `pip install .[communes]` (the `data` extra's older edition has the
districts that scripts/build_place_names.py needs instead).

    python scripts/build_communes.py
"""

from __future__ import annotations

import gzip
import json
import re

from vietnam_provinces import FLAT_DIVISIONS_JSON_PATH

from vnpolicy.ingest.gazetteer import COMMUNES_FILE, PROVINCES_AFTER_2025
from vnpolicy.ingest.normalize import folded_form, to_nfc

_UNIT = re.compile(r"^(Phường|Xã|Đặc khu)\s+(.+)$")


def main() -> None:
    rows = json.loads(FLAT_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
    # The package spells provinces several ways ("Tp Hải Phòng", "Thành phố Hà Nội"); its code names do not vary.
    provinces = {folded_form(name).replace(" ", "_"): name for name in PROVINCES_AFTER_2025}
    lines = set()
    for row in rows:
        unit = _UNIT.match(to_nfc(row["name"]).strip())
        province = provinces.get(row["province_codename"])
        if unit is None or province is None:
            raise SystemExit(f"unexpected row: {row}")
        lines.add(f"{unit[1]}\t{unit[2]}\t{province}")
    with gzip.open(COMMUNES_FILE, "wt", encoding="utf-8", compresslevel=9) as out:
        out.write("\n".join(sorted(lines)) + "\n")
    print(f"{COMMUNES_FILE}: {len(lines)} communes, {COMMUNES_FILE.stat().st_size / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
