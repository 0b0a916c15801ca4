"""DDL of the raw layer: the contract between intake (``sources/``) and dbt (``models/staging``).

The raw layer is append-only: intake only ever inserts. Every figure keeps its lineage (file hash,
file name, sheet, row number, reporter, period, submitted-at, ingested-at, run id).
"""

RAW_SCHEMA = "raw"

# One row per file received (identical bytes are ingested once, so file_sha256 is unique).
SUBMISSIONS_DDL = """
create table if not exists raw.submissions (
    file_sha256     varchar primary key,
    file_name       varchar not null,   -- name as received (NFC), for people; never used as a path
    archive_path    varchar,            -- relative to DOTHI_HOME: archive/<sha[:2]>/<sha>.<ext>
    file_size       bigint,
    file_format     varchar,            -- csv | xlsx | xls | unknown
    encoding        varchar,            -- utf-8 | utf-8-sig | windows-1258 | null for Excel
    sheet_name      varchar,
    reporter_code   varchar,            -- resolved reporter; null when quarantined before resolution
    reporter_raw    varchar,            -- as written in the file
    reporter_kind   varchar,            -- locality | department
    periods         varchar,            -- distinct periods carried, comma-separated, sorted
    submitted_at    timestamp,          -- from the file (title block / column), else the file's mtime
    received_at     timestamp,          -- when intake first saw the file in the inbox
    ingested_at     timestamp not null,
    run_id          varchar,
    status          varchar not null,   -- accepted | accepted_with_rejections | quarantined
    reason          varchar,            -- why quarantined (actionable), null otherwise
    rows_read       integer,
    rows_accepted   integer,
    rows_rejected   integer,
    is_synthetic    boolean,            -- the file says its figures are synthetic (the bundled sample)
    title_block     varchar             -- JSON of key/value lines found above the header
)
"""

# One row per accepted figure (value may be null: "missing" is never zero).
FIGURES_DDL = """
create table if not exists raw.figures (
    file_sha256     varchar not null,
    file_name       varchar not null,
    sheet_name      varchar,
    row_number      integer not null,   -- 1-based row as a person sees it in the sheet/file
    reporter_code   varchar not null,
    reporter_kind   varchar not null,
    locality_code   varchar not null,
    locality_key    varchar,            -- the unit version meant: '<code>@<valid_from>' (codes are reused)
    locality_reading varchar,           -- how the name/code was read when it had several versions, else null
    indicator_code  varchar not null,
    period          varchar not null,   -- 2024 | 2024-H1 | 2024-Q3 | 2024-03
    value           double,
    unit            varchar,            -- as written (checked against the indicator's unit)
    numerator       double,
    denominator     double,
    note            varchar,
    value_raw       varchar,            -- the cell text as received
    number_reading  varchar,            -- how an ambiguous number was read, e.g. 'vi', 'en', 'ambiguous:vi'
    submitted_at    timestamp,
    ingested_at     timestamp not null,
    run_id          varchar
)
"""

# One row per rejected field of a row; the whole raw row is kept as JSON so nothing is lost.
REJECTED_ROWS_DDL = """
create table if not exists raw.rejected_rows (
    file_sha256     varchar not null,
    file_name       varchar not null,
    sheet_name      varchar,
    row_number      integer not null,
    field           varchar not null,   -- reporter | locality | indicator | period | value | unit | ...
    value_raw       varchar,
    reason          varchar not null,   -- actionable, names the closest known names where relevant
    suggestion      varchar,
    row_data        varchar,            -- JSON of the whole row as read
    reporter_code   varchar,
    period          varchar,
    ingested_at     timestamp not null,
    run_id          varchar
)
"""

# The audit log of publications: one row per refresh that published this warehouse, appended by the
# publish step into the working copy just before it goes live (so the live file names its own run;
# runs that failed or were killed are in DOTHI_HOME/logs/runs.jsonl instead). Joins raw.submissions and
# raw.figures on run_id: the run that ingested a file is the run that published it.
REFRESH_RUNS_DDL = """
create table if not exists raw.refresh_runs (
    run_id              varchar primary key,
    trigger             varchar,            -- cli | schedule | sensor | ui
    started_at          timestamp,          -- Vietnam time, like every raw timestamp
    published_at        timestamp,
    previous_run_id     varchar,            -- the run whose warehouse this one replaced
    files_seen          integer,
    files_accepted      integer,
    files_with_rejections integer,
    files_quarantined   integer,
    files_duplicate     integer,
    files_recovered     integer,            -- re-loaded from the archive journal after a failed run
    files_error         integer,
    rows_accepted       integer,
    rows_rejected       integer,
    mart_rows           varchar,            -- JSON: rows per marts.* table as published
    exports_dir         varchar,            -- relative to DOTHI_HOME: the Parquet exports of this run
    host                varchar,
    pid                 integer
)
"""

# One row per rejected row later recovered from the archive (`dothi reprocess`, sources/reprocess.py): its
# figure is then in raw.figures with the original file's lineage, and its rejection findings close.
RECOVERED_ROWS_DDL = """
create table if not exists raw.recovered_rows (
    file_sha256     varchar not null,
    file_name       varchar not null,
    sheet_name      varchar,
    row_number      integer not null,
    rejected_fields varchar,            -- the fields it had been rejected for, comma-separated
    recovered_at    timestamp not null,
    run_id          varchar
)
"""

# One row per quarantined file later recovered from the archive (`dothi reprocess`, sources/reprocess.py): the
# file as it reads now that the reference data has changed (an unknown reporter since aliased), with the
# lineage of its first arrival (same hash, archive path, received/submitted/ingested times and run). The raw
# layer stays append-only: raw.submissions keeps the 'quarantined' row; staging (stg_raw__submissions) takes
# this row as the file's current state. Its figures and rejected rows are in raw.figures / raw.rejected_rows
# (ingested_at, run_id: the recovering run). file_sha256 is the key: a file is recovered once.
RECOVERED_FILES_DDL = """
create table if not exists raw.recovered_files (
    file_sha256     varchar primary key,
    file_name       varchar not null,
    archive_path    varchar,
    file_size       bigint,
    file_format     varchar,
    encoding        varchar,
    sheet_name      varchar,
    reporter_code   varchar,
    reporter_raw    varchar,
    reporter_kind   varchar,
    periods         varchar,
    submitted_at    timestamp,
    received_at     timestamp,
    ingested_at     timestamp not null, -- the first arrival's, as in raw.submissions
    run_id          varchar,            -- the run that first received the file
    status          varchar not null,   -- accepted | accepted_with_rejections
    reason          varchar,
    rows_read       integer,
    rows_accepted   integer,
    rows_rejected   integer,
    is_synthetic    boolean,
    title_block     varchar,
    previous_status varchar not null,   -- quarantined
    previous_reason varchar,            -- why it had been quarantined
    recovered_at    timestamp not null,
    recovered_run_id varchar
)
"""

# The approval log (sources/approvals.py), mirrored whole from DOTHI_HOME/control/approvals.jsonl by
# every intake: the log outside the warehouse is the truth, so no rebuild loses an approval.
APPROVALS_DDL = """
create table if not exists raw.approvals (
    event_id        varchar not null,   -- one approve/unapprove command
    action          varchar not null,   -- approve | unapprove
    event_at        timestamp not null, -- Vietnam time, like every raw timestamp
    approved_by     varchar not null,
    note            varchar not null,
    scope           varchar,            -- JSON: the command's period / localities / indicators
    locality_code   varchar not null,
    indicator_code  varchar not null,
    period          varchar not null,
    value           double,             -- the frozen value (approve), else the value when unlocked
    numerator       double,
    denominator     double,
    revision        integer,
    file_sha256     varchar,            -- the frozen figure's file and row (null for a computed aggregate)
    file_name       varchar,
    sheet_name      varchar,
    row_number      integer,
    chosen_source   varchar
)
"""

ALL_DDL = (
    SUBMISSIONS_DDL,
    FIGURES_DDL,
    REJECTED_ROWS_DDL,
    REFRESH_RUNS_DDL,
    RECOVERED_ROWS_DDL,
    RECOVERED_FILES_DDL,
    APPROVALS_DDL,
)

# Columns added after a warehouse may already exist: ``create table if not exists`` leaves an existing
# table as it was, so each is added in place (nullable, so the rows already there stay valid).
MIGRATIONS = (
    "alter table raw.figures add column if not exists locality_key varchar",
    "alter table raw.figures add column if not exists locality_reading varchar",
)
