//! The upload page for imports: admins import targets and any region's reports, officers their
//! own region's reports. Upload → preview (a dry run) → confirm, which validates the same bytes
//! again inside the write transaction, so nothing a browser sends back is trusted.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;

use super::AppState;
use super::extract::Query;
use super::pages::{PageContext, PageResult};
use super::views::import::{self as view, OutcomeView, UploadView};
use crate::db::users::User;
use crate::domain::{Role, Text};
use crate::error::AppError;
use crate::service::import::{self, ImportOptions, Kind, MAX_IMPORT_BYTES};

/// The import route's body limit: the largest file, base64 on the confirmation, and the form.
pub const IMPORT_BODY_LIMIT: usize = MAX_IMPORT_BYTES / 3 * 4 + 64 * 1024;

#[derive(Deserialize, Default)]
pub struct KindQuery {
    pub kind: Option<String>,
}

fn parse_kind(text: Option<&str>, user: &User) -> Result<Kind, AppError> {
    match text.filter(|t| !t.is_empty()) {
        Some("targets") => Ok(Kind::Targets),
        Some("reports") => Ok(Kind::Reports),
        None if user.actor().may_import(Kind::Targets) => Ok(Kind::Targets),
        None => Ok(Kind::Reports),
        Some(other) => Err(AppError::BadRequest(Text::new(
            format!("未知导入类型“{other}”，应为 targets（目标任务）或 reports（完成情况）"),
            format!("Unknown kind of import “{other}”: use targets or reports."),
        ))),
    }
}

/// Admins import anything; officers only reports (whose rows the write path confines to their
/// region); everyone else nothing.
fn authorise(user: &User, kind: Kind) -> Result<(), AppError> {
    let actor = user.actor();
    if actor.may_import(kind) {
        Ok(())
    } else if actor.may_import(Kind::Reports) {
        Err(crate::service::import::only_admins_import_targets())
    } else {
        Err(AppError::Forbidden(Text::new(
            "您的角色不能导入数据",
            "Your role may not import figures.",
        )))
    }
}

fn upload_page(ctx: &PageContext, kind: Kind, message: Option<&str>, status: StatusCode) -> Response {
    let body = view::upload(&UploadView {
        lang: ctx.lang,
        kind,
        may_import_targets: ctx.user.actor().may_import(Kind::Targets),
        own_region: ctx
            .region_name
            .as_deref()
            .or(ctx.user.region_code.as_deref())
            .filter(|_| ctx.user.role == Role::Officer),
        message,
    });
    (status, ctx.render(view::title(kind, ctx.lang), body)).into_response()
}

/// `GET /import?kind=targets|reports`
pub async fn page(ctx: PageContext, Query(query): Query<KindQuery>) -> PageResult {
    let kind = parse_kind(query.kind.as_deref(), &ctx.user).map_err(|e| ctx.error(e))?;
    authorise(&ctx.user, kind).map_err(|e| ctx.error(e))?;
    Ok(upload_page(&ctx, kind, None, StatusCode::OK))
}

/// The fields of the upload and confirmation forms.
#[derive(Default)]
struct ImportForm {
    kind: Option<String>,
    file_name: Option<String>,
    file: Option<Vec<u8>>,
    /// The previewed file, base64, on confirmation.
    content: Option<String>,
    draft: bool,
    confirm: bool,
}

/// The refusal of an upload over the limit, in `lang`.
pub fn too_large() -> Text {
    let limit = MAX_IMPORT_BYTES / 1024 / 1024;
    Text::new(
        format!("文件过大：上限为 {limit} MB，请拆分后分批导入。"),
        format!("The file is too large: the limit is {limit} MB. Split it and import the parts."),
    )
}

async fn read_form(mut multipart: Multipart, lang: super::views::Lang) -> Result<ImportForm, (StatusCode, String)> {
    let refused = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            (StatusCode::PAYLOAD_TOO_LARGE, too_large().get(lang).to_owned())
        } else {
            (
                StatusCode::BAD_REQUEST,
                format!(
                    "{}{}",
                    lang.t("上传内容无法读取：", "The upload could not be read: "),
                    e.body_text()
                ),
            )
        }
    };
    let mut form = ImportForm::default();
    while let Some(field) = multipart.next_field().await.map_err(refused)? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "file" => {
                let file_name = field.file_name().map(str::to_owned);
                let bytes = field.bytes().await.map_err(refused)?;
                if !bytes.is_empty() {
                    form.file_name = file_name;
                    form.file = Some(bytes.to_vec());
                }
            }
            "kind" => form.kind = Some(field.text().await.map_err(refused)?),
            "file_name" => form.file_name = Some(field.text().await.map_err(refused)?),
            "content" => form.content = Some(field.text().await.map_err(refused)?),
            "draft" => form.draft = field.text().await.map_err(refused)? == "1",
            "confirm" => form.confirm = field.text().await.map_err(refused)? == "1",
            _ => {}
        }
    }
    Ok(form)
}

/// `POST /import`: a new file is previewed; a confirmation (`confirm=1` with the previewed
/// content) is validated again and applied.
pub async fn upload(
    State(state): State<AppState>,
    ctx: PageContext,
    Query(query): Query<KindQuery>,
    multipart: Result<Multipart, MultipartRejection>,
) -> PageResult {
    let lang = ctx.lang;
    let fallback_kind = parse_kind(query.kind.as_deref(), &ctx.user).unwrap_or(Kind::Reports);
    let multipart = match multipart {
        Ok(multipart) => multipart,
        Err(rejection) => {
            let message = format!(
                "{}({})",
                lang.t("请通过上传表单提交文件", "Send the file through the upload form"),
                rejection.body_text()
            );
            return Ok(upload_page(&ctx, fallback_kind, Some(&message), rejection.status()));
        }
    };
    let form = match read_form(multipart, lang).await {
        Ok(form) => form,
        Err((status, message)) => return Ok(upload_page(&ctx, fallback_kind, Some(&message), status)),
    };
    let kind = parse_kind(form.kind.as_deref().or(query.kind.as_deref()), &ctx.user).map_err(|e| ctx.error(e))?;
    authorise(&ctx.user, kind).map_err(|e| ctx.error(e))?;
    let bytes = match (&form.content, form.file) {
        (Some(content), _) if form.confirm => match STANDARD.decode(content.trim()) {
            Ok(bytes) => bytes,
            Err(_) => {
                let message = lang.t(
                    "确认内容已损坏，请重新上传文件。",
                    "The confirmation was damaged; upload the file again.",
                );
                return Ok(upload_page(&ctx, kind, Some(message), StatusCode::BAD_REQUEST));
            }
        },
        (_, Some(file)) => file,
        _ => {
            let message = lang.t(
                "请选择要导入的 CSV 文件或 Excel 工作簿。",
                "Choose a CSV file or an Excel workbook to import.",
            );
            return Ok(upload_page(&ctx, kind, Some(message), StatusCode::BAD_REQUEST));
        }
    };
    if bytes.len() > MAX_IMPORT_BYTES {
        return Ok(upload_page(
            &ctx,
            kind,
            Some(too_large().get(lang)),
            StatusCode::PAYLOAD_TOO_LARGE,
        ));
    }
    let options = ImportOptions {
        dry_run: !form.confirm,
        keep_as_draft: form.draft,
    };
    let catalogue = state.catalogue();
    let actor = ctx.user.actor();
    let outcome = {
        let catalogue = catalogue.clone();
        let bytes = bytes.clone();
        state
            .db
            .call(move |conn| import::run(conn, &catalogue, &actor, kind, &bytes, options, crate::clock::today()))
            .await
            .map_err(|e| ctx.error(e))?
    };
    let payload = STANDARD.encode(&bytes);
    let file_name = form.file_name.unwrap_or_else(|| "upload.csv".to_owned());
    let outcome_view = OutcomeView {
        lang,
        kind,
        file_name: &file_name,
        outcome: &outcome,
        catalogue: &catalogue,
        payload: &payload,
        draft: form.draft,
    };
    let (status, body) = if outcome.applied {
        (StatusCode::OK, view::done(&outcome_view))
    } else if outcome.errors.is_empty() {
        (StatusCode::OK, view::preview(&outcome_view))
    } else {
        (StatusCode::UNPROCESSABLE_ENTITY, view::preview(&outcome_view))
    };
    Ok((status, ctx.render(view::title(kind, lang), body)).into_response())
}
