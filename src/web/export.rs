//! Downloads for analysts: the progress table as CSV and XLSX, and the time series as CSV. CSV
//! bodies are streamed: a blocking task computes period by period and sends chunks through a
//! bounded channel, so a long history never sits in memory.

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tokio::sync::mpsc;

use super::AppState;
use super::api::{check_filters, resolve_period};
use super::auth::CurrentUser;
use super::extract::{self, Query};
use crate::db;
use crate::error::{AppError, AppResult};
use crate::service::export::{self, Selection, WorkbookMeta};

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
}

#[derive(Deserialize, Default)]
pub struct HistoryQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub region: Option<String>,
    pub indicator: Option<String>,
    pub lang: Option<String>,
}

/// Column names follow only an explicit `lang=zh`: the default header is the English one of SPEC §4.
fn chinese(lang: Option<&str>) -> bool {
    lang.and_then(crate::domain::Lang::parse) == Some(crate::domain::Lang::Zh)
}

fn attachment(mut response: Response, content_type: &'static str, file_name: &str) -> Response {
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
        "text/csv; charset=utf-8",
        file_name,
    )
}

/// `GET /export/progress.csv?period=&region=&indicator=&lang=`
pub async fn progress_csv(
    State(state): State<AppState>,
    CurrentUser(_): CurrentUser,
    Query(query): Query<ExportQuery>,
) -> AppResult<Response> {
    let period = resolve_period(&state, query.period.as_deref()).await?;
    let region = extract::given(query.region);
    let indicator = extract::given(query.indicator);
    check_filters(&state, region.as_deref(), indicator.as_deref())?;
    let selection = Selection {
        periods: vec![period],
        region,
        indicator,
        chinese: chinese(query.lang.as_deref()),
    };
    Ok(csv_response(&state, selection, &format!("progress-{period}.csv")))
}

/// `GET /export/history.csv?from=2019Q1&to=2021Q4&region=&indicator=&lang=`: long format, one
/// block of progress rows a period, oldest first.
pub async fn history_csv(
    State(state): State<AppState>,
    CurrentUser(_): CurrentUser,
    Query(query): Query<HistoryQuery>,
) -> AppResult<Response> {
    let to = resolve_period(&state, extract::given(query.to).as_deref()).await?;
    let from = match extract::given(query.from) {
        Some(text) => extract::period(&text)?,
        None => crate::domain::Period::new(to.year(), 1).map_err(|e| AppError::BadRequest(e.to_string()))?,
    };
    if from > to {
        return Err(AppError::BadRequest(format!(
            "起始期 {from} 晚于截止期 {to}(from is after to)"
        )));
    }
    let periods = export::periods_between(from, to);
    if periods.len() > MAX_PERIODS {
        return Err(AppError::BadRequest(format!(
            "一次最多导出 {MAX_PERIODS} 个季度(at most {MAX_PERIODS} quarters at once)"
        )));
    }
    let region = extract::given(query.region);
    let indicator = extract::given(query.indicator);
    check_filters(&state, region.as_deref(), indicator.as_deref())?;
    let selection = Selection {
        periods,
        region,
        indicator,
        chinese: chinese(query.lang.as_deref()),
    };
    Ok(csv_response(&state, selection, &format!("history-{from}-{to}.csv")))
}

/// `GET /export/progress.xlsx?period=&region=&indicator=&lang=`
pub async fn progress_xlsx(
    State(state): State<AppState>,
    CurrentUser(_): CurrentUser,
    Query(query): Query<ExportQuery>,
) -> AppResult<Response> {
    let period = resolve_period(&state, query.period.as_deref()).await?;
    let region = extract::given(query.region);
    let indicator = extract::given(query.indicator);
    check_filters(&state, region.as_deref(), indicator.as_deref())?;
    let chinese = chinese(query.lang.as_deref());
    let catalogue = state.catalogue();
    let workbook = state
        .db
        .call(move |conn| {
            let snapshot = conn.transaction()?;
            let table = db::progress::table(&snapshot, &catalogue, period)?;
            let meta = WorkbookMeta {
                period,
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
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("progress-{period}.xlsx"),
    ))
}
