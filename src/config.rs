//! Server settings: a clap struct, so every field is a flag with an environment fallback.

use std::net::SocketAddr;
use std::path::PathBuf;

use chrono::NaiveDate;

use crate::domain::progress::Share;

#[derive(Clone, Debug, clap::Args)]
pub struct ServeConfig {
    /// Address to listen on.
    #[arg(long, env = "ANJU_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// Load the demonstration dataset and demo accounts into an empty database.
    #[arg(long, env = "ANJU_DEMO")]
    pub demo: bool,

    /// Password of the demo accounts; a random one is printed at start when unset.
    #[arg(long, env = "ANJU_DEMO_PASSWORD", hide_env_values = true)]
    pub demo_password: Option<String>,

    /// Password of the first `admin` of a new database; a random one is printed once when unset.
    #[arg(long, env = "ANJU_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,

    /// Sessions end after this many minutes without a request (at least 1).
    #[arg(long, env = "ANJU_SESSION_IDLE_MINUTES", default_value_t = 120,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub session_idle_minutes: u32,

    /// Sessions end this many hours after sign-in, however busy (at least 1).
    #[arg(long, env = "ANJU_SESSION_MAX_HOURS", default_value_t = 12,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub session_max_hours: u32,

    /// A report submitted more than this many days after its quarter ended is flagged late.
    #[arg(long, env = "ANJU_LATE_AFTER_DAYS", default_value_t = 15)]
    pub late_after_days: u32,

    /// A request's write waits this many milliseconds at most for another writer, then answers
    /// 503 with `Retry-After` (nothing stored).
    #[arg(long, env = "ANJU_WRITE_WAIT_MS", default_value_t = 5000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub write_wait_ms: u64,

    /// Mark the session cookie `Secure` (set when served over HTTPS behind a proxy).
    #[arg(long, env = "ANJU_SECURE_COOKIE")]
    pub secure_cookie: bool,

    /// A request's head must arrive within this many seconds (on a new connection and between
    /// keep-alive requests).
    #[arg(long, env = "ANJU_HEADER_TIMEOUT_SECS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub header_timeout_secs: u64,

    /// A connection with nothing to do is closed after this many seconds.
    #[arg(long, env = "ANJU_KEEP_ALIVE_SECS", default_value_t = 15,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub keep_alive_secs: u64,

    /// Connections served at once (lowered to fit the open-file limit); more get a 503.
    #[arg(long, env = "ANJU_MAX_CONNECTIONS", default_value_t = 8192,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_connections: u64,

    /// Connections served at once from one client address (the trusted proxy is exempt).
    #[arg(long, env = "ANJU_MAX_CONNECTIONS_PER_ADDRESS", default_value_t = 512,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_connections_per_address: u64,

    /// The address of a reverse proxy in front of anju: only for connections from it is the
    /// client address taken from `X-Forwarded-For`.
    #[arg(long, env = "ANJU_TRUSTED_PROXY")]
    pub trusted_proxy: Option<std::net::IpAddr>,

    /// Pages open on the latest period in which at least this share of the expected regions
    /// has submitted (2/3, 0.75 or 75%); a newer, less complete period is announced and linked.
    #[arg(long, env = "ANJU_DEFAULT_PERIOD_SHARE", default_value = "2/3")]
    pub default_period_share: Share,

    #[command(flatten)]
    pub imprint: ImprintConfig,

    /// The tile map's layout, read at start-up from the data directory's `tiles.csv` (else the
    /// built-in one); not an option of its own.
    #[arg(skip)]
    pub tile_layout: std::sync::Arc<crate::domain::tiles::TileLayout>,
}

/// The bulletin's 落款: who issues it and when.
#[derive(Clone, Debug, clap::Args)]
pub struct ImprintConfig {
    /// The issuing office named at the end of the bulletin.
    #[arg(long, env = "ANJU_ISSUER", default_value = DEFAULT_ISSUER)]
    pub issuer: String,

    /// The same office in English, for the English bulletin.
    #[arg(long, env = "ANJU_ISSUER_EN", default_value = DEFAULT_ISSUER_EN)]
    pub issuer_en: String,

    /// The bulletin's date (YYYY-MM-DD); today when unset.
    #[arg(long, env = "ANJU_BULLETIN_DATE")]
    pub bulletin_date: Option<NaiveDate>,
}

/// The department the built-in catalogue belongs to.
pub const DEFAULT_ISSUER: &str = "广东省住房和城乡建设厅";
pub const DEFAULT_ISSUER_EN: &str = "Department of Housing and Urban-Rural Development of Guangdong Province";

impl ImprintConfig {
    /// The issuing office in the bulletin's language.
    pub fn issuer(&self, english: bool) -> &str {
        if english { &self.issuer_en } else { &self.issuer }
    }

    /// The bulletin's 落款 in one language, dated today unless a date is set.
    pub fn imprint(&self, demo: bool, english: bool) -> crate::domain::bulletin::Imprint {
        crate::domain::bulletin::Imprint {
            issuer: self.issuer(english).to_owned(),
            date: self.bulletin_date.unwrap_or_else(crate::clock::today),
            demo,
        }
    }
}

impl Default for ImprintConfig {
    fn default() -> Self {
        Self {
            issuer: DEFAULT_ISSUER.to_owned(),
            issuer_en: DEFAULT_ISSUER_EN.to_owned(),
            bulletin_date: None,
        }
    }
}

impl Default for ServeConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            demo: false,
            demo_password: None,
            admin_password: None,
            session_idle_minutes: 120,
            session_max_hours: 12,
            late_after_days: 15,
            write_wait_ms: 5000,
            secure_cookie: false,
            header_timeout_secs: 10,
            keep_alive_secs: 15,
            max_connections: 8192,
            max_connections_per_address: 512,
            trusted_proxy: None,
            default_period_share: Share::default(),
            imprint: ImprintConfig::default(),
            tile_layout: std::sync::Arc::default(),
        }
    }
}

/// Where the data lives: every command takes these.
#[derive(Clone, Debug, clap::Args)]
pub struct StoreConfig {
    /// SQLite database file.
    #[arg(long, global = true, env = "ANJU_DB", default_value = "data/anju.db")]
    pub db: PathBuf,

    /// Directory with `regions.csv`, `indicators.csv` and `tiles.csv` (the tile map's
    /// region_code,row,col); the built-in Guangdong file is used for any it lacks.
    #[arg(long, global = true, env = "ANJU_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::ServeConfig;

    #[derive(Parser)]
    struct Serve {
        #[command(flatten)]
        config: ServeConfig,
    }

    #[test]
    fn session_times_of_zero_are_refused_with_a_clear_message() {
        for flag in ["--session-idle-minutes", "--session-max-hours"] {
            let error = Serve::try_parse_from(["serve", flag, "0"]).err().expect("0 refused");
            assert!(error.to_string().contains("0 is not in 1.."), "{flag}: {error}");
            assert!(Serve::try_parse_from(["serve", flag, "-5"]).is_err(), "{flag} -5");
        }
        let config = Serve::try_parse_from(["serve", "--session-idle-minutes", "1"])
            .unwrap()
            .config;
        assert_eq!((config.session_idle_minutes, config.session_max_hours), (1, 12));
    }

    #[test]
    fn connection_limits_of_zero_and_a_bad_proxy_address_are_refused() {
        for flag in [
            "--header-timeout-secs",
            "--keep-alive-secs",
            "--max-connections",
            "--max-connections-per-address",
        ] {
            let error = Serve::try_parse_from(["serve", flag, "0"]).err().expect("0 refused");
            assert!(error.to_string().contains("0 is not in 1.."), "{flag}: {error}");
        }
        assert!(Serve::try_parse_from(["serve", "--trusted-proxy", "proxy.example"]).is_err());
        let config = Serve::try_parse_from(["serve", "--trusted-proxy", "10.0.0.9"])
            .unwrap()
            .config;
        assert_eq!(config.trusted_proxy, Some("10.0.0.9".parse().unwrap()));
        assert_eq!((config.header_timeout_secs, config.keep_alive_secs), (10, 15));
    }
}
