//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 description of every `/api/v1` route, its
//! parameters, bodies and errors. `tests/openapi.rs` compares it with the router both ways.

use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

fn error_responses(codes: &[u16]) -> serde_json::Map<String, Value> {
    let mut responses = serde_json::Map::new();
    for code in codes {
        let description = match code {
            400 => "Malformed request: a bad period, filter, cursor or JSON body",
            401 => "No session cookie or bearer token",
            403 => "Wrong role or region",
            404 => "Unknown region, indicator or report",
            409 => "Wrong report status, or a stale version",
            422 => "Validation failed: figures, notes, or a period not yet started",
            _ => "Error",
        };
        responses.insert(
            code.to_string(),
            json!({
                "description": description,
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
            }),
        );
    }
    responses
}

/// The 403 a city-bound reader (a leader, analyst or admin bound to a city) gets for a region
/// outside its city: `responses` with it added.
fn outside_city(mut responses: Value) -> Value {
    responses["403"] = json!({
        "description": "Outside the reader's city: an account bound to a city (leader, analyst or admin) asked for a region beyond that city and its units; the message names both",
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
    });
    responses
}

fn ok(description: &str, schema: &str, errors: &[u16]) -> Value {
    let mut responses = error_responses(errors);
    responses.insert(
        "200".into(),
        json!({
            "description": description,
            "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } }
        }),
    );
    Value::Object(responses)
}

fn query(name: &str, description: &str, schema: Value) -> Value {
    json!({ "name": name, "in": "query", "required": false, "description": description, "schema": schema })
}

fn path_parameters() -> Value {
    json!([
        { "name": "code", "in": "path", "required": true, "description": "Region code (行政区划代码), e.g. 440100",
          "schema": { "type": "string", "pattern": "^[0-9]{6}$" } },
        { "name": "period", "in": "path", "required": true, "description": "Quarter, e.g. 2020Q1",
          "schema": { "$ref": "#/components/schemas/Period" } }
    ])
}

fn review(summary: &str, comment_required: bool) -> Value {
    let mut body = json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "comment": { "type": ["string", "null"], "description": "Shown to the city" },
            "version": { "type": ["integer", "null"], "description": "The version reviewed; a stale one gets 409" }
        }
    });
    if comment_required {
        body["required"] = json!(["comment"]);
    }
    json!({
        "summary": summary,
        "parameters": path_parameters(),
        "requestBody": { "required": comment_required, "content": { "application/json": { "schema": body } } },
        "responses": ok("The report after the review", "SavedReport", &[400, 401, 403, 404, 409, 422])
    })
}

/// The description, as JSON.
pub fn document() -> Value {
    let period_filter = query(
        "period",
        "Quarter such as 2020Q1; default the latest with counted figures",
        json!({ "$ref": "#/components/schemas/Period" }),
    );
    let region_filter = query(
        "region",
        "Region code: that region and its subtree",
        json!({ "type": "string" }),
    );
    let indicator_filter = query("indicator", "Indicator key", json!({ "type": "string" }));
    let mut progress_responses = outside_city(ok(
        "Progress rows, province first (a city-bound reader's city first, its subtree only)",
        "ProgressResponse",
        &[400, 401, 404, 422],
    ));
    progress_responses["304"] = json!({ "description": "Not modified: the If-None-Match ETag is current" });
    progress_responses["200"]["headers"] =
        json!({ "ETag": { "schema": { "type": "string" }, "description": "Changes with every write" } });
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "anju 住房保障目标任务跟踪 API",
            "version": "1",
            "description": "Quarterly housing-security figures against annual targets. Counts are integers in the indicator's unit; rates are percentages with one decimal (72.3). Only submitted and approved figures count."
        },
        "servers": [{ "url": "/api/v1" }],
        "security": [{ "bearer": [] }, { "session": [] }],
        "paths": {
            "/progress": {
                "get": {
                    "summary": "Progress rows: cumulative, target, rate, benchmark, gap and status per region and indicator",
                    "parameters": [
                        period_filter,
                        region_filter,
                        indicator_filter,
                        { "name": "If-None-Match", "in": "header", "required": false, "schema": { "type": "string" } }
                    ],
                    "responses": progress_responses
                }
            },
            "/completeness": {
                "get": {
                    "summary": "Completeness and timeliness per level: expected, submitted, on time and approved at the region and at each city under it that reports through its units",
                    "parameters": [period_filter.clone(), region_filter.clone()],
                    "responses": outside_city(json!({ "200": { "description": "One row per level", "content": { "application/json": { "schema": { "type": "object" } } } }, "400": { "description": "Bad period" }, "401": { "description": "Not signed in" }, "404": { "description": "Unknown region" } }))
                }
            },
            "/regions": {
                "get": { "summary": "The region catalogue", "responses": ok("Regions", "Regions", &[401]) }
            },
            "/indicators": {
                "get": { "summary": "The indicator catalogue", "responses": ok("Indicators", "Indicators", &[401]) }
            },
            "/reports/{code}/{period}": {
                "get": {
                    "summary": "One report: figures, notes, status, version",
                    "parameters": path_parameters(),
                    "responses": outside_city(ok("The report", "Report", &[400, 401, 404]))
                },
                "put": {
                    "summary": "Save (and with submit, submit) figures; creates the report when none exists",
                    "parameters": path_parameters(),
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ReportBody" } } } },
                    "responses": ok("The saved report and its warnings", "SavedReport", &[400, 401, 403, 404, 409, 422])
                }
            },
            "/reports/{code}/{period}/approve": { "post": review("Approve a submitted report (admin)", false) },
            "/reports/{code}/{period}/return": { "post": review("Return a submitted report with a comment (admin)", true) },
            "/reports/{code}/{period}/reopen": { "post": review("Reopen an approved report with a comment (admin)", true) },
            "/reports/{code}/{period}/consolidate": {
                "post": {
                    "summary": "Send up the consolidated report of a city that reports through its units, once each unit is approved or left out with a reason (that city's or the province's admin)",
                    "parameters": path_parameters(),
                    "requestBody": { "required": false, "content": { "application/json": { "schema": {
                        "type": "object",
                        "additionalProperties": false,
                        "properties": {
                            "reasons": {
                                "type": "array",
                                "description": "Units left out, each with why",
                                "items": {
                                    "type": "object",
                                    "additionalProperties": false,
                                    "required": ["unit", "reason"],
                                    "properties": { "unit": { "type": "string" }, "reason": { "type": "string" } }
                                }
                            }
                        }
                    } } } },
                    "responses": ok("The city's report, submitted", "SavedReport", &[400, 401, 403, 404, 409, 422])
                }
            },
            "/audit": {
                "get": {
                    "summary": "The change log, newest first, in pages",
                    "parameters": [
                        query("region", "Region code", json!({ "type": "string" })),
                        query("period", "Quarter such as 2020Q1", json!({ "$ref": "#/components/schemas/Period" })),
                        query("user", "Username", json!({ "type": "string" })),
                        query("indicator", "Indicator key", json!({ "type": "string" })),
                        query("action", "value, note, status, target, …", json!({ "type": "string" })),
                        query("limit", "Rows per page (default 500, at most 5000)", json!({ "type": "integer", "minimum": 1, "maximum": 5000 })),
                        query("cursor", "The next_cursor of the previous page", json!({ "type": "string" }))
                    ],
                    "responses": ok("A page of change-log rows and the cursor of the next", "AuditPage", &[400, 401, 403, 404])
                }
            },
            "/openapi.json": {
                "get": {
                    "summary": "This description",
                    "security": [],
                    "responses": { "200": { "description": "OpenAPI 3.1", "content": { "application/json": { "schema": { "type": "object" } } } } }
                }
            }
        },
        "components": {
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer", "description": "A token from `anju token create` or the account page; the scheme in any case" },
                "session": { "type": "apiKey", "in": "cookie", "name": "anju_session" }
            },
            "schemas": {
                "Period": { "type": "string", "pattern": "^[0-9]{4}Q[1-4]$", "examples": ["2020Q1"] },
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": { "type": "string", "description": "A clear message" },
                        "field": { "type": ["string", "null"], "description": "The indicator key or field at fault" }
                    }
                },
                "ProgressRow": {
                    "type": "object",
                    "properties": {
                        "region_code": { "type": "string" }, "region_name": { "type": "string" },
                        "level": { "type": "string", "enum": ["country", "province", "city", "county"] },
                        "indicator": { "type": "string" }, "indicator_name": { "type": "string" }, "unit": { "type": "string" },
                        "year": { "type": "integer" }, "quarter": { "type": "integer", "minimum": 1, "maximum": 4 },
                        "cumulative": { "type": ["integer", "null"] }, "quarter_increment": { "type": ["integer", "null"] },
                        "target": { "type": ["integer", "null"] },
                        "completion_rate": { "type": ["number", "null"], "description": "Percent, one decimal: 72.3" },
                        "time_progress": { "type": "number" }, "gap_pp": { "type": ["number", "null"] },
                        "status": { "type": "string", "enum": ["on_track", "lagging", "behind", "no_target", "not_reported", "incomplete"] },
                        "report_status": { "type": ["string", "null"], "enum": ["draft", "submitted", "approved", "returned", null] }
                    },
                    "additionalProperties": true
                },
                "ProgressResponse": {
                    "type": "object",
                    "properties": {
                        "period": { "$ref": "#/components/schemas/Period" },
                        "time_progress": { "type": "number" },
                        "rows": { "type": "array", "items": { "$ref": "#/components/schemas/ProgressRow" } }
                    }
                },
                "Regions": { "type": "object", "properties": { "regions": { "type": "array", "items": { "type": "object" } } } },
                "Indicators": { "type": "object", "properties": { "indicators": { "type": "array", "items": { "type": "object" } } } },
                "Report": {
                    "type": "object",
                    "properties": {
                        "region_code": { "type": "string" }, "period": { "$ref": "#/components/schemas/Period" },
                        "status": { "type": "string", "enum": ["draft", "submitted", "approved", "returned"] },
                        "version": { "type": "integer" },
                        "values": { "type": "object", "additionalProperties": { "type": ["integer", "null"] } },
                        "notes": { "type": "object", "additionalProperties": { "type": "string" } },
                        "admin_comment": { "type": ["string", "null"] }
                    },
                    "additionalProperties": true
                },
                "ReportBody": {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": {
                        "values": { "type": "object", "additionalProperties": { "type": ["integer", "number", "string", "null"] },
                                    "description": "Indicator key → cumulative; whole numbers (2000 or 2000.0), null is not reported" },
                        "notes": { "type": "object", "additionalProperties": { "type": "string", "maxLength": 500 } },
                        "submit": { "type": "boolean", "default": false },
                        "version": { "type": ["integer", "null"] }
                    }
                },
                "SavedReport": {
                    "type": "object",
                    "required": ["report", "warnings"],
                    "properties": {
                        "report": { "$ref": "#/components/schemas/Report" },
                        "warnings": { "type": "array", "items": { "type": "object" } }
                    }
                },
                "AuditPage": {
                    "type": "object",
                    "required": ["rows", "next_cursor"],
                    "properties": {
                        "rows": { "type": "array", "items": { "type": "object" } },
                        "next_cursor": { "type": ["string", "null"], "description": "Pass as cursor for the next page; null on the last" }
                    }
                }
            }
        }
    })
}

/// `GET /api/v1/openapi.json`
pub async fn openapi() -> Response {
    axum::Json(document()).into_response()
}
