-- The floor: ONE hand-written DuckDB script doing dothi's core job straight from the files —
-- read every submission, normalise names/periods/numbers, reject bad rows, keep the latest version,
-- consolidate the two channels (department over locality), flag disagreements beyond tolerance,
-- aggregate the programme's province rows by dothi's rules and compute each locality x indicator's gap to target.
-- No orchestration, no lineage tables, no archive, no GX, no reports: a lower bound, not a product.
--
-- Placeholders (filled by benchmarks/baselines/floor.py; a dialect without files gets a header-only file):
--   {A}      CSV, UTF-8 BOM, ',' , Vietnamese headers, English numbers        (BC_*.csv)
--   {B}      CSV, UTF-8, ';' , Vietnamese headers, Vietnamese numbers          (BaoCao_*.csv)
--   {C}      CSV, UTF-8, ',' , English headers, English numbers               (report_*.csv)
--   {CANON}  CSV converted outside the timing (DuckDB's excel extension cannot be installed offline;
--            at sample scale also cp1258/.xls/title-block files): English headers + a `numbers` column
--   {REF}    the seeds folder (real seeds + the scale's overlay)
--   {PROVINCE}  the programme's province code (dbt var province_code, dbt_project/dbt_project.yml)
--   {PROVINCE_KEY}, {REORGANISATION}  its locality key at the horizon; the reorganisation date (dbt vars)
-- The floor is told each file's dialect (by its name); dothi has to sniff it. That is part of the floor.

set preserve_insertion_order = false;

-- ---------------------------------------------------------------- reference and name keys
create or replace macro fold(t) as
    trim(regexp_replace(lower(strip_accents(replace(replace(nfc_normalize(coalesce(t, '')), 'đ', 'd'), 'Đ', 'D'))),
                        '[^0-9a-z]+', ' ', 'g'));
create or replace macro unprefix(k) as
    regexp_replace(regexp_replace(k, '^(ubnd|uy ban nhan dan) ', ''),
                   '^(tinh|thanh pho|tp|thi xa|tx|huyen dao|huyen|h|quan|q|thi tran|tt) ', '');

create temp table localities as select * from read_csv('{REF}/localities.csv', all_varchar = true);
create temp table reporters as select * from read_csv('{REF}/reporters.csv', all_varchar = true);
create temp table indicators as select * from read_csv('{REF}/indicators.csv', all_varchar = true);
create temp table targets as select * from read_csv('{REF}/targets.csv', all_varchar = true);
create temp table programmes as select * from read_csv('{REF}/programmes.csv', all_varchar = true);

create temp table loc_keys as
with names as (
    select locality_code as code, unnest([locality_code, name_vi, name_en, short_name_vi]) as name, 0 as pri
    from localities
    union all
    select split_part(locality_key, '@', 1), alias, 1 from read_csv('{REF}/locality_aliases.csv', all_varchar = true)
),
keys as (
    select fold(name) as key, code, pri from names
    union all select unprefix(fold(name)), code, pri + 2 from names
)
select key, arg_min(code, pri) as code from keys where key <> '' group by key;

create temp table rep_keys as
with names as (
    select reporter_code as code, unnest([reporter_code, name_vi, name_en, short_name_vi]) as name, 0 as pri
    from reporters
    union all
    select reporter_code, alias, 1 from read_csv('{REF}/reporter_aliases.csv', all_varchar = true)
),
keys as (
    select fold(name) as key, code, pri from names
    union all select unprefix(fold(name)), code, pri + 2 from names
    -- a locality's name stands for its People's Committee
    union all select loc_keys.key, r.reporter_code, 5
    from loc_keys join reporters r on r.kind = 'locality' and r.locality_code = loc_keys.code
)
select key, arg_min(code, pri) as code from keys where key <> '' group by key;

create temp table ind_keys as
select key, arg_min(indicator_code, pri) as code from (
    select fold(indicator_code) as key, indicator_code, 0 as pri from indicators
    union all select fold(name_vi), indicator_code, 1 from indicators
    union all select fold(name_en), indicator_code, 2 from indicators
) where key <> '' group by key;

-- ---------------------------------------------------------------- read every file, one schema
create temp table rows_raw as
select filename as file, 'en' as numbers,
       "Đơn vị báo cáo" as reporter, "Kỳ báo cáo" as period, "Ngày gửi" as submitted, "Địa bàn" as locality,
       coalesce("Mã chỉ tiêu", "Chỉ tiêu") as indicator, "Giá trị" as value, "Tử số" as numerator, "Mẫu số" as denominator
from read_csv({A}, delim = ',', header = true, all_varchar = true, filename = true, quote = '"')
union all
select filename, 'vi', "Đơn vị báo cáo", "Kỳ báo cáo", "Ngày gửi", "Địa bàn", "Mã chỉ tiêu", "Số liệu", "Tử số", "Mẫu số"
from read_csv({B}, delim = ';', header = true, all_varchar = true, filename = true, quote = '"')
union all
select filename, 'en', reporter, period, submitted, locality, indicator, value, numerator, denominator
from read_csv({C}, delim = ',', header = true, all_varchar = true, filename = true, quote = '"')
union all
select filename, numbers, reporter, period, submitted, locality, indicator, value, numerator, denominator
from read_csv({CANON}, delim = ',', header = true, all_varchar = true, filename = true, quote = '"');

-- ---------------------------------------------------------------- normalise
create or replace macro is_missing(v) as
    v is null or fold(v) in ('', 'x', 'n a', 'na', 'khong co') or trim(v) = '-';
create or replace macro to_number(v, style) as
    try_cast(case style
        when 'vi' then replace(replace(replace(replace(trim(v), '%', ''), ' ', ''), '.', ''), ',', '.')
        when 'en' then replace(replace(replace(trim(v), '%', ''), ' ', ''), ',', '')
        else trim(v) end as double);
create or replace macro canon_period(p) as (
    with k as (select fold(p) as k)
    select case
        when regexp_matches(k, '^(nam |year )?\d{4}$') then right(k, 4)
        when regexp_matches(k, '^\d{4} h[12]$') then left(k, 4) || '-H' || right(k, 1)
        when regexp_matches(k, '^6 thang dau nam \d{4}$') then right(k, 4) || '-H1'
        when regexp_matches(k, '^6 thang cuoi nam \d{4}$') then right(k, 4) || '-H2'
        when regexp_matches(k, '^\d{4} q[1-4]$') then left(k, 4) || '-Q' || right(k, 1)
        when regexp_matches(k, '^quy (i|ii|iii|iv) (nam )?\d{4}$') then right(k, 4) || '-Q'
            || case regexp_extract(k, '^quy (i|ii|iii|iv) ', 1) when 'i' then 1 when 'ii' then 2 when 'iii' then 3 else 4 end
        when regexp_matches(k, '^\d{4} (0[1-9]|1[0-2])$') then left(k, 4) || '-' || right(k, 2)
        when regexp_matches(k, '^thang \d{1,2} (nam )?\d{4}$') then right(k, 4) || '-'
            || lpad(regexp_extract(k, '^thang (\d{1,2})', 1), 2, '0')
    end from k);
create or replace macro period_end(p) as
    case
        when p like '%-H1' then make_date(left(p, 4)::int, 6, 30)
        when p like '%-Q%' or p like '%-H2' or length(p) = 4 then last_day(make_date(left(p, 4)::int,
            case when p like '%-Q%' then 3 * right(p, 1)::int else 12 end, 1))
        else last_day(make_date(left(p, 4)::int, right(p, 2)::int, 1))
    end;

create temp table files as
select file, arg_max(coalesce(r1.code, r2.code), n) as reporter_code
from (select file, fold(reporter) as k, count(*) as n from rows_raw where reporter is not null group by all) f
left join rep_keys r1 on r1.key = f.k
left join rep_keys r2 on r2.key = unprefix(f.k)
group by file;

create temp table parsed as
select r.file,
       f.reporter_code,
       rp.kind as reporter_kind,
       coalesce(l1.code, l2.code, case when r.locality is null and rp.kind = 'locality' then rp.locality_code end)
           as locality_code,
       coalesce(i1.code, i2.code) as indicator_code,
       canon_period(r.period) as period,
       is_missing(r.value) as value_missing,
       to_number(r.value, r.numbers) as value,
       -- no figure and no known indicator: a heading or signature line, skipped (not rejected) like dothi
       coalesce(trim(r.value), '') = '' and coalesce(trim(r.numerator), '') = ''
           and coalesce(trim(r.denominator), '') = '' and coalesce(i1.code, i2.code) is null as heading,
       to_number(r.numerator, r.numbers) as numerator,
       to_number(r.denominator, r.numbers) as denominator,
       coalesce(try_strptime(r.submitted, '%d/%m/%Y'), try_strptime(r.submitted, '%Y-%m-%d')) as submitted_at
from rows_raw r
join files f using (file)
left join reporters rp on rp.reporter_code = f.reporter_code
left join loc_keys l1 on l1.key = fold(r.locality)
left join loc_keys l2 on l2.key = unprefix(fold(r.locality))
left join ind_keys i1 on i1.key = fold(r.indicator)
left join ind_keys i2 on i2.key = unprefix(fold(r.indicator));

create temp table figures as
select * exclude (value_missing, heading) from parsed
where reporter_code is not null and locality_code is not null and indicator_code is not null
  and period is not null and left(period, 4)::int >= 2020 and period_end(period) <= last_day(current_date + interval 6 month)
  and (value is not null or value_missing)
  and (reporter_kind <> 'locality' or locality_code = (select locality_code from reporters where reporter_code = parsed.reporter_code));

-- ---------------------------------------------------------------- versions, channels, consolidation
create temp table current_figures as
select * from figures
qualify row_number() over (partition by reporter_code, locality_code, indicator_code, period
                           order by submitted_at desc, file desc) = 1;

create temp table by_channel as
with ranked as (
    select c.*, row_number() over (
        partition by reporter_kind, locality_code, c.indicator_code, period
        order by (c.reporter_code = i.responsible_reporter_code) desc, submitted_at desc, file) as rk
    from current_figures c left join indicators i using (indicator_code)
    where value is not null
)
select coalesce(l.locality_code, d.locality_code) as locality_code,
       coalesce(l.indicator_code, d.indicator_code) as indicator_code,
       coalesce(l.period, d.period) as period,
       l.value as locality_value, d.value as department_value,
       -- numerator and denominator travel with the chosen value (the department's when it reported)
       case when d.value is not null then d.numerator else l.numerator end as numerator,
       case when d.value is not null then d.denominator else l.denominator end as denominator
from (select * from ranked where reporter_kind = 'locality' and rk = 1) l
full join (select * from ranked where reporter_kind = 'department' and rk = 1) d
    on l.locality_code = d.locality_code and l.indicator_code = d.indicator_code and l.period = d.period;

-- the units of each period: valid at the period's end ("a code means the unit that existed then")
create temp table units as
select p.period, p.end_date, p.sort_key, l.locality_code, l.level, l.parent_code
from (select distinct period, period_end(period) as end_date,
             -- dothi's period sort key: year, then annual < half < quarter < month, then the part
             left(period, 4)::int * 100 + case when length(period) = 4 then 10
                 when period like '%-H%' then 20 + right(period, 1)::int
                 when period like '%-Q%' then 30 + right(period, 1)::int
                 else 40 + right(period, 2)::int end as sort_key
      from by_channel) p
join localities l on p.end_date >= l.valid_from::date and (l.valid_to is null or p.end_date <= l.valid_to::date);

-- both channels present and apart beyond the tolerance (dothi's status minor/major; a department 0 against
-- a non-zero locality value is beyond any tolerance), for the units below the province
create temp table disagreements as
select b.*
from by_channel b
join units u on u.locality_code = b.locality_code and u.period = b.period and u.level <> 'province'
join indicators i using (indicator_code)
where locality_value is not null and department_value is not null and locality_value <> department_value
  and (department_value = 0 or i.tolerance_pct is null or i.tolerance_pct::double = 0
       or abs(locality_value - department_value) / abs(department_value) * 100 > i.tolerance_pct::double);

create temp table consolidated as
select b.locality_code, b.indicator_code, b.period, coalesce(department_value, locality_value) as value,
       numerator, denominator
from by_channel b
join units u on u.locality_code = b.locality_code and u.period = b.period and u.level <> 'province';

-- ---------------------------------------------------------------- the programme's province rows
-- dothi's rules (int_values__province, macros/aggregation_method.sql) over the province's children valid
-- at the period's end that gave a value:
--   sum                      every expected child reported
--   ratio_of_sums            every reporting child gave numerator and denominator, Σ denominator <> 0
--   ratio_of_indicator_sums  else, the numerator / denominator indicators' sums (localities having both)
--   weighted                 else (and for 'weighted'): Σ(v·w) / Σ w, w = the weight indicator's value for
--                            the same locality and period, else its most recent earlier period
-- else the department's reported province total, if any.
create temp table children as select * from units where parent_code = '{PROVINCE}' and level <> 'province';

create temp table contributing as
select c.*, u.end_date from consolidated c join children u using (locality_code, period);

-- weights: the same period's, else the latest earlier one (ties between periods ending the same day: the
-- smallest sort key), found by an ASOF join on one number ordering (end date, sort key descending)
create temp table weight_rows as
select w.locality_code, w.indicator_code, w.period, w.value as weight,
       date_diff('day', date '2000-01-01', u.end_date) * 100 + 99 - u.sort_key % 100 as at
from consolidated w join units u using (locality_code, period)
where w.indicator_code in (select weight_indicator_code from indicators);

create temp table weights as
with requests as (
    select r.locality_code, r.indicator_code, r.period, i.weight_indicator_code,
           date_diff('day', date '2000-01-01', r.end_date) * 100 + 99 as at
    from contributing r join indicators i using (indicator_code)
    where i.weight_indicator_code is not null
)
select q.locality_code, q.indicator_code, q.period, coalesce(same.weight, earlier.weight) as weight
from requests q
left join weight_rows same
    on same.locality_code = q.locality_code and same.indicator_code = q.weight_indicator_code
   and same.period = q.period
asof left join weight_rows earlier
    on earlier.locality_code = q.locality_code and earlier.indicator_code = q.weight_indicator_code
   and q.at >= earlier.at
where coalesce(same.weight, earlier.weight) is not null;

create temp table province as
with aggregated as (
    select c.indicator_code, c.period, count(*) as n, sum(c.value) as sum_value,
           count(*) filter (where c.numerator is not null and c.denominator is not null) as with_fraction,
           sum(c.numerator) as sum_numerator, sum(c.denominator) as sum_denominator,
           sum(c.value * w.weight) as weighted_sum, sum(w.weight) as weight_total, count(w.weight) as weighted_count
    from contributing c left join weights w using (locality_code, indicator_code, period)
    group by all
),
indicator_sums as (
    select i.indicator_code, num.period, sum(num.value) as numerator_sum, sum(den.value) as denominator_sum
    from indicators i
    join contributing num on num.indicator_code = i.numerator_indicator_code
    join contributing den on den.indicator_code = i.denominator_indicator_code
        and den.locality_code = num.locality_code and den.period = num.period
    where i.aggregation = 'ratio'
    group by all
),
computed as (
    select k.indicator_code, k.period, a.sum_value, a.sum_numerator, a.sum_denominator, a.weighted_sum, a.weight_total,
           s.numerator_sum, s.denominator_sum,
           coalesce(i.rate_scale::double, 1) as rate_scale,
           case
               when i.aggregation = 'sum'
                   and a.n = (select count(*) from children e where e.period = k.period) then 'sum'
               when i.aggregation = 'ratio' and a.n > 0 and a.with_fraction = a.n and a.sum_denominator <> 0
                   then 'ratio_of_sums'
               when i.aggregation = 'ratio' and i.numerator_indicator_code is not null
                   and i.denominator_indicator_code is not null and s.denominator_sum <> 0
                   then 'ratio_of_indicator_sums'
               when i.aggregation in ('ratio', 'weighted') and a.weighted_count > 0 and a.weight_total <> 0
                   then 'weighted'
           end as method
    from (select indicator_code, period from aggregated union select indicator_code, period from indicator_sums) k
    join indicators i using (indicator_code)
    left join aggregated a using (indicator_code, period)
    left join indicator_sums s using (indicator_code, period)
),
aggregates as (
    select indicator_code, period,
           case method
               when 'sum' then sum_value
               when 'ratio_of_sums' then sum_numerator / sum_denominator * rate_scale
               when 'ratio_of_indicator_sums' then numerator_sum / denominator_sum * rate_scale
               when 'weighted' then weighted_sum / weight_total
           end as value,
           case method when 'ratio_of_sums' then sum_numerator when 'ratio_of_indicator_sums' then numerator_sum end
               as numerator,
           case method when 'ratio_of_sums' then sum_denominator when 'ratio_of_indicator_sums' then denominator_sum end
               as denominator
    from computed where method is not null
),
total as (
    select indicator_code, period, department_value as value, numerator, denominator
    from by_channel where locality_code = '{PROVINCE}' and department_value is not null
)
select '{PROVINCE}' as locality_code, coalesce(a.indicator_code, t.indicator_code) as indicator_code,
       coalesce(a.period, t.period) as period,
       coalesce(a.value, t.value) as value,
       case when a.value is not null then a.numerator else t.numerator end as numerator,
       case when a.value is not null then a.denominator else t.denominator end as denominator
from aggregates a full join total t using (indicator_code, period)
where coalesce(a.value, t.value) is not null;

insert into consolidated select * from province;

-- ---------------------------------------------------------------- gaps to target
create temp table gaps as
with latest as (
    select locality_code, indicator_code, arg_max(value, period_end(period)) as actual,
           arg_max(period, period_end(period)) as period, count(*) as points
    from consolidated where value is not null group by all
),
-- a programme's target has an actual only for a unit of its map (dbt macro map_unit_versions,
-- int_values__nq06_map): nq06_map = the province at the horizon and its districts; current_map = the units
-- from the reorganisation date
on_map as (
    select t.* from targets t
    join programmes p using (programme_code)
    where exists (select 1 from localities l where l.locality_code = t.locality_code and (
        (p.map_code = 'nq06_map' and (l.locality_key = '{PROVINCE_KEY}'
                                      or (l.parent_key = '{PROVINCE_KEY}' and l.level = 'district')))
        or (p.map_code = 'current_map' and l.valid_from::date >= date '{REORGANISATION}')))
),
target as (
    select * from on_map
    qualify row_number() over (partition by locality_code, indicator_code
                               order by (programme_code = 'NQ06_2021_2025') desc, target_year::int) = 1
)
select t.locality_code, t.indicator_code, l.period, l.actual, t.target_value::double as target_value,
       case when i.direction = 'lower' then l.actual - t.target_value::double
            else t.target_value::double - l.actual end as gap,
       l.actual / nullif(t.target_value::double, 0) * 100 as achievement_pct
from target t
left join latest l using (locality_code, indicator_code)
join indicators i using (indicator_code);

select (select count(*) from rows_raw) as rows_read,
       (select count(*) from figures) as figures,
       (select count(*) from rows_raw) - (select count(*) from figures)
           - (select count(*) from parsed where heading) as rows_rejected,
       (select count(*) from consolidated) as consolidated,
       (select count(*) from disagreements) as disagreements,
       (select count(*) from gaps where actual is not null) as gaps,
       (select count(*) from consolidated where locality_code = '{PROVINCE}') as consolidated_province,
       (select count(*) from gaps where actual is not null and locality_code = '{PROVINCE}') as gaps_province;
