"""XLSX written as sheet XML straight into a zip stream (docs/REPORTS.md, "Exports").

An .xlsx file is a zip of a few XML parts. The fixed parts are written once; the sheets are
rows of cells written as they come, never held in memory:

- on PostgreSQL without personal data, PostgreSQL renders every row's ``<row>`` element
  itself and ``COPY ... TO STDOUT`` streams them into the zip, as fast as the CSV path;
- otherwise (personal data is decrypted in Python; SQLite) Python renders the same XML.

Text is an inline string (``t="inlineStr"``): no shared-strings table to keep in memory, and
text that looks like a formula stays text because nothing is ever written as a formula.
Rows and cells carry no references (they are optional in the format: a row follows the
previous one, a cell the previous cell); a NULL is an empty ``<c/>`` so columns stay in place.
Dates and moments are numbers with a date format, as Excel stores them (days since
1899-12-30). Characters XML cannot hold (control characters) are dropped.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import IO
from xml.sax.saxutils import escape

from django.utils import timezone

MAX_DATA_ROWS = 1_048_575  # the sheet's first row holds the headers

STYLE_HEADER, STYLE_DAY, STYLE_MOMENT = 1, 2, 3
NUMBERS = {
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
    "AutoField",
    "BigAutoField",
    "FloatField",
    "DecimalField",
}
EXCEL_EPOCH = datetime(1899, 12, 30)
EXCEL_EPOCH_DAY = date(1899, 12, 30)
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
ENTITIES = {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;", '"': "&quot;"}

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/xl/workbook.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
<Override PartName="/xl/styles.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
{sheets}</Types>"""
SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" \
Target="xl/workbook.xml"/></Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{sheets}</sheets></workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}\
<Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" \
Target="styles.xml"/></Relationships>"""
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>\
<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>\
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>\
<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>\
<fills count="2"><fill><patternFill patternType="none"/></fill>\
<fill><patternFill patternType="gray125"/></fill></fills>\
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>\
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"""
SHEET_START = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_END = b"</sheetData></worksheet>"


def text_xml(value: str) -> str:
    return escape(ILLEGAL.sub("", value), ENTITIES)


def _string_cell(value: str, style: int = 0) -> str:
    styled = f' s="{style}"' if style else ""
    return f'<c t="inlineStr"{styled}><is><t xml:space="preserve">{text_xml(value)}</t></is></c>'


def header_row(names: list[str]) -> bytes:
    return ("<row>" + "".join(_string_cell(name, STYLE_HEADER) for name in names) + "</row>\n").encode()


class Workbook:
    """Sheets of rows streamed into a zip file; ``rows(...)`` or ``raw(...)`` feed the current sheet."""

    def __init__(self, path, sheet_name: str, headers: list[str]):
        self.zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        self.sheet_name = sheet_name
        self.header = header_row(headers)
        self.sheets = 0
        self.rows = 0  # data rows written
        self.room = 0  # data rows left in the current sheet
        self.stream: IO[bytes] | None = None

    def _next_sheet(self) -> IO[bytes]:
        if self.stream is not None:
            self.stream.write(SHEET_END)
            self.stream.close()
        self.sheets += 1
        stream = self.zip.open(f"xl/worksheets/sheet{self.sheets}.xml", "w", force_zip64=True)
        stream.write(SHEET_START)
        stream.write(self.header)
        self.stream = stream
        self.room = MAX_DATA_ROWS
        return stream

    def write(self, data: bytes) -> None:
        """Whole ``<row>…</row>\\n`` lines (COPY writes one row per call); a new sheet when one is full."""
        stream = self.stream if self.stream is not None else self._next_sheet()
        lines = data.count(b"\n")
        while lines > self.room:
            cut = -1
            for _ in range(self.room):
                cut = data.index(b"\n", cut + 1)
            stream.write(data[: cut + 1])
            self.rows += self.room
            data, lines = data[cut + 1 :], lines - self.room
            stream = self._next_sheet()
        stream.write(data)
        self.rows += lines
        self.room -= lines

    def close(self) -> None:
        # No rows: still a sheet with the headers.
        stream = self.stream if self.stream is not None else self._next_sheet()
        stream.write(SHEET_END)
        stream.close()
        names = [self.sheet_name if n == 1 else f"{self.sheet_name} {n}" for n in range(1, self.sheets + 1)]
        self.zip.writestr(
            "[Content_Types].xml",
            CONTENT_TYPES.format(sheets="".join(SHEET_TYPE.format(n=n) for n in range(1, self.sheets + 1))),
        )
        self.zip.writestr("_rels/.rels", ROOT_RELS)
        self.zip.writestr(
            "xl/workbook.xml",
            WORKBOOK.format(
                sheets="".join(
                    f'<sheet name="{text_xml(name)[:31]}" sheetId="{n}" r:id="rId{n}"/>'
                    for n, name in enumerate(names, start=1)
                )
            ),
        )
        self.zip.writestr(
            "xl/_rels/workbook.xml.rels",
            WORKBOOK_RELS.format(
                rels="".join(
                    f'<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    f'relationships/worksheet" Target="worksheets/sheet{n}.xml"/>'
                    for n in range(1, self.sheets + 1)
                )
            ),
        )
        self.zip.writestr("xl/styles.xml", STYLES)
        self.zip.close()


# --- rows rendered in Python -----------------------------------------------------------------


def python_cell_renderers(types: list[str]) -> list[Callable]:
    """One function per column turning a value into its ``<c>`` element."""
    zone = timezone.get_current_timezone()

    def number(value) -> str:
        if isinstance(value, Decimal):
            value = format(value, "f")
        return f"<c><v>{value}</v></c>"

    def moment(value: datetime) -> str:
        local = value.astimezone(zone).replace(tzinfo=None)
        return f'<c s="{STYLE_MOMENT}"><v>{(local - EXCEL_EPOCH).total_seconds() / 86400.0!r}</v></c>'

    def day(value: date) -> str:
        return f'<c s="{STYLE_DAY}"><v>{(value - EXCEL_EPOCH_DAY).days}</v></c>'

    def boolean(value) -> str:
        return f'<c t="b"><v>{1 if value else 0}</v></c>'

    def text(value) -> str:
        return _string_cell(str(value))

    by_type = {"DateTimeField": moment, "DateField": day, "BooleanField": boolean}
    return [by_type.get(t) or (number if t in NUMBERS else text) for t in types]


def python_rows(rows: Iterable[tuple], types: list[str]) -> Iterable[bytes]:
    renderers = python_cell_renderers(types)
    pairs = list(enumerate(renderers))
    buffer: list[str] = []
    for row in rows:
        cells = "".join("<c/>" if row[i] is None else render(row[i]) for i, render in pairs)
        buffer.append(f"<row>{cells}</row>\n")
        if len(buffer) == 1000:
            yield "".join(buffer).encode()
            buffer = []
    if buffer:
        yield "".join(buffer).encode()


# --- rows rendered by PostgreSQL -------------------------------------------------------------


def sql_cell(expression_sql: str, internal_type: str, time_zone: str) -> str:
    """SQL rendering one column's ``<c>`` element (``<c/>`` for NULL)."""
    x = f"({expression_sql})"
    if internal_type == "DateTimeField":
        value = f"(EXTRACT(EPOCH FROM (timezone('{time_zone}', {x}) - TIMESTAMP '1899-12-30')) / 86400.0)::text"
        rendered = f"'<c s=\"{STYLE_MOMENT}\"><v>' || {value} || '</v></c>'"
    elif internal_type == "DateField":
        rendered = f"'<c s=\"{STYLE_DAY}\"><v>' || ({x} - DATE '1899-12-30')::text || '</v></c>'"
    elif internal_type == "BooleanField":
        rendered = f"CASE WHEN {x} THEN '<c t=\"b\"><v>1</v></c>' ELSE '<c t=\"b\"><v>0</v></c>' END"
    elif internal_type in NUMBERS:
        rendered = f"'<c><v>' || {x}::text || '</v></c>'"
    else:
        escaped = (
            "replace(replace(replace(replace(replace(replace(replace(regexp_replace("
            f"{x}::text, '[\\x01-\\x08\\x0B\\x0C\\x0E-\\x1F]', '', 'g'), "
            "'&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '\\', '&#92;'), chr(10), '&#10;'), "
            "chr(13), '&#13;'), chr(9), '&#9;')"
        )
        rendered = f"'<c t=\"inlineStr\"><is><t xml:space=\"preserve\">' || {escaped} || '</t></is></c>'"
    return f"COALESCE({rendered}, '<c/>')"
