//! The `anju` command line: starts the server or runs one administrative task.

#![forbid(unsafe_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand, ValueEnum};

use anju::config::{ServeConfig, StoreConfig};
use anju::domain::validation::given;
use anju::domain::{Actor, Period};
use anju::service::accounts::NewUser;
use anju::service::import::{self, ImportOptions, Kind};
use anju::{auth, db, service};

/// jemalloc rather than glibc's allocator: see its line in Cargo.toml.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// 住房保障目标任务跟踪 — housing-security target tracker.
#[derive(Parser)]
#[command(name = "anju", version, about)]
struct Cli {
    #[command(flatten)]
    store: StoreConfig,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web application and API.
    Serve(ServeConfig),
    /// Create or upgrade the database and load the region and indicator catalogue.
    Migrate,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Import targets or reports from a CSV file (UTF-8 or GBK) or a workbook (.xlsx); all rows or none.
    Import {
        kind: ImportKind,
        file: PathBuf,
        /// Check the file and show what would change, without writing.
        #[arg(long)]
        dry_run: bool,
        /// Reports only: keep imported reports as drafts instead of submitting them.
        #[arg(long)]
        draft: bool,
    },
    /// Export computed progress.
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// Copy the database to FILE with SQLite's online backup, safe while the server runs.
    Backup { file: PathBuf },
    /// Decide who reports a city's figures: the city itself (`--self`, the default for every
    /// city) or its county-level units (`--units`, optionally with its 市本级 as one more unit).
    Reporting {
        /// The city's code, e.g. 440200.
        city: String,
        #[arg(long, conflicts_with = "city_itself", required_unless_present = "city_itself")]
        units: bool,
        /// With --units: the city's directly managed figures report as one more unit (440201).
        #[arg(long, requires = "units")]
        city_level: bool,
        #[arg(long = "self")]
        city_itself: bool,
    },
    /// Fill an empty database with the national dataset for benchmarks: the real 31 provinces,
    /// 342 cities and (by default) 2,850 counties, with ten years of synthetic quarterly
    /// reports. Demonstration data only.
    Gen {
        /// Counties in the whole country.
        #[arg(long, default_value_t = 2850)]
        counties: usize,
        /// Years of reports, ending with --last-year.
        #[arg(long, default_value_t = 10)]
        years: i32,
        #[arg(long, default_value_t = 2021)]
        last_year: i32,
        #[arg(long, default_value_t = 2020)]
        seed: u64,
    },
    /// Print the generated progress bulletin (通报) for a period, or write it as a Word document.
    Bulletin {
        #[arg(long)]
        period: String,
        /// `zh` (default) or `en`.
        #[arg(long, default_value = "zh")]
        lang: String,
        /// `text` (default) or `docx` (GB/T 9704 layout, in Chinese).
        #[arg(long, default_value = "text")]
        format: String,
        /// Where to write the .docx (default `bulletin-PERIOD.docx`).
        #[arg(long)]
        output: Option<std::path::PathBuf>,
        /// A city's bulletin (its 6-digit code): its units in the table, its bureau's 落款.
        /// Default: the province's.
        #[arg(long)]
        region: Option<String>,
        #[command(flatten)]
        imprint: anju::config::ImprintConfig,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account; its password comes from ANJU_USER_PASSWORD or is generated and printed.
    Add {
        name: String,
        #[arg(long)]
        role: String,
        /// The region the account is bound to (6-digit code): an officer's unit (a county,
        /// 市本级 or a city that reports itself); for an admin, leader or analyst a city (its
        /// subtree), or none for province-wide.
        #[arg(long)]
        region: Option<String>,
        #[arg(long, env = "ANJU_USER_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token for the account NAME and print it (it is not shown again).
    Create {
        name: String,
        /// What the token is for, shown in token lists.
        #[arg(long, default_value = "cli")]
        label: String,
        /// The token stops working after this many days; without it, it works until revoked.
        #[arg(long)]
        expires_days: Option<u32>,
    },
    /// List API tokens (never their secrets): the account NAME's, or everyone's.
    List { name: Option<String> },
    /// Revoke every API token of the account NAME, or only the token numbered `--id`.
    Revoke {
        name: String,
        #[arg(long)]
        id: Option<i64>,
    },
}

#[derive(Subcommand)]
enum ExportCommand {
    /// Progress rows for one period, to stdout.
    Progress {
        #[arg(long)]
        period: String,
        #[arg(long, value_enum, default_value_t = Format::Csv)]
        format: Format,
        /// Only this region and the regions under it.
        #[arg(long)]
        region: Option<String>,
        /// Only this indicator.
        #[arg(long)]
        indicator: Option<String>,
        /// Chinese column names in the CSV header.
        #[arg(long)]
        chinese_header: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ImportKind {
    Targets,
    Reports,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Csv,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "anju=info,tower_http=info".into()),
        )
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal, never into a log file.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("错误(error): {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let store = cli.store;
    match cli.command {
        Command::Serve(config) => serve(store, config),
        Command::Migrate => {
            service::pool::Db::open(&store.db, &store.data_dir)?;
            println!("数据库已就绪(database ready): {}", store.db.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::User {
            command:
                UserCommand::Add {
                    name,
                    role,
                    region,
                    password,
                },
        } => {
            let mut conn = open(&store)?;
            let catalogue = db::catalogue::load(&conn)?;
            let generated = password.is_none();
            let new = NewUser {
                username: name,
                role,
                region,
                password: password.unwrap_or_else(auth::new_password),
            };
            let user = service::accounts::create(&mut conn, &catalogue, &Actor::system("cli"), &new)?;
            match user.region_code.as_deref().and_then(|code| catalogue.region(code)) {
                Some(region) => println!(
                    "已创建用户(user created): {} ({}, {} {})",
                    user.username, user.role, region.code, region.name_zh
                ),
                None => println!("已创建用户(user created): {} ({})", user.username, user.role),
            }
            if generated {
                println!("初始密码(initial password): {}", new.password);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Token { command } => {
            let mut conn = open(&store)?;
            match command {
                TokenCommand::Create {
                    name,
                    label,
                    expires_days,
                } => {
                    let new = service::tokens::NewToken {
                        name: &label,
                        expires_in_days: expires_days,
                    };
                    let created = service::tokens::create(&mut conn, &Actor::system("cli"), &name, &new)?;
                    println!("{}", created.secret);
                }
                TokenCommand::List { name } => {
                    let tokens = service::tokens::list(&conn, &Actor::system("cli"), name.as_deref())?;
                    println!("id\tuser\tname\tcreated\tlast_used\texpires\tstate");
                    for t in tokens {
                        let state = if t.revoked {
                            "revoked"
                        } else if t.expired {
                            "expired"
                        } else {
                            "live"
                        };
                        println!(
                            "{}\t{}\t{}\t{}\t{}\t{}\t{state}",
                            t.id,
                            t.username,
                            t.name.escape_debug(),
                            t.created_at,
                            t.last_used_at.as_deref().unwrap_or("-"),
                            t.expires_at.as_deref().unwrap_or("never"),
                        );
                    }
                }
                TokenCommand::Revoke { name, id: Some(id) } => {
                    let actor = Actor::system("cli");
                    let owned = service::tokens::list(&conn, &actor, Some(&name))?
                        .iter()
                        .any(|t| t.id == id);
                    if !owned {
                        anyhow::bail!("{name} 没有编号 {id} 的令牌(no such token)");
                    }
                    let revoked = service::tokens::revoke(&mut conn, &actor, id)?;
                    println!(
                        "{}",
                        if revoked {
                            "已撤销(revoked)"
                        } else {
                            "该令牌早已撤销(already revoked)"
                        }
                    );
                }
                TokenCommand::Revoke { name, id: None } => {
                    let revoked = service::tokens::revoke_all(&mut conn, &Actor::system("cli"), &name)?;
                    println!("已撤销 {name} 的 {revoked} 个令牌(tokens revoked)");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            kind,
            file,
            dry_run,
            draft,
        } => {
            let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let mut conn = open(&store)?;
            let catalogue = db::catalogue::load(&conn)?;
            let kind = match kind {
                ImportKind::Targets => Kind::Targets,
                ImportKind::Reports => Kind::Reports,
            };
            let options = ImportOptions {
                dry_run,
                keep_as_draft: draft,
            };
            let outcome = import::run(
                &mut conn,
                &catalogue,
                &Actor::system("cli"),
                kind,
                &bytes,
                options,
                anju::clock::today(),
            )
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            if !outcome.errors.is_empty() {
                for error in &outcome.errors {
                    eprintln!("{}:{}: {}", file.display(), error.line, error.message);
                }
                eprintln!(
                    "导入失败,共 {} 处错误,数据库未作任何修改(import failed; nothing was changed)",
                    outcome.errors.len()
                );
                return Ok(ExitCode::FAILURE);
            }
            for change in &outcome.changes {
                let show = |v: Option<i64>| v.map_or_else(|| "(空)".to_owned(), |v| v.to_string());
                if change.value_changes() || change.note.is_none() {
                    println!(
                        "line {}: {} {} {}: {} → {}",
                        change.line,
                        change.region_code,
                        change.period,
                        change.indicator,
                        show(change.old),
                        show(change.new)
                    );
                }
                if let Some(note) = &change.note {
                    let shown = |n: &str| {
                        if n.is_empty() {
                            "（无）".to_owned()
                        } else {
                            format!("“{n}”")
                        }
                    };
                    println!(
                        "line {}: {} {} {} 情况说明（note）： {} → {}{}",
                        change.line,
                        change.region_code,
                        change.period,
                        change.indicator,
                        shown(&note.old),
                        shown(&note.new),
                        if note.new.is_empty() {
                            " （清空 cleared）"
                        } else {
                            ""
                        }
                    );
                }
            }
            for change in &outcome.status_changes {
                println!(
                    "report {} {}: {} → {}",
                    change.region_code,
                    change.period,
                    change.old.map_or("(新建)", |s| anju::domain::format::report_status(
                        s,
                        anju::domain::Lang::Zh
                    )),
                    anju::domain::format::report_status(change.new, anju::domain::Lang::Zh)
                );
            }
            if outcome.applied {
                println!("已导入 {} 行,{} 处变更(imported)", outcome.rows, outcome.changes.len());
            } else {
                println!(
                    "试运行:{} 行均有效,{} 处将变更,未写入(dry run; nothing written)",
                    outcome.rows,
                    outcome.changes.len()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Export {
            command:
                ExportCommand::Progress {
                    period,
                    format,
                    region,
                    indicator,
                    chinese_header,
                },
        } => {
            let period = Period::parse_typed(&period)?;
            let conn = open(&store)?;
            let catalogue = db::catalogue::load(&conn)?;
            let (region, indicator) = (given(region), given(indicator));
            service::export::check_filters(&catalogue, region.as_deref(), indicator.as_deref())?;
            let table = db::progress::table(&conn, &catalogue, period)?;
            let rows = table.rows(&catalogue, region.as_deref(), indicator.as_deref());
            let stdout = std::io::stdout().lock();
            match format {
                Format::Csv => {
                    anju::service::export::write_progress_csv(stdout, &rows, chinese_header)?.flush()?;
                }
                Format::Json => {
                    let body =
                        serde_json::json!({ "period": period, "time_progress": table.time_benchmark, "rows": rows });
                    serde_json::to_writer_pretty(stdout, &body)?;
                    println!();
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Gen {
            counties,
            years,
            last_year,
            seed,
        } => {
            let started = std::time::Instant::now();
            service::pool::Db::open(&store.db, &store.data_dir)?;
            let mut conn = db::connect(&store.db)?;
            let options = anju::seed::national::GenOptions {
                last_year,
                years,
                counties,
                seed,
            };
            let regions = anju::seed::national::regions(&db::catalogue::divisions(&conn)?, &options)?;
            let summary = anju::seed::national::load(&mut conn, &regions, &options)?;
            println!(
                "已生成全国合成数据(synthetic national data): {} regions, {} targets, {} reports, {} values in {:.1} s",
                summary.regions,
                summary.targets,
                summary.reports,
                summary.values,
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Bulletin {
            period,
            lang,
            format,
            output,
            region,
            imprint,
        } => {
            let period = Period::parse_typed(&period)?;
            // The region the bulletin is of: the province's unless a city is asked for.
            let root = |catalogue: &anju::domain::catalogue::Catalogue| -> anyhow::Result<Option<anju::domain::catalogue::Region>> {
                match region.as_deref() {
                    None => Ok(catalogue.home_region().cloned()),
                    Some(code) => anju::domain::bulletin::root_for(catalogue, code.trim())
                        .map(|r| Some(r.clone()))
                        .map_err(|why| anyhow::anyhow!("{}（{}）", why.zh(), why.en())),
                }
            };
            match format.as_str() {
                "text" => {}
                "docx" => {
                    let mut conn = open(&store)?;
                    let catalogue = db::catalogue::load(&conn)?;
                    let root = root(&catalogue)?;
                    let bytes = service::docx::bulletin_for_region(
                        &mut conn,
                        &catalogue,
                        root.as_ref(),
                        period,
                        &imprint.imprint(false, false),
                    )
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                    let city = match (&region, &root) {
                        (Some(_), Some(r)) if r.level == "city" => format!("-{}", r.code),
                        _ => String::new(),
                    };
                    let output = output.unwrap_or_else(|| format!("bulletin{city}-{period}.docx").into());
                    std::fs::write(&output, bytes).with_context(|| format!("writing {}", output.display()))?;
                    println!("已写入 {}(written)", output.display());
                    return Ok(ExitCode::SUCCESS);
                }
                other => bail!("未知格式 {other}，可用 text 或 docx(unknown format)"),
            }
            let english = match lang.as_str() {
                "zh" | "zh-CN" => false,
                "en" => true,
                other => bail!("未知语言 {other},可用 zh 或 en(unknown language)"),
            };
            let conn = open(&store)?;
            let catalogue = db::catalogue::load(&conn)?;
            let root = root(&catalogue)?;
            let table = db::progress::table(&conn, &catalogue, period)?;
            let imprint = imprint.imprint(db::meta::is_demo(&conn)?, english);
            let bulletin = match &root {
                Some(root) => anju::domain::bulletin::generate_for(&table, &catalogue, root, english, &imprint),
                None => anju::domain::bulletin::generate_with(&table, &catalogue, english, &imprint),
            };
            println!("{}", bulletin.text());
            Ok(ExitCode::SUCCESS)
        }
        Command::Reporting {
            city,
            units,
            city_level,
            city_itself: _,
        } => {
            let mut conn = open(&store)?;
            let by = if units {
                anju::domain::catalogue::ReportedBy::Units
            } else {
                anju::domain::catalogue::ReportedBy::City
            };
            service::reporting::set(&mut conn, &Actor::system("anju reporting"), &city, by, city_level)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let catalogue = db::catalogue::load(&conn)?;
            let units: Vec<&str> = catalogue.children(&city).map(|r| r.name_zh.as_str()).collect();
            if units.is_empty() {
                println!("{city} 以市为单位报送(reports as itself)");
            } else {
                println!(
                    "{city} 由 {} 个县级单位报送(reports through units): {}",
                    units.len(),
                    units.join("、")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup { file } => {
            if file.exists() {
                bail!("{} 已存在,不会覆盖(refusing to overwrite)", file.display());
            }
            let conn = open(&store)?;
            anju::ensure_parent(&file)?;
            db::backup_to(&conn, &file)?;
            let check = db::integrity_check(&file)?;
            if check != "ok" {
                bail!("备份校验失败(backup failed integrity check): {check}");
            }
            println!("已备份到(backed up to) {}", file.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Opens an existing database (migrating it), failing clearly when there is none.
fn open(store: &StoreConfig) -> anyhow::Result<rusqlite::Connection> {
    if !store.db.exists() {
        bail!(
            "数据库 {} 不存在,请先运行 anju migrate 或 anju serve(no database)",
            store.db.display()
        );
    }
    service::pool::Db::open(&store.db, &store.data_dir)?;
    db::connect(&store.db)
}

fn serve(store: StoreConfig, config: ServeConfig) -> anyhow::Result<ExitCode> {
    // Blocking threads (rendering, database calls) that sit idle for a second end, and hand
    // their allocator caches back: with tokio's default of ten seconds, the storm bench left 28
    // threads and 296 MiB behind.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_keep_alive(std::time::Duration::from_secs(1))
        .build()?;
    runtime.block_on(async move {
        let addr = config.addr;
        let state = anju::prepare(&store, config)?;
        let listener = anju::web::server::listen(addr).with_context(|| format!("binding {addr}"))?;
        tracing::info!("listening on http://{}", listener.local_addr()?);
        anju::launch(state, listener, anju::shutdown_signal()).await
    })?;
    Ok(ExitCode::SUCCESS)
}
