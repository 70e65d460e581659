//! CSV import on arbitrary bytes: decoding and a dry run of both kinds of import against a real
//! (in-memory) database never panic, never commit, and leave the database unchanged.
#![no_main]

use std::cell::RefCell;
use std::path::Path;

use anju::db;
use anju::domain::Actor;
use anju::domain::catalogue::Catalogue;
use anju::service::import::{self, ImportOptions, Kind};
use libfuzzer_sys::fuzz_target;
use rusqlite::Connection;

thread_local! {
    /// A migrated database with the built-in Guangdong catalogue, made once per process.
    static STORE: RefCell<(Connection, Catalogue)> = RefCell::new({
        let mut conn = Connection::open_in_memory().expect("in-memory database");
        db::migrate(&mut conn, Path::new("/nonexistent")).expect("migrate");
        let catalogue = db::catalogue::load(&conn).expect("catalogue");
        (conn, catalogue)
    });
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = import::decode(data) {
        assert!(!text.starts_with('\u{feff}'), "the BOM is dropped");
    }
    let today = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).expect("date");
    let options = ImportOptions {
        dry_run: true,
        keep_as_draft: false,
    };
    STORE.with_borrow_mut(|(conn, catalogue)| {
        for kind in [Kind::Targets, Kind::Reports] {
            let outcome = import::run(conn, catalogue, &Actor::system("fuzz"), kind, data, options, today)
                .expect("a dry run fails only on database errors");
            assert!(!outcome.applied, "a dry run never commits");
            assert!(!outcome.errors.is_empty() || outcome.rows > 0, "a clean file has rows");
            let rows: i64 = conn
                .query_row("SELECT (SELECT count(*) FROM reports) + (SELECT count(*) FROM targets)", [], |r| r.get(0))
                .expect("count");
            assert_eq!(rows, 0, "the dry run left data behind");
        }
    });
});
