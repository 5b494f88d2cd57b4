//! Folding evidence into the report: client settings (from `scan-config`)
//! matched to report rows by endpoint, user and database, and the analyst's
//! overrides. Both are read from CSV files a person may have edited, so every
//! problem names the file and line.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use sslcensus_parsers::Engine;

use super::Fact;
use super::walk::FoundHit;
use crate::census::ClientKey;
use crate::family::Families;

/// The user, database and application a setting or an override names,
/// each `None` where it names none: it then matches any client's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientNames {
    pub user: Option<String>,
    pub database: Option<String>,
    /// A setting's: the application it names (its own `application_name`,
    /// `Application Name`, `program_name`, …, or `--app-map`), so that it
    /// matches that application's family's rows only.
    pub application: Option<String>,
}

impl ClientNames {
    /// The user, database and application columns of a CSV row.
    fn of_row(row: &HashMap<String, String>) -> ClientNames {
        ClientNames {
            user: row.get("user").cloned(),
            database: row.get("database").cloned(),
            application: row.get("application").cloned(),
        }
    }

    /// Whether `key`'s user, database and application are the ones named.
    fn match_key(&self, key: &ClientKey) -> bool {
        names(&self.user, &key.user)
            && names(&self.database, &key.database)
            && names(&self.application, &key.application)
    }
}

/// Whether a column that may be left open (`want`) names `have`.
fn names(want: &Option<String>, have: &str) -> bool {
    want.as_deref().is_none_or(|w| w == have)
}

/// A client setting, with where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSetting {
    /// `file:line`.
    pub source: String,
    pub stack: String,
    pub engine: Option<Engine>,
    pub host: Option<String>,
    pub names: ClientNames,
    pub uses_tls: Fact,
    pub verifies_chain: Fact,
    /// The driver version the project's dependency files give, with the
    /// file it comes from.
    pub driver_version: Option<String>,
    /// The RDS CAs its trust store holds, where that was checked.
    pub trust_store_rds_cas: Option<String>,
}

impl From<&FoundHit> for ClientSetting {
    fn from(found: &FoundHit) -> Self {
        let hit = &found.hit;
        ClientSetting {
            source: format!("{}:{}", found.file.display(), hit.line),
            stack: hit.stack.to_string(),
            engine: Some(hit.engine),
            host: hit.host.clone(),
            names: ClientNames {
                user: hit.user.clone(),
                database: hit.database.clone(),
                application: hit.application.clone(),
            },
            uses_tls: hit.facts.uses_tls,
            verifies_chain: hit.facts.verifies_chain,
            driver_version: hit.driver_version.clone(),
            trust_store_rds_cas: found.trust_store_rds_cas.clone(),
        }
    }
}

/// What an RDS endpoint names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// An instance, or an Aurora cluster (whose instances' logs are named
    /// `<cluster>-…` or by the instance id).
    Database(String),
    /// An RDS Proxy: its clients see the proxy's ACM certificate, not the
    /// database's, so a CA rotation does not reach them.
    Proxy(String),
}

/// The endpoint a host name points at: `--endpoint-map` first, then the RDS
/// naming scheme (`<id>.<hash>.<region>.rds.amazonaws.com`,
/// `<id>.cluster-[ro-|custom-]<hash>.…`, `<name>.proxy-<hash>.…`).
pub fn endpoint(host: &str, map: &EndpointMap) -> Option<Endpoint> {
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    if let Some(instance) = map.0.get(&host) {
        return Some(Endpoint::Database(instance.clone()));
    }
    let labels: Vec<&str> = host.split('.').collect();
    let rds = labels.len() >= 5 && labels[labels.len() - 3..] == ["rds", "amazonaws", "com"]
        || labels.ends_with(&["rds", "amazonaws", "com", "cn"]);
    if !rds {
        return None;
    }
    let id = labels[0].to_string();
    Some(if labels[1].starts_with("proxy-") {
        Endpoint::Proxy(id)
    } else {
        Endpoint::Database(id)
    })
}

/// `--endpoint-map`: custom DNS names (CNAMEs, Route 53 aliases) → instance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointMap(HashMap<String, String>);

fn open_csv(path: &Path) -> Result<csv::Reader<std::fs::File>> {
    csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_path(path)
        .with_context(|| format!("cannot read {}", path.display()))
}

/// Reads rows as header → value maps, naming the file and line of any error.
fn records(path: &Path, required: &[&str]) -> Result<Vec<(u64, HashMap<String, String>)>> {
    let mut reader = open_csv(path)?;
    let headers: Vec<String> = reader
        .headers()
        .with_context(|| format!("{}:1: cannot read the header", path.display()))?
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    for column in required {
        if !headers.iter().any(|h| h == column) {
            // The header is not echoed: a file given by mistake (a `.env`,
            // a settings file) may hold a password in its first line.
            bail!(
                "{}:1: missing column {column:?}: the first line must be a header naming the columns {}",
                path.display(),
                required.join(", ")
            );
        }
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.with_context(|| format!("{}: bad CSV", path.display()))?;
        let line = record.position().map_or(0, |p| p.line());
        let row = headers
            .iter()
            .cloned()
            // sslcensus guards cells that look like formulas with a `'`
            // when it writes CSV; reading its own files back undoes it.
            .zip(
                record
                    .iter()
                    .map(|v| crate::report::unguard_cell(v).to_string()),
            )
            .filter(|(_, v)| !v.is_empty())
            .collect();
        rows.push((line, row));
    }
    Ok(rows)
}

/// Reads a two-column map file: every row needs both columns.
fn pairs(path: &Path, key: &str, value: &str) -> Result<Vec<(String, String)>> {
    let mut pairs = Vec::new();
    for (line, mut row) in records(path, &[key, value])? {
        match (row.remove(key), row.remove(value)) {
            (Some(k), Some(v)) => pairs.push((k, v)),
            _ => bail!(
                "{}:{line}: {key} and {value} are both needed",
                path.display()
            ),
        }
    }
    Ok(pairs)
}

impl EndpointMap {
    /// Reads `host,instance` rows.
    pub fn read(path: &Path) -> Result<EndpointMap> {
        let map = pairs(path, "host", "instance")?
            .into_iter()
            .map(|(host, instance)| (host.to_ascii_lowercase(), instance))
            .collect();
        Ok(EndpointMap(map))
    }
}

/// `--app-map`: which application the settings under a path belong to
/// (`path,application` rows, e.g. `src/billing/,billing`). A setting that
/// names no application of its own otherwise only settles a row when it
/// matches one application alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppMap(Vec<(String, String)>);

impl AppMap {
    /// Reads `path,application` rows.
    pub fn read(path: &Path) -> Result<AppMap> {
        let mut prefixes: Vec<(String, String)> = pairs(path, "path", "application")?
            .into_iter()
            .map(|(prefix, app)| (prefix.trim_start_matches("./").to_string(), app))
            .collect();
        // The longest prefix wins.
        prefixes.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        Ok(AppMap(prefixes))
    }

    /// The application of a setting found in `file` (as scan-config wrote
    /// it: relative to the scanned tree or absolute).
    pub fn application_for(&self, file: &str) -> Option<&str> {
        let file = file.trim_start_matches("./");
        self.0
            .iter()
            .find(|(prefix, _)| {
                file.starts_with(prefix.as_str()) || file.contains(&format!("/{prefix}"))
            })
            .map(|(_, app)| app.as_str())
    }
}

fn fact(path: &Path, line: u64, value: Option<&String>) -> Result<Fact> {
    Ok(match value.map(|v| v.to_ascii_lowercase()).as_deref() {
        Some("yes" | "true" | "y" | "1") => Fact::Yes,
        Some("no" | "false" | "n" | "0") => Fact::No,
        None | Some("unknown" | "") => Fact::Unknown,
        Some(other) => bail!(
            "{}:{line}: {other:?} is not yes, no or unknown",
            path.display()
        ),
    })
}

fn engine(name: &str) -> Option<Engine> {
    [
        Engine::Postgres,
        Engine::Mysql,
        Engine::Mariadb,
        Engine::Oracle,
        Engine::SqlServer,
    ]
    .into_iter()
    .find(|e| e.name() == name)
}

/// Reads a `scan-config` CSV back. Columns are found by name, so files
/// written before `application` and `driver_version` existed still read.
pub fn read_settings(path: &Path) -> Result<Vec<ClientSetting>> {
    let mut settings = Vec::new();
    for (line, row) in records(path, &["file", "line", "uses_tls", "verifies_chain"])? {
        // Empty values are left out of `row`: a row may lack any column.
        let (Some(file), Some(file_line)) = (row.get("file"), row.get("line")) else {
            bail!("{}:{line}: file and line are both needed", path.display());
        };
        settings.push(ClientSetting {
            source: format!("{file}:{file_line}"),
            stack: row.get("stack").cloned().unwrap_or_default(),
            engine: row.get("engine").and_then(|e| engine(e)),
            host: row.get("host").cloned(),
            names: ClientNames::of_row(&row),
            uses_tls: fact(path, line, row.get("uses_tls"))?,
            verifies_chain: fact(path, line, row.get("verifies_chain"))?,
            driver_version: row.get("driver_version").cloned(),
            trust_store_rds_cas: row.get("trust_store_rds_cas").cloned(),
        });
    }
    Ok(settings)
}

/// What an analyst confirmed by hand about some clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    /// `file:line`.
    pub source: String,
    /// Key columns; `None` matches anything.
    pub instance: Option<String>,
    pub names: ClientNames,
    pub client_host: Option<String>,
    pub verifies: bool,
    pub note: String,
}

impl Override {
    fn matches(&self, key: &ClientKey) -> bool {
        names(&self.instance, &key.instance)
            && self.names.match_key(key)
            && names(&self.client_host, &key.client_host)
    }
}

/// Reads `--evidence`: key columns (any of instance, user, database,
/// application, client_host), `verifies` (yes/no) and `note`.
pub fn read_overrides(path: &Path) -> Result<Vec<Override>> {
    let mut overrides = Vec::new();
    for (line, row) in records(path, &["verifies"])? {
        let verifies = match fact(path, line, row.get("verifies"))? {
            Fact::Yes => true,
            Fact::No => false,
            Fact::Unknown => bail!("{}:{line}: verifies must be yes or no", path.display()),
        };
        overrides.push(Override {
            source: format!("{}:{line}", path.display()),
            instance: row.get("instance").cloned(),
            names: ClientNames::of_row(&row),
            client_host: row.get("client_host").cloned(),
            verifies,
            note: row.get("note").cloned().unwrap_or_default(),
        });
    }
    Ok(overrides)
}

/// All outside evidence for one run.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    settings: Vec<(ClientSetting, Endpoint)>,
    /// Settings whose host names no known instance.
    pub untied_settings: usize,
    overrides: Vec<Override>,
}

impl Evidence {
    pub fn new(
        settings: Vec<ClientSetting>,
        map: &EndpointMap,
        apps: &AppMap,
        mut overrides: Vec<Override>,
        families: &Families,
    ) -> Evidence {
        // Rows are application families: a setting or an override naming a
        // raw name applies to its family's row.
        for o in &mut overrides {
            if let Some(app) = &mut o.names.application {
                *app = families.of(app).into_owned();
            }
        }
        let mut evidence = Evidence {
            overrides,
            ..Evidence::default()
        };
        for mut setting in settings {
            if setting.names.application.is_none() {
                let file = setting
                    .source
                    .rsplit_once(':')
                    .map_or(setting.source.as_str(), |(file, _)| file);
                setting.names.application = apps.application_for(file).map(str::to_string);
            }
            if let Some(app) = &mut setting.names.application {
                *app = families.of(app).into_owned();
            }
            match setting.host.as_deref().and_then(|h| endpoint(h, map)) {
                Some(endpoint) => evidence.settings.push((setting, endpoint)),
                None => evidence.untied_settings += 1,
            }
        }
        evidence
    }

    /// Settings that point at this client's instance and name its user,
    /// database and application (or leave them open).
    pub fn settings_for(&self, key: &ClientKey) -> Vec<&ClientSetting> {
        self.settings
            .iter()
            .filter(|(setting, endpoint)| {
                let Endpoint::Database(id) = endpoint else {
                    return false;
                };
                let instance = key.instance == *id || key.instance.starts_with(&format!("{id}-"));
                let engine = setting.engine.is_none_or(|e| {
                    e == key.engine
                        || matches!(
                            (e, key.engine),
                            (Engine::Mysql, Engine::Mariadb) | (Engine::Mariadb, Engine::Mysql)
                        )
                });
                instance && engine && setting.names.match_key(key)
            })
            .map(|(setting, _)| setting)
            .collect()
    }

    /// The analyst's finding for this client, if any (the first that matches).
    pub fn override_for(&self, key: &ClientKey) -> Option<&Override> {
        self.overrides.iter().find(|o| o.matches(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the mutation test: a settings row with an empty `file` or
    /// `line` was a panic; it is an error naming the row's line.
    #[test]
    fn a_settings_row_without_file_or_line_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        for row in [",3,yes,yes", "app/.env,,yes,yes"] {
            let path = dir.path().join("scan.csv");
            std::fs::write(
                &path,
                format!("file,line,uses_tls,verifies_chain\napp/db.js,1,yes,no\n{row}\n"),
            )
            .unwrap();
            let error = read_settings(&path).unwrap_err().to_string();
            assert!(
                error.ends_with("scan.csv:3: file and line are both needed"),
                "{error}"
            );
        }
    }

    #[test]
    fn scan_config_output_reads_back_with_or_without_the_newer_columns() {
        let dir = crate::evidence::testing::tree(&[
            ("app/package.json", br#"{"dependencies": {"pg": "^8.11.3"}}"#),
            (
                "app/db.js",
                b"const { Pool } = require('pg');\nconst pool = new Pool({ host: 'orders-db.abc.us-east-1.rds.amazonaws.com', application_name: 'billing', ssl: true });\n",
            ),
        ]);
        let (found, _) = super::super::walk::scan(&[dir.path().to_path_buf()]);
        let csv = dir.path().join("scan.csv");
        let file = std::fs::File::create(&csv).unwrap();
        crate::report::write_settings(&found, crate::report::OutputFormat::Csv, file).unwrap();
        let read = read_settings(&csv).unwrap();
        let direct: Vec<ClientSetting> = found.iter().map(ClientSetting::from).collect();
        assert_eq!(read, direct);
        assert_eq!(read[0].names.application.as_deref(), Some("billing"));
        assert!(
            read[0]
                .driver_version
                .as_deref()
                .is_some_and(|v| v.starts_with("pg ^8.11.3")),
            "{read:?}"
        );
        // A file from before `application` and `driver_version` existed.
        let old = dir.path().join("old.csv");
        std::fs::write(
            &old,
            "file,line,stack,engine,host,port,user,database,uses_tls,verifies_chain,verifies_hostname,trust_store,trust_store_rds_cas,setting\n\
             app/db.js,2,node-postgres config,postgres,orders-db,,app,orders,yes,yes,yes,,,ssl: true\n",
        )
        .unwrap();
        let read = read_settings(&old).unwrap();
        assert_eq!(
            (
                read[0].names.application.as_ref(),
                read[0].driver_version.as_ref()
            ),
            (None, None)
        );
        assert_eq!(read[0].verifies_chain, Fact::Yes);
    }

    #[test]
    fn rds_endpoints_name_their_instance_cluster_or_proxy() {
        let mut map = EndpointMap::default();
        map.0.insert(
            "orders-db.internal.example.com".into(),
            "orders-prod".into(),
        );
        let db = |id: &str| Some(Endpoint::Database(id.into()));
        let table = [
            (
                "prod-db-1.c9akciq32.us-east-1.rds.amazonaws.com",
                db("prod-db-1"),
            ),
            (
                "app-cluster.cluster-ro-c9akciq32.eu-west-1.rds.amazonaws.com",
                db("app-cluster"),
            ),
            (
                "PROD-DB-1.C9AKCIQ32.US-EAST-1.RDS.AMAZONAWS.COM.",
                db("prod-db-1"),
            ),
            (
                "my-proxy.proxy-c9akciq32.us-east-1.rds.amazonaws.com",
                Some(Endpoint::Proxy("my-proxy".into())),
            ),
            ("cn-db.abc.cn-north-1.rds.amazonaws.com.cn", db("cn-db")),
            ("orders-db.internal.example.com", db("orders-prod")),
            ("localhost", None),
        ];
        for (host, expected) in table {
            assert_eq!(endpoint(host, &map), expected, "{host}");
        }
    }
}
