"""One submitted file → Submission(meta, figures, rejected), or QuarantineError for the whole file.

Row rules follow the submission contract (shared/spec/submissions.md): each bad field of a row
gives one rejected entry and the row does not become a figure; a missing value is a figure with
value None (missing is never zero); revisions are not resolved here (dbt picks the current one).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import cache

from sources.formats import Cell, CellError, Document, UnreadableFile, read_document
from sources.formats.layout import Table, locate_table
from sources.normalize.dates import parse_date
from sources.normalize.headers import is_header, match_header, match_title_key
from sources.normalize.names import Resolution, Resolvers, resolvers
from sources.normalize.numbers import dominant_style, parse_number
from sources.normalize.periods import PeriodResult, parse_period, period_end
from sources.normalize.text import QUOTE_LIMIT, cell_text, clip, fold
from sources.normalize.units import check_unit
from sources.reference import Reference, Reporter, load_reference

SYNTHETIC_MARKERS = ("synthetic", "mo phong")
_NEW_REPORTER_HINT = (
    "Correct the name, or if this is a new reporting unit add it to dbt_project/seeds/reporters.csv "
    "(other spellings in reporter_aliases.csv)"
)


class QuarantineError(Exception):
    """The whole file cannot be ingested; ``reason`` tells a person what to fix."""

    def __init__(
        self,
        reason: str,
        *,
        file_format: str | None = None,
        encoding: str | None = None,
        sheet_name: str | None = None,
        reporter_raw: str | None = None,
        title_block: dict[str, object] | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.file_format = file_format
        self.encoding = encoding
        self.sheet_name = sheet_name
        self.reporter_raw = reporter_raw
        self.title_block = title_block


@dataclass(frozen=True)
class SubmissionMeta:
    file_name: str
    file_format: str  # csv | xlsx | xls
    encoding: str | None
    sheet_name: str | None
    header_row: int
    reporter_code: str
    reporter_raw: str
    reporter_kind: str
    periods: tuple[str, ...]
    submitted_at: datetime | None  # None: the caller falls back to the file's mtime
    is_synthetic: bool
    title_block: dict[str, object]
    rows_read: int


@dataclass(frozen=True)
class Figure:
    row_number: int
    reporter_code: str
    reporter_kind: str
    locality_code: str
    locality_key: str  # the unit version meant at the end of the period ('22411@2025-07-01')
    locality_reading: str | None  # how the name/code was read when it had several versions, else None
    indicator_code: str
    period: str
    value: float | None
    unit: str | None
    numerator: float | None
    denominator: float | None
    note: str | None
    value_raw: str | None
    number_reading: str | None
    submitted_at: datetime | None


@dataclass(frozen=True)
class RejectedRow:
    row_number: int
    field: str
    value_raw: str | None
    reason: str
    suggestion: str | None
    row_data: str  # JSON of the whole row as read
    reporter_code: str | None
    period: str | None


@dataclass(frozen=True)
class Submission:
    meta: SubmissionMeta
    figures: list[Figure] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)

    @property
    def rows_rejected(self) -> int:
        return len({r.row_number for r in self.rejected})

    @property
    def status(self) -> str:
        return "accepted_with_rejections" if self.rejected else "accepted"


@dataclass
class _Context:
    """What every row of a file shares."""

    table: Table
    res: Resolvers
    reporter: Reporter
    titled_locality: str | None  # the title block's 'Địa bàn', resolved per row by the row's period
    title_period: Cell
    period_ends: tuple[date, ...] | None  # the file's periods (their last days), when all are known
    submitted_at: datetime | None
    dominant: Callable[[], str | None]  # the file's number style, worked out the first time it is needed
    today: date
    now: datetime  # the ingestion time: no submission date is later
    clamped_rows: list[int] = field(default_factory=list)  # rows whose own date was after it
    broken_cells: bool = False  # the workbook holds Excel errors or uncalculated formulas
    places: dict[tuple[object, ...], _Place] = field(default_factory=dict)  # settled once per file


# Fields a row is read from: a broken Excel cell (#DIV/0!, a formula never calculated) in one of them
# rejects the row.
_READ_FIELDS = (
    "reporter_code", "reporter", "locality_code", "locality", "indicator", "indicator_name", "period", "value",
    "unit", "numerator", "denominator", "note", "submitted",
)
_REASON_LIMIT = 2 * QUOTE_LIMIT
_VIETNAM = timezone(timedelta(hours=7))  # the clock of every stored timestamp (as in sources/prepare.py)


Fields = dict[str, Cell]  # a row's filled cells by field name: read once per row, however often asked


def _fields(table: Table, cells: list[Cell]) -> Fields:
    width = len(cells)
    out: Fields = {}
    for name, col in table.columns.items():
        if col < width:
            value = cells[col]
            if value is not None and not (isinstance(value, str) and not value.strip()):
                out[name] = value
    return out


def _first(row: Fields, *names: str) -> Cell:
    for name in names:
        value = row.get(name)
        if value is not None:
            return value
    return None


def _text_or_none(cell: Cell) -> str | None:
    return cell_text(cell) or None


def _row_json(table: Table, cells: list[Cell]) -> str:
    data = {
        clip(table.labels[c]) if c < len(table.labels) else str(c): clip(cell_text(v))
        for c, v in enumerate(cells)
        if cell_text(v)
    }
    return json.dumps(data, ensure_ascii=False)


def _clip_reason(reason: str, raw: str | None) -> str:
    """A reason quotes the field it refuses: quote a few hundred characters of it, never all of it."""
    if len(reason) <= _REASON_LIMIT:
        return reason
    if raw and len(raw) > QUOTE_LIMIT:
        reason = reason.replace(raw, clip(raw))
    return clip(reason, _REASON_LIMIT)


def _is_blank(cells: list[Cell]) -> bool:
    return not any(cell_text(c) for c in cells)


def _title_json(table: Table) -> dict[str, object]:
    out: dict[str, object] = dict(table.title.pairs)
    if table.title.lines:
        out["_lines"] = table.title.lines
    return out


def _quarantine(
    reason: str, doc: Document | None = None, table: Table | None = None, reporter_raw: str | None = None
) -> QuarantineError:
    return QuarantineError(
        reason,
        file_format=doc.format if doc else None,
        encoding=doc.encoding if doc else None,
        sheet_name=table.sheet_name if table else None,
        reporter_raw=reporter_raw,
        title_block=_title_json(table) if table else None,
    )


def _reporter_problem(found: Resolution) -> str:
    # A name several committees answer to needs the full name, not a new reporter.
    return f"{found.reason}" if found.candidates else f"{found.reason}. {_NEW_REPORTER_HINT}"


def _file_period_ends(table: Table, rows: list[list[Cell]], today: date) -> tuple[date, ...] | None:
    """The last days of the file's periods (title block and period column), or None when one of them
    is missing or unreadable: a file-level reporter is resolved before its rows are."""
    title = table.title.fields.get("period")
    written = [c for c in _column_cells(table, rows, "period") if cell_text(c)]
    if title is not None and ("period" not in table.columns or len(written) < len(rows)):
        written.append(title)
    if not written:
        return None
    ends: set[date] = set()
    for cell in dict.fromkeys(written):
        found = parse_period(cell, today)
        if not found.ok or found.period is None:
            return None
        ends.add(period_end(found.period))
    return tuple(sorted(ends))


def _file_reporter(
    table: Table, rows: list[list[Cell]], res: Resolvers, doc: Document, period_ends: tuple[date, ...] | None
) -> tuple[str, str]:
    """(reporter_code, as written): the title block's, else the most common one in the reporter column."""
    titled = table.title.fields.get("reporter")
    if titled is not None:
        found = res.reporter(cell_text(titled), period_ends)
        if not found.ok:
            raise _quarantine(
                f"reporter in the title block: {_reporter_problem(found)}",
                doc,
                table,
                cell_text(titled),
            )
        return found.code or "", cell_text(titled)
    columns = [c for c in ("reporter_code", "reporter") if c in table.columns]
    written = [
        cell_text(row[table.columns[c]])
        for row in rows
        for c in columns
        if table.columns[c] < len(row) and cell_text(row[table.columns[c]])
    ]
    if not written:
        raise _quarantine(
            "no reporter: put 'Đơn vị báo cáo: <name>' above the header or fill an 'Đơn vị báo cáo' column",
            doc,
            table,
        )
    resolved = Counter((res.reporter(w, period_ends).code, w) for w in written)
    best = [(code, w) for (code, w), _ in resolved.most_common() if code]
    if not best:
        raise _quarantine(
            f"reporter column: {_reporter_problem(res.reporter(written[0], period_ends))}",
            doc,
            table,
            written[0],
        )
    return best[0][0] or "", best[0][1]


def _reject(
    rejected: list[RejectedRow],
    row_number: int,
    field_name: str,
    raw: Cell,
    reason: str,
    suggestion: str | None,
    row_json: str,
    reporter: str | None,
    period: str | None,
) -> None:
    text = _text_or_none(raw)
    rejected.append(
        RejectedRow(
            row_number,
            field_name,
            clip(text) if text else None,
            _clip_reason(reason, text),
            _clip_reason(suggestion, text) if suggestion else None,
            row_json,
            reporter,
            period,
        )
    )


@dataclass(frozen=True)
class _Place:
    """What a row's period, reporter and locality cells settle, with their problems."""

    period: PeriodResult
    locality: Resolution | None
    problems: tuple[tuple[str, Cell, str, str | None], ...]  # (field, raw, reason, suggestion)


def _settle_place(ctx: _Context, raw_period: Cell, raw_reporter: Cell, raw_locality: Cell) -> _Place:
    res, reporter = ctx.res, ctx.reporter
    problems: list[tuple[str, Cell, str, str | None]] = []
    # The period first: the locality is read as the unit that existed at its end.
    period = parse_period(raw_period, ctx.today)

    if raw_reporter is not None:
        found = res.reporter(cell_text(raw_reporter), ctx.period_ends)
        if not found.ok:
            problems.append(("reporter", raw_reporter, found.reason or "", found.suggestion))
        elif found.code != reporter.code:
            problems.append(
                (
                    "reporter",
                    raw_reporter,
                    f"row reporter {found.code} differs from the file's reporter {reporter.code}; "
                    "send one file per reporter",
                    reporter.name_vi,
                )
            )

    locality: Resolution | None = None
    if raw_locality is None:
        if reporter.kind != "locality":
            problems.append(
                (
                    "locality",
                    None,
                    "locality is blank: a department's file must name the locality on every row",
                    None,
                )
            )
        elif period.period is None:  # the row is refused for its period; its unit is the reporter's
            locality = Resolution(reporter.locality_code)
        else:  # a locality's own file: its unit, as it stood at the end of the period
            locality = res.own_locality(reporter, period.period)
            if not locality.ok:
                problems.append(("locality", None, locality.reason or "", locality.suggestion))
    else:
        found = res.locality(cell_text(raw_locality), period.period)
        if not found.ok:
            problems.append(("locality", raw_locality, found.reason or "", found.suggestion))
        elif reporter.kind == "locality" and not res.is_own(reporter, found):
            own = res.own_locality(reporter, period.period) if period.period else Resolution(None)
            problems.append(
                (
                    "locality",
                    raw_locality,
                    own.reason
                    if own.reason
                    else f"{reporter.name_vi} reports on its own area ({reporter.locality_code}) only, "
                    f"not on {found.code}",
                    own.suggestion,
                )
            )
        else:
            locality = found

    return _Place(period, locality, tuple(problems))


def _typed(cell: Cell) -> object:
    """A cell as a key that tells apart what renders differently (1 and 1.0, 0.0 and -0.0)."""
    return cell if cell is None or cell.__class__ is str else (cell.__class__, repr(cell))


def _parse_row(
    ctx: _Context, row_number: int, cells: list[Cell], row: Fields
) -> tuple[Figure | None, list[RejectedRow]]:
    if ctx.broken_cells and any(isinstance(c, CellError) for c in cells):
        broken = _broken_cells(row)
        if broken:
            return None, _rejections(ctx, row_number, cells, broken, None)

    raw_period = row.get("period")
    raw_period = raw_period if raw_period is not None else ctx.title_period
    raw_reporter = _first(row, "reporter_code", "reporter")
    raw_locality = _first(row, "locality_code", "locality")
    if raw_locality is None and ctx.titled_locality is not None:
        raw_locality = ctx.titled_locality
    # A file repeats its period, reporter and locality cells row after row: each combination is
    # settled once per file (the same cells settle the same way on every row).
    key = (_typed(raw_period), _typed(raw_reporter), _typed(raw_locality))
    place = ctx.places.get(key)
    if place is None:
        place = ctx.places[key] = _settle_place(ctx, raw_period, raw_reporter, raw_locality)
    period, locality, reporter, res = place.period, place.locality, ctx.reporter, ctx.res
    problems = list(place.problems)

    indicator = None
    raw_indicator = _first(row, "indicator", "indicator_name")
    found = res.indicator(cell_text(raw_indicator))
    if found.ok:
        indicator = res.reference.indicators[found.code or ""]
    else:
        problems.append(("indicator", raw_indicator, found.reason or "", found.suggestion))

    if not period.ok:
        problems.append(("period", raw_period, period.reason or "", period.suggestion))

    raw_unit = row.get("unit")
    if indicator is not None and (why := check_unit(cell_text(raw_unit), indicator)):
        problems.append(("unit", raw_unit, why, indicator.unit))

    raw_value = row.get("value")
    value = parse_number(
        raw_value, indicator, dominant=ctx.dominant, allow_percent=None if indicator else True
    )
    if not value.ok:
        problems.append(("value", raw_value, value.reason or "", value.suggestion))
    parts = {}
    for name in ("numerator", "denominator"):
        raw = row.get(name)
        parts[name] = parse_number(raw, None, dominant=ctx.dominant, allow_percent=False)
        if not parts[name].ok:
            problems.append((name, raw, parts[name].reason or "", parts[name].suggestion))

    if problems:
        return None, _rejections(ctx, row_number, cells, problems, period.period)

    submitted = _clamped(ctx, row_number, parse_date(row.get("submitted"))) or ctx.submitted_at
    figure = Figure(
        row_number=row_number,
        reporter_code=reporter.code,
        reporter_kind=reporter.kind,
        locality_code=(locality.code if locality else None) or "",
        locality_key=(locality.key if locality else None) or "",
        locality_reading=locality.reading if locality else None,
        indicator_code=indicator.code if indicator else "",
        period=period.period or "",
        value=value.value,
        unit=_text_or_none(raw_unit),
        numerator=parts["numerator"].value,
        denominator=parts["denominator"].value,
        note=_text_or_none(row.get("note")),
        value_raw=clip(cell_text(raw_value)) or None,
        number_reading=value.reading,
        submitted_at=submitted,
    )
    return figure, []


def _rejections(
    ctx: _Context,
    row_number: int,
    cells: list[Cell],
    problems: list[tuple[str, Cell, str, str | None]],
    period: str | None,
) -> list[RejectedRow]:
    row_json = _row_json(ctx.table, cells)  # only a rejected row keeps the whole row as read
    rejected: list[RejectedRow] = []
    for field_name, raw, reason, suggestion in problems:
        _reject(rejected, row_number, field_name, raw, reason, suggestion, row_json, ctx.reporter.code, period)
    return rejected


def _broken_cells(row: Fields) -> list[tuple[str, Cell, str, str | None]]:
    problems: list[tuple[str, Cell, str, str | None]] = []
    for name in _READ_FIELDS:
        value = row.get(name)
        if not isinstance(value, CellError):
            continue
        if value.code:
            problems.append((name, value, f"the cell holds the Excel error {value.code}: its formula failed, "
                             "so there is no figure (broken is not missing)", "fix the formula in Excel, or "
                             "leave the cell blank when the figure is missing"))
        else:
            problems.append((name, value, "the cell holds a formula that was never calculated (no saved value)",
                             "open and save the file in Excel, then send it again"))
    return problems


def _clamped(ctx: _Context, row_number: int, moment: datetime | None) -> datetime | None:
    """A submission date after the ingestion time (a typo, a PC clock in 2099) would keep its version
    current over every later correction: it is the ingestion time instead (noted in the title block)."""
    if moment is None or moment <= ctx.now:
        return moment
    ctx.clamped_rows.append(row_number)
    return ctx.now


def _field_count_problem(table: Table, cells: list[Cell], delimiter: str) -> str | None:
    """Why a CSV row with another field count than the header is not read, or None when it matches.

    A row may stop early when only its trailing note is left out; any other shortfall, and any filled
    field beyond the header, shifts the columns, so the row is never guessed at."""
    width = table.header_width or 0
    count = len(cells)
    if count > width:
        message = f"the row has {count} fields but the header has {width}: the values do not line up"
        if delimiter == ",":
            for name in ("value", "numerator", "denominator"):
                col = table.columns.get(name)
                if col is None or col + 1 >= count:
                    continue
                whole, frac = cell_text(cells[col]), cell_text(cells[col + 1])
                if whole.lstrip("-").isdigit() and frac.isdigit():
                    return (
                        f"{message}; '{clip(whole, 60)}' and '{clip(frac, 60)}' look like one figure split "
                        f"at an unquoted decimal comma? write \"{clip(whole, 60)},{clip(frac, 60)}\" in quotes "
                        "or use ';' as the separator"
                    )
        if all(c is None for c in cells[width:]):
            return None  # a trailing separator: nothing shifted
        return message + "; check the separators (a ',' or ';' inside a field must be in quotes)"
    if count < width:
        needed = [c for f, c in table.columns.items() if f != "note"]
        if needed and count <= max(needed):
            return (
                f"the row has {count} fields but the header has {width}: the values do not line up; "
                "check the separators (a ',' or ';' inside a field must be in quotes)"
            )
    return None


def _second_table(cells: list[Cell]) -> tuple[str, str] | None:
    """A heading row that starts another table: ('period', the period) for a 'Kỳ báo cáo: …' title line,
    whose period the rows below it carry; ('header', '') for a header row with other columns."""
    texts = [text for c in cells if (text := cell_text(c))]
    if not texts:
        return None
    key, sep, value = texts[0].partition(":")
    if sep and value.strip() and match_title_key(key) == "period":
        return "period", value.strip()
    if len(texts) >= 2 and is_header({f for t in texts if (f := match_header(t))}):
        return "header", ""
    return None


def _is_heading(ctx: _Context, row: Fields) -> bool:
    # Section headings ('I. Nhà ở') and signature lines ('Người lập biểu') carry no figure and name no
    # known indicator: skipping them loses nothing (the archived file keeps them).
    if any(f in row for f in ("value", "numerator", "denominator")):
        return False
    return not ctx.res.indicator(cell_text(_first(row, "indicator", "indicator_name"))).ok


def _repeats_header(header_key: list[str], cells: list[Cell]) -> bool:
    # Two exports pasted one under the other repeat the header row: it is not a row of figures.
    if not cells or fold(cell_text(cells[0])) != (header_key[0] if header_key else None):
        return False  # the cheap test first: most rows differ in their first cell
    texts = [fold(cell_text(c)) for c in cells]
    return any(texts) and all(t == h for t, h in zip(texts, header_key, strict=False) if t)


def _title_notes(
    table: Table,
    doc: Document,
    written_at: datetime | None,
    submitted_at: datetime | None,
    period_titles: list[tuple[int, str]],
    clamped_rows: list[int],
) -> dict[str, object]:
    """The title block as read, plus the choices intake made on the file's behalf (keys start with '_')."""
    out = _title_json(table)
    hidden = doc.notes.get("hidden_sheets_skipped")
    if hidden:
        out["_hidden_sheets_skipped"] = hidden
        out["_sheet_read"] = table.sheet_name
    if "read_from_zip" in doc.notes:
        out["_read_from_zip"] = doc.notes["read_from_zip"]
    if "read_as" in doc.notes:
        out["_read_as"] = doc.notes["read_as"]
    if doc.encoding and doc.encoding.endswith(":double-encoded"):
        out["_encoding_repaired"] = "the text was UTF-8 encoded twice (mojibake); it was decoded once more"
    if written_at is not None and submitted_at is not None and written_at > submitted_at:
        out["_submitted_at_clamped"] = (
            f"the file's submission date {written_at:%Y-%m-%d %H:%M} is after the ingestion time; "
            f"{submitted_at:%Y-%m-%d %H:%M} is used instead"
        )
    if clamped_rows:
        out["_submitted_at_clamped_rows"] = clamped_rows[:50]
    if period_titles:
        out["_period_titles"] = {str(row): period for row, period in period_titles}
    return out


def _column_cells(table: Table, rows: list[list[Cell]], name: str) -> list[Cell]:
    col = table.columns.get(name)
    return [] if col is None else [row[col] for row in rows if col < len(row)]


def parse_submission(
    data: bytes,
    file_name: str,
    *,
    today: date | None = None,
    reference: Reference | None = None,
    now: datetime | None = None,
) -> Submission:
    """Parse one file. Raises QuarantineError for whole-file problems.

    ``now`` is the ingestion time (naive Vietnam time): a submission date after it is clamped to it.
    Without it the bound is the clock's present (``today`` may be set in the past to test periods)."""
    today = today or (now.date() if now else date.today())
    now = now or datetime.now(_VIETNAM).replace(tzinfo=None)
    res = resolvers(reference or load_reference())
    doc: Document | None = None
    try:
        doc = read_document(data)
        table = locate_table(doc)
    except UnreadableFile as exc:
        raise _quarantine(exc.reason, doc) from exc

    rows = [(n, cells) for n, cells in table.rows if not _is_blank(cells)]
    if not rows:
        raise _quarantine(f"the header is on row {table.header_row} but no data rows follow it", doc, table)
    row_cells = [c for _, c in rows]
    period_ends = _file_period_ends(table, row_cells, today)
    code, reporter_raw = _file_reporter(table, row_cells, res, doc, period_ends)
    reporter = res.reference.reporters[code]

    title_period = table.title.fields.get("period")
    if title_period is None and not any(cell_text(c) for c in _column_cells(table, row_cells, "period")):
        raise _quarantine(
            "no period: put 'Kỳ báo cáo: 2024' above the header or fill a 'Kỳ báo cáo' column",
            doc,
            table,
            reporter_raw,
        )
    if title_period is not None and "period" not in table.columns:
        checked = parse_period(title_period, today)
        if not checked.ok:
            raise _quarantine(f"period in the title block: {checked.reason}", doc, table, reporter_raw)

    # The title block's locality stands for a blank locality cell when it names a known unit.
    titled = cell_text(table.title.fields.get("locality"))
    titled_locality = titled if titled and res.localities.candidates(titled) else None

    @cache
    def dominant() -> str | None:
        return dominant_style(
            c for f in ("value", "numerator", "denominator") for c in _column_cells(table, row_cells, f)
        )

    column_dates = [d for c in _column_cells(table, row_cells, "submitted") if (d := parse_date(c))]
    written_at = parse_date(table.title.fields.get("submitted")) or (max(column_dates) if column_dates else None)
    submitted_at = written_at if written_at is None or written_at <= now else now
    ctx = _Context(
        table,
        res,
        reporter,
        titled_locality,
        title_period,
        period_ends,
        submitted_at,
        dominant,
        today,
        now,
        broken_cells=bool(doc.notes.get("broken_cells")),
    )

    figures: list[Figure] = []
    rejected: list[RejectedRow] = []
    first_seen: dict[tuple[str, str, str], int] = {}
    rows_read = 0
    period_titles: list[tuple[int, str]] = []
    header_key = [fold(label) for label in table.labels]
    delimiter = str(doc.notes.get("delimiter", ""))
    for row_number, cells in rows:
        if (why := table.row_problems.get(row_number)) is not None:
            rows_read += 1
            _reject(rejected, row_number, "row", None, why, None, _row_json(table, cells), reporter.code, None)
            continue
        if _repeats_header(header_key, cells):
            continue
        row = _fields(table, cells)
        if _is_heading(ctx, row):
            starts = _second_table(cells)
            if starts is not None and starts[0] == "period":  # a table stacked under the first: its own period
                ctx.title_period = starts[1]
                period_titles.append((row_number, starts[1]))
            elif starts is not None:
                raise _quarantine(
                    f"a second table starts on row {row_number} with other columns than the header on row "
                    f"{table.header_row}: send one table per sheet (or one file per table)",
                    doc,
                    table,
                    reporter_raw,
                )
            continue
        rows_read += 1
        if table.header_width is not None and (why := _field_count_problem(table, cells, delimiter)):
            _reject(rejected, row_number, "row", None, why, None, _row_json(table, cells), reporter.code, None)
            continue
        figure, problems = _parse_row(ctx, row_number, cells, row)
        rejected += problems
        if figure is None:
            continue
        key = (figure.locality_code, figure.indicator_code, figure.period)
        if key in first_seen:
            _reject(
                rejected,
                row_number,
                "row",
                None,
                f"duplicate of row {first_seen[key]} (same locality {key[0]}, indicator {key[1]}, "
                f"period {key[2]}); the first row is kept",
                f"remove row {row_number} or correct row {first_seen[key]}",
                _row_json(table, cells),
                reporter.code,
                figure.period,
            )
            continue
        first_seen[key] = row_number
        figures.append(figure)

    notes = " ".join(f.note or "" for f in figures)
    synthetic_text = fold(f"{table.title.text()} {notes}")
    meta = SubmissionMeta(
        file_name=file_name,
        file_format=doc.format,
        encoding=doc.encoding,
        sheet_name=table.sheet_name,
        header_row=table.header_row,
        reporter_code=reporter.code,
        reporter_raw=reporter_raw,
        reporter_kind=reporter.kind,
        periods=tuple(sorted({f.period for f in figures})),
        submitted_at=submitted_at,
        is_synthetic=any(marker in synthetic_text for marker in SYNTHETIC_MARKERS),
        title_block=_title_notes(table, doc, written_at, submitted_at, period_titles, ctx.clamped_rows),
        rows_read=rows_read,
    )
    return Submission(meta, figures, rejected)
