//! Downloads: the progress table and its history as CSV (UTF-8 with BOM, or GBK) and XLSX; the
//! reports and targets in the import's columns; the import templates; and the export page that
//! offers them all and says which to pick. Progress CSV bodies are streamed: a blocking task
//! computes period by period and sends chunks through a bounded channel, so a long history never
//! sits in memory.

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tokio::sync::mpsc;

use super::AppState;
use super::api::{check_filters, check_readable, resolve_period, scoped_region};
use super::auth::CurrentUser;
use super::extract::{self, Query};
use super::pages::{PageContext, PageResult};
use super::views;
use crate::db;
use crate::domain::{Lang, Text, format};
use crate::error::{AppError, AppResult};
use crate::service::exchange;
use crate::service::export::{self, Selection, WorkbookMeta};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Chunks in flight between the database task and the client.
const CHANNEL_CHUNKS: usize = 4;

/// History exports longer than this are refused: forty years of quarters.
const MAX_PERIODS: usize = 160;

#[derive(Deserialize, Default)]
pub struct ExportQuery {
    pub period: Option<String>,
    pub region: Option<String>,
    pub indicator: Option<String>,
    /// `zh` for Chinese column names; English otherwise.
    pub lang: Option<String>,
    /// `gbk` for a GBK CSV; UTF-8 with a BOM otherwise.
    pub encoding: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct HistoryQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub region: Option<String>,
    pub indicator: Option<String>,
    pub lang: Option<String>,
    pub encoding: Option<String>,
}

/// Column names follow only an explicit `lang=zh`: the default header is the English one of SPEC §4.
fn chinese(lang: Option<&str>) -> bool {
    lang.and_then(crate::domain::Lang::parse) == Some(crate::domain::Lang::Zh)
}

/// Whether a CSV is to be GBK: `encoding=gbk` (or `gb18030`); UTF-8 is the default.
fn gbk(encoding: Option<&str>) -> AppResult<bool> {
    match encoding.map(|e| e.trim().to_ascii_lowercase()).as_deref() {
        None | Some("" | "utf-8" | "utf8") => Ok(false),
        Some("gbk" | "gb18030" | "gb2312") => Ok(true),
        Some(other) => Err(AppError::BadRequest(Text::new(
            format!("未知编码“{other}”，应为 utf-8 或 gbk"),
            format!("Unknown encoding “{other}”: use utf-8 or gbk."),
        ))),
    }
}

/// `progress-2020Q1`, `progress-2020Q1-zh`, `progress-2020Q1-zh-gbk`: one name per language and
/// encoding, so two downloads never overwrite each other.
fn file_name(stem: &str, chinese: bool, gbk: bool, extension: &str) -> String {
    format!(
        "{stem}{}{}.{extension}",
        if chinese { "-zh" } else { "" },
        if gbk { "-gbk" } else { "" }
    )
}

pub(super) fn attachment(mut response: Response, content_type: &'static str, file_name: &str) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    let disposition = format!("attachment; filename=\"{file_name}\"; filename*=UTF-8''{file_name}");
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// Streams the selection as CSV: the blocking side writes chunks into a bounded channel that
/// the response body drains, so memory stays flat and a client that goes away stops the work.
fn csv_response(state: &AppState, selection: Selection, file_name: &str) -> Response {
    let selection_gbk = selection.gbk;
    let (sender, receiver) = mpsc::channel::<Result<Bytes, std::io::Error>>(CHANNEL_CHUNKS);
    let db = std::sync::Arc::clone(&state.db);
    let catalogue = state.catalogue();
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || {
        span.in_scope(|| {
            let failed = sender.clone();
            let result = db.with(|conn| {
                let mut sink = |chunk: Vec<u8>| sender.blocking_send(Ok(Bytes::from(chunk))).is_ok();
                export::stream_progress_csv(conn, &catalogue, &selection, &mut sink).map_err(AppError::Internal)
            });
            if let Err(error) = result {
                let stopped = matches!(&error, AppError::Internal(cause)
                    if cause.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
                        || cause.downcast_ref::<csv::Error>().is_some());
                if !stopped {
                    error.log();
                }
                let _ = failed.blocking_send(Err(std::io::Error::other("export failed")));
            }
        })
    });
    let body = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|item| (item, receiver))
    });
    attachment(
        Body::from_stream(body).into_response(),
        if selection_gbk {
            "text/csv; charset=gbk"
        } else {
            "text/csv; charset=utf-8"
        },
        file_name,
    )
}

/// `GET /export/progress.csv?period=&region=&indicator=&lang=`
pub async fn progress_csv(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(query): Query<ExportQuery>,
) -> AppResult<Response> {
    let period = resolve_period(&state, query.period.as_deref()).await?;
    let region = extract::given(query.region);
    let indicator = extract::given(query.indicator);
    check_filters(&state, region.as_deref(), indicator.as_deref())?;
    // A city-bound reader exports its city's subtree; another region is refused.
    let region = scoped_region(&state.catalogue(), &user.actor(), region)?;
    let selection = Selection {
        periods: vec![period],
        region,
        indicator,
        chinese: chinese(query.lang.as_deref()),
        gbk: gbk(query.encoding.as_deref())?,
    };
    let name = file_name(&format!("progress-{period}"), selection.chinese, selection.gbk, "csv");
    Ok(csv_response(&state, selection, &name))
}

/// A from–to range that runs backwards or is longer than an export takes.
fn bad_range(from: crate::domain::Period, to: crate::domain::Period) -> AppError {
    AppError::BadRequest(Text::new(
        format!(
            "起始期{}须不晚于截止期{}，且一次最多导出 {MAX_PERIODS} 个季度",
            format::period(from, Lang::Zh),
            format::period(to, Lang::Zh)
        ),
        format!(
            "The first period ({}) may not be after the last ({}), and at most {MAX_PERIODS} quarters are exported at once.",
            format::period(from, Lang::En),
            format::period(to, Lang::En)
        ),
    ))
}

/// The periods, region and indicator a history export asks for (the region within what `user`
/// reads).
async fn history_selection(
    state: &AppState,
    user: &crate::db::users::User,
    query: HistoryQuery,
) -> AppResult<Selection> {
    let to = resolve_period(state, extract::given(query.to).as_deref()).await?;
    let from = match extract::given(query.from) {
        Some(text) => extract::period(&text)?,
        None => crate::domain::Period::new(to.year(), 1).map_err(|e| AppError::BadRequest(e.text()))?,
    };
    let periods = export::periods_between(from, to);
    if from > to || periods.len() > MAX_PERIODS {
        return Err(bad_range(from, to));
    }
    let region = extract::given(query.region);
    let indicator = extract::given(query.indicator);
    check_filters(state, region.as_deref(), indicator.as_deref())?;
    let region = scoped_region(&state.catalogue(), &user.actor(), region)?;
    Ok(Selection {
        periods,
        region,
        indicator,
        chinese: chinese(query.lang.as_deref()),
        gbk: gbk(query.encoding.as_deref())?,
    })
}

/// `history-2019Q1-2021Q4`
fn history_stem(selection: &Selection) -> String {
    match (selection.periods.first(), selection.periods.last()) {
        (Some(from), Some(to)) => format!("history-{from}-{to}"),
        _ => "history".to_owned(),
    }
}

/// `GET /export/history.csv?from=2019Q1&to=2021Q4&region=&indicator=&lang=&encoding=`: long
/// format, one block of progress rows a period, oldest first.
pub async fn history_csv(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(query): Query<HistoryQuery>,
) -> AppResult<Response> {
    let selection = history_selection(&state, &user, query).await?;
    let name = file_name(&history_stem(&selection), selection.chinese, selection.gbk, "csv");
    Ok(csv_response(&state, selection, &name))
}

/// `GET /export/history.xlsx?from=&to=&region=&indicator=&lang=`: the same rows as the CSV in one
/// workbook sheet.
pub async fn history_xlsx(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(query): Query<HistoryQuery>,
) -> AppResult<Response> {
    let selection = history_selection(&state, &user, query).await?;
    let name = file_name(&history_stem(&selection), selection.chinese, false, "xlsx");
    let catalogue = state.catalogue();
    let workbook = state
        .db
        .call(move |conn| {
            let snapshot = conn.transaction()?;
            let mut tables = Vec::with_capacity(selection.periods.len());
            for &period in &selection.periods {
                tables.push(db::progress::table(&snapshot, &catalogue, period)?);
            }
            let (Some(first), Some(last)) = (tables.first(), tables.last()) else {
                return Err(AppError::BadRequest(Text::new(
                    "没有要导出的季度",
                    "There are no quarters to export.",
                )));
            };
            let meta = WorkbookMeta {
                period: first.period,
                last: Some(last.period),
                time_benchmark: last.time_benchmark,
                generated_at: crate::clock::now_local(),
                data_version: db::meta::data_version(&snapshot)?,
                demo: db::meta::is_demo(&snapshot)?,
            };
            snapshot.commit()?;
            let rows: Vec<_> = tables
                .iter()
                .flat_map(|table| table.rows(&catalogue, selection.region.as_deref(), selection.indicator.as_deref()))
                .collect();
            export::progress_workbook(&rows, &meta, selection.chinese).map_err(|e| AppError::Internal(e.into()))
        })
        .await?;
    Ok(attachment(workbook.into_response(), XLSX, &name))
}

/// `GET /export/progress.xlsx?period=&region=&indicator=&lang=`
pub async fn progress_xlsx(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(query): Query<ExportQuery>,
) -> AppResult<Response> {
    let period = resolve_period(&state, query.period.as_deref()).await?;
    let region = extract::given(query.region);
    let indicator = extract::given(query.indicator);
    check_filters(&state, region.as_deref(), indicator.as_deref())?;
    let region = scoped_region(&state.catalogue(), &user.actor(), region)?;
    let chinese = chinese(query.lang.as_deref());
    let catalogue = state.catalogue();
    let workbook = state
        .db
        .call(move |conn| {
            let snapshot = conn.transaction()?;
            let table = db::progress::table(&snapshot, &catalogue, period)?;
            let meta = WorkbookMeta {
                period,
                last: None,
                time_benchmark: table.time_benchmark,
                generated_at: crate::clock::now_local(),
                data_version: db::meta::data_version(&snapshot)?,
                demo: db::meta::is_demo(&snapshot)?,
            };
            snapshot.commit()?;
            let rows = table.rows(&catalogue, region.as_deref(), indicator.as_deref());
            export::progress_workbook(&rows, &meta, chinese).map_err(|e| AppError::Internal(e.into()))
        })
        .await?;
    Ok(attachment(
        workbook.into_response(),
        XLSX,
        &file_name(&format!("progress-{period}"), chinese, false, "xlsx"),
    ))
}

#[derive(Deserialize, Default)]
pub struct ReportsQuery {
    pub period: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub region: Option<String>,
    pub lang: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct TargetsQuery {
    pub year: Option<String>,
    pub lang: Option<String>,
}

/// The region a reports file covers: the one asked for, else the user's own, else the home
/// region (the province).
fn scope(state: &AppState, user: &crate::db::users::User, asked: Option<String>) -> AppResult<String> {
    let catalogue = state.catalogue();
    let code = extract::given(asked)
        .or_else(|| user.region_code.clone())
        .or_else(|| catalogue.home_region().map(|r| r.code.clone()))
        .ok_or_else(|| AppError::BadRequest(Text::new("请选择地区", "Choose a region.")))?;
    check_filters(state, Some(&code), None)?;
    check_readable(&catalogue, &user.actor(), &code)?;
    Ok(code)
}

/// `440100 广州市`
fn scope_label(state: &AppState, code: &str, chinese: bool) -> String {
    let catalogue = state.catalogue();
    let name = catalogue.region(code).map_or("", |r| r.name(!chinese));
    format!("{code} {name}")
}

async fn report_periods(state: &AppState, query: &ReportsQuery) -> AppResult<Vec<crate::domain::Period>> {
    let single = extract::given(query.period.clone());
    let from = extract::given(query.from.clone());
    let to = extract::given(query.to.clone());
    if from.is_none() && to.is_none() {
        return Ok(vec![resolve_period(state, single.as_deref()).await?]);
    }
    let to = resolve_period(state, to.as_deref()).await?;
    let from = match from {
        Some(text) => extract::period(&text)?,
        None => to,
    };
    let periods = export::periods_between(from, to);
    if periods.is_empty() || periods.len() > MAX_PERIODS {
        return Err(bad_range(from, to));
    }
    Ok(periods)
}

/// The reports (figures, notes, status) in the import's columns, as CSV or XLSX, or the
/// reports template.
async fn reports_file(
    state: AppState,
    user: crate::db::users::User,
    query: ReportsQuery,
    as_xlsx: bool,
    template: bool,
) -> AppResult<Response> {
    let chinese = if template {
        query.lang.as_deref() != Some("en")
    } else {
        chinese(query.lang.as_deref())
    };
    let periods = if template {
        let today = crate::clock::today();
        let period = match extract::given(query.period.clone()) {
            Some(text) => extract::period(&text)?,
            None => recent_quarters(today, 2)
                .pop()
                .ok_or_else(|| AppError::BadRequest(Text::new("请选择报告期", "Choose a period.")))?,
        };
        if period.is_future(today) {
            return Err(AppError::invalid("period", format::future_period(period)));
        }
        vec![period]
    } else {
        report_periods(&state, &query).await?
    };
    let region = scope(&state, &user, query.region.clone())?;
    let label = scope_label(&state, &region, chinese);
    let stem = match (template, periods.first(), periods.last()) {
        (true, Some(p), _) => format!("template-reports-{region}-{p}"),
        (false, Some(first), Some(last)) if first == last => format!("reports-{region}-{first}"),
        (false, Some(first), Some(last)) => format!("reports-{region}-{first}-{last}"),
        _ => "reports".to_owned(),
    };
    let name = file_name(&stem, chinese && !template, false, if as_xlsx { "xlsx" } else { "csv" });
    let catalogue = state.catalogue();
    let actor = user.actor();
    let body = state
        .db
        .call(move |conn| {
            let snapshot = conn.transaction()?;
            let regions = exchange::reporting_regions(&catalogue, &region);
            let lines = exchange::report_lines(&snapshot, &catalogue, &actor, &regions, &periods, template)?;
            let meta = exchange::ReportsMeta {
                scope: label,
                periods,
                demo: db::meta::is_demo(&snapshot)?,
                generated_at: crate::clock::now_local(),
            };
            snapshot.commit()?;
            if as_xlsx {
                exchange::reports_workbook(&lines, &meta, chinese, template).map_err(|e| AppError::Internal(e.into()))
            } else {
                exchange::reports_csv(&lines, chinese).map_err(|e| AppError::Internal(e.into()))
            }
        })
        .await?;
    let content_type = if as_xlsx { XLSX } else { "text/csv; charset=utf-8" };
    Ok(attachment(body.into_response(), content_type, &name))
}

/// `GET /export/reports.csv?period=|from=&to=&region=&lang=`
pub async fn reports_csv(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(query): Query<ReportsQuery>,
) -> AppResult<Response> {
    reports_file(state, user, query, false, false).await
}

/// `GET /export/reports.xlsx?period=|from=&to=&region=&lang=`
pub async fn reports_xlsx(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(query): Query<ReportsQuery>,
) -> AppResult<Response> {
    reports_file(state, user, query, true, false).await
}

/// `GET /import/template/reports.xlsx?region=&period=`: 下载导入模板, Chinese unless `lang=en`.
pub async fn reports_template(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(query): Query<ReportsQuery>,
) -> AppResult<Response> {
    reports_file(state, user, query, true, true).await
}

/// The targets `user` reads ([`exchange::target_lines`]: a city-bound user's city and its
/// units), as CSV or XLSX, or the targets template of those `user` sets.
async fn targets_file(
    state: AppState,
    user: crate::db::users::User,
    query: TargetsQuery,
    as_xlsx: bool,
    template: bool,
) -> AppResult<Response> {
    let chinese = if template {
        query.lang.as_deref() != Some("en")
    } else {
        chinese(query.lang.as_deref())
    };
    let year = match extract::given(query.year) {
        Some(text) => text
            .parse::<i32>()
            .ok()
            .filter(|y| (crate::domain::period::MIN_YEAR..=crate::domain::period::MAX_YEAR).contains(y))
            .ok_or_else(|| AppError::BadRequest(crate::domain::period::bad_year(&text)))?,
        None => {
            let this_year = crate::domain::Period::containing(crate::clock::today())
                .map_err(|e| AppError::Internal(e.into()))?
                .year();
            if template {
                this_year
            } else {
                resolve_period(&state, None).await?.year()
            }
        }
    };
    let catalogue = state.catalogue();
    let actor = user.actor();
    // A city-bound user's files carry the city's code, as the reports files carry theirs.
    let city = exchange::targets_city(&catalogue, &actor).map_or(String::new(), |c| format!("-{}", c.code));
    let stem = if template {
        format!("template-targets{city}-{year}")
    } else {
        format!("targets{city}-{year}")
    };
    let name = file_name(&stem, chinese && !template, false, if as_xlsx { "xlsx" } else { "csv" });
    let body = state
        .db
        .call(move |conn| {
            let snapshot = conn.transaction()?;
            let lines = exchange::target_lines(&snapshot, &catalogue, &actor, year, template)?;
            let scope = exchange::targets_scope(&snapshot, &catalogue, &actor, year)?;
            let demo = db::meta::is_demo(&snapshot)?;
            snapshot.commit()?;
            if as_xlsx {
                exchange::targets_workbook(&lines, year, scope.as_ref(), demo, chinese, template)
                    .map_err(|e| AppError::Internal(e.into()))
            } else {
                exchange::targets_csv(&lines, chinese).map_err(|e| AppError::Internal(e.into()))
            }
        })
        .await?;
    let content_type = if as_xlsx { XLSX } else { "text/csv; charset=utf-8" };
    Ok(attachment(body.into_response(), content_type, &name))
}

/// `GET /export/targets.csv?year=&lang=`: a city-bound user's city and its units only.
pub async fn targets_csv(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(query): Query<TargetsQuery>,
) -> AppResult<Response> {
    targets_file(state, user, query, false, false).await
}

/// `GET /export/targets.xlsx?year=&lang=`
pub async fn targets_xlsx(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(query): Query<TargetsQuery>,
) -> AppResult<Response> {
    targets_file(state, user, query, true, false).await
}

/// `GET /import/template/targets.xlsx?year=`: the year's targets template, filled in with last
/// year's. Admins only, as the targets import; a city admin's holds its units only.
pub async fn targets_template(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(query): Query<TargetsQuery>,
) -> AppResult<Response> {
    if !user.actor().may_set_targets() {
        return Err(crate::service::import::only_admins_import_targets());
    }
    targets_file(state, user, query, true, true).await
}

/// The `count` quarters up to the one containing `today`, newest first.
fn recent_quarters(today: chrono::NaiveDate, count: usize) -> Vec<crate::domain::Period> {
    let Ok(current) = crate::domain::Period::containing(today) else {
        return Vec::new();
    };
    let (mut year, mut quarter) = (current.year(), current.quarter());
    let mut periods = Vec::with_capacity(count);
    while periods.len() < count {
        match crate::domain::Period::new(year, quarter) {
            Ok(period) => periods.push(period),
            Err(_) => break,
        }
        if quarter == 1 {
            year -= 1;
            quarter = 4;
        } else {
            quarter -= 1;
        }
    }
    periods
}

/// `GET /export`: every download with its choices, and which file suits which program.
pub async fn page(State(state): State<AppState>, ctx: PageContext) -> PageResult {
    let catalogue = state.catalogue();
    let periods: Vec<crate::domain::Period> = ctx.facts.periods.iter().copied().collect();
    let recent = recent_quarters(crate::clock::today(), 8);
    let actor = ctx.user.actor();
    let body = views::export::page(&views::export::ExportView {
        lang: ctx.lang,
        periods: &periods,
        recent: &recent,
        catalogue: &catalogue,
        own_region: ctx.user.region_code.as_deref(),
        scope: actor.read_scope(),
        may_import_targets: ctx.user.actor().may_set_targets(),
        may_import_reports: ctx.user.actor().may_import(crate::domain::policy::ImportKind::Reports),
    });
    Ok(ctx.render(ctx.lang.t("数据导出", "Export"), body).into_response())
}
