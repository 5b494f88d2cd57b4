//! What the names of RDS log groups and streams say: the kind of log (and so
//! the engine and the server-side filter pattern) and the instance.
//!
//! RDS publishes to `/aws/rds/instance/<instance>/<type>` and, for Aurora and
//! Multi-AZ DB clusters, `/aws/rds/cluster/<cluster>/<type>` with one stream
//! per instance (the stream is named after the instance; some engines add a
//! `.`-separated suffix, and instance identifiers hold no dot).

/// The server-side filter pattern for one kind of log: CloudWatch filter
/// patterns OR quoted phrases with `?`. Phrases are matched case-sensitively,
/// as the parsers read them. The pattern only saves transfer: the parsers
/// re-read every event, so a pattern the service ignores (the emulator treats
/// any OR pattern as match-all) changes nothing but the bytes pulled.
fn any_of(phrases: &[&str]) -> String {
    phrases
        .iter()
        .map(|p| format!("?\"{p}\""))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A log type RDS publishes, as the last part of the group name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogKind {
    /// The type as in `EnabledCloudwatchLogsExports`.
    pub name: &'static str,
    /// The engine family, for messages.
    pub engine: &'static str,
    /// The phrases every line sslcensus reads from it contains; empty: it
    /// holds no connection records sslcensus reads, and a prefix search
    /// passes it over.
    pub phrases: &'static [&'static str],
}

/// Every RDS log type: those sslcensus reads, with the phrases of the lines
/// it reads (the parsers' needles, as whole phrases), and those it passes over.
pub const KINDS: &[LogKind] = &[
    LogKind {
        name: "postgresql",
        engine: "PostgreSQL",
        phrases: &[
            "connection received",
            // Also `replication connection authorized`.
            "connection authorized",
            "connection authenticated",
            "connection ready",
            "disconnection",
            "could not accept SSL connection",
            "pg_hba.conf",
            "authentication failed",
        ],
    },
    LogKind {
        name: "general",
        engine: "MySQL/MariaDB",
        phrases: &["Connect", "Quit", "Access denied"],
    },
    LogKind {
        name: "error",
        engine: "MySQL/MariaDB",
        phrases: &["Aborted connection", "Access denied for user"],
    },
    LogKind {
        name: "audit",
        engine: "MySQL/MariaDB",
        // Each, whether the service matches phrases as substrings or tokens.
        phrases: &["CONNECT", "DISCONNECT", "FAILED_CONNECT"],
    },
    LogKind {
        name: "listener",
        engine: "Oracle",
        phrases: &["establish"],
    },
    LogKind {
        name: "alert",
        engine: "Oracle",
        phrases: &[],
    },
    LogKind {
        name: "trace",
        engine: "Oracle",
        phrases: &[],
    },
    LogKind {
        name: "oemagent",
        engine: "Oracle",
        phrases: &[],
    },
    LogKind {
        name: "slowquery",
        engine: "MySQL/MariaDB",
        phrases: &[],
    },
    LogKind {
        name: "upgrade",
        engine: "PostgreSQL",
        phrases: &[],
    },
    LogKind {
        name: "iam-db-auth-error",
        engine: "any",
        phrases: &[],
    },
    LogKind {
        name: "agent",
        engine: "SQL Server",
        phrases: &[],
    },
];

impl LogKind {
    /// Whether sslcensus reads connection records from this kind of log.
    pub fn is_read(&self) -> bool {
        !self.phrases.is_empty()
    }

    pub fn filter_pattern(&self) -> Option<String> {
        self.is_read().then(|| any_of(self.phrases))
    }
}

/// Instance or cluster, as the group name says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    Instance(String),
    Cluster(String),
}

/// What a log group's name says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupName {
    pub owner: Option<Owner>,
    pub kind: Option<LogKind>,
}

/// Reads `/aws/rds/{instance,cluster}/<id>/<type>`; other names say nothing.
pub fn group(name: &str) -> GroupName {
    let parts: Vec<&str> = name.trim_end_matches('/').split('/').collect();
    match parts.as_slice() {
        ["", "aws", "rds", scope, id, kind] if !id.is_empty() => GroupName {
            owner: match *scope {
                "instance" => Some(Owner::Instance(id.to_string())),
                "cluster" => Some(Owner::Cluster(id.to_string())),
                _ => None,
            },
            kind: KINDS.iter().find(|k| k.name == *kind).copied(),
        },
        _ => GroupName {
            owner: None,
            kind: None,
        },
    }
}

/// The instance a stream's events belong to: the instance a group names, else
/// the stream's name up to its first dot, else the cluster, else the stream.
pub fn instance(group_name: &str, stream: &str) -> String {
    let from_stream = stream.split('.').next().filter(|s| !s.is_empty());
    match (group(group_name).owner, from_stream) {
        (Some(Owner::Instance(id)), _) => id,
        (_, Some(id)) => id.to_string(),
        (Some(Owner::Cluster(id)), None) => id,
        (None, None) => stream.to_string(),
    }
}

/// The instance of a stream named in a JSON dump whose group is not known.
pub fn instance_of_stream(stream: &str) -> Option<&str> {
    stream.split('.').next().filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_and_streams_name_instances() {
        let table = [
            (
                "/aws/rds/instance/orders-db/postgresql",
                "orders-db",
                "orders-db",
            ),
            // Aurora: the stream names the writer or reader instance.
            (
                "/aws/rds/cluster/orders-cluster/postgresql",
                "orders-cluster-instance-1",
                "orders-cluster-instance-1",
            ),
            (
                "/aws/rds/cluster/shop/audit",
                "shop-instance-2.audit.log.0.2026-11-29-05-18.0.2",
                "shop-instance-2",
            ),
            ("/aws/rds/instance/shop-db/general", "shop-db", "shop-db"),
            ("/aws/rds/instance/erp/listener", "erp", "erp"),
            ("/aws/rds/cluster/c1/error", "", "c1"),
            ("/custom/pg-logs", "db-7", "db-7"),
        ];
        for (group_name, stream, instance_name) in table {
            assert_eq!(
                instance(group_name, stream),
                instance_name,
                "{group_name} {stream}"
            );
        }
        assert_eq!(
            group("/aws/rds/cluster/orders-cluster/postgresql").owner,
            Some(Owner::Cluster("orders-cluster".into()))
        );
        assert_eq!(group("/aws/lambda/x").kind, None);
    }

    #[test]
    fn kinds_read_and_passed_over() {
        let kind = |n: &str| group(&format!("/aws/rds/instance/db/{n}")).kind.unwrap();
        for read in ["postgresql", "general", "error", "audit", "listener"] {
            assert!(kind(read).is_read(), "{read}");
        }
        for passed in [
            "alert",
            "trace",
            "slowquery",
            "upgrade",
            "iam-db-auth-error",
            "agent",
        ] {
            assert!(!kind(passed).is_read(), "{passed}");
            assert_eq!(kind(passed).filter_pattern(), None);
        }
    }

    #[test]
    fn filter_patterns_are_or_of_quoted_phrases() {
        let kind = |n: &str| group(&format!("/aws/rds/instance/db/{n}")).kind.unwrap();
        assert_eq!(
            kind("postgresql").filter_pattern().unwrap(),
            r#"?"connection received" ?"connection authorized" ?"connection authenticated" ?"connection ready" ?"disconnection" ?"could not accept SSL connection" ?"pg_hba.conf" ?"authentication failed""#
        );
        assert_eq!(
            kind("general").filter_pattern().unwrap(),
            r#"?"Connect" ?"Quit" ?"Access denied""#
        );
        assert_eq!(
            kind("error").filter_pattern().unwrap(),
            r#"?"Aborted connection" ?"Access denied for user""#
        );
        assert_eq!(
            kind("audit").filter_pattern().unwrap(),
            r#"?"CONNECT" ?"DISCONNECT" ?"FAILED_CONNECT""#
        );
        assert_eq!(
            kind("listener").filter_pattern().unwrap(),
            r#"?"establish""#
        );
        // CloudWatch's limit on a filter pattern's length.
        for k in KINDS {
            assert!(k.filter_pattern().unwrap_or_default().len() <= 1024);
            // A quote inside a phrase would end it early.
            assert!(k.phrases.iter().all(|p| !p.contains('"')));
        }
    }

    /// The pattern passes every line the parsers read: each real sample
    /// line that yields an observation or a skip holds one of its kind's
    /// phrases (as CloudWatch matches a quoted phrase: case-sensitive text).
    #[test]
    fn filter_patterns_pass_every_line_the_parsers_read() {
        use sslcensus_parsers::{Observation, Sink, detect, scan};
        struct Offsets(Vec<usize>);
        impl Sink for Offsets {
            fn observation(&mut self, offset: usize, _: Observation<'_>) {
                self.0.push(offset);
            }
            fn malformed(&mut self, offset: usize, _: sslcensus_parsers::observation::Malformed) {
                self.0.push(offset);
            }
            fn invalid_utf8(&mut self, _: usize) {}
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
        let table = [
            (
                "postgresql/stderr/pg-sample-1/postgresql.log.2026-11-29-05",
                "postgresql",
            ),
            (
                "mariadb/general/mariadb-sample-1/mysql-general.log",
                "general",
            ),
            ("mariadb/error/mariadb-sample-1/mysql-error.log", "error"),
            ("mariadb/audit/mariadb-sample-1/server_audit.log", "audit"),
        ];
        for (path, kind_name) in table {
            let bytes = std::fs::read(root.join(path)).unwrap();
            let format = detect(&bytes, None, None).unwrap().format;
            let mut read = Offsets(Vec::new());
            scan(&format, &bytes, &mut read);
            assert!(read.0.len() > 10, "{path}");
            let kind = KINDS.iter().find(|k| k.name == kind_name).unwrap();
            for offset in read.0 {
                let line = bytes[offset..].split(|&b| b == b'\n').next().unwrap();
                let line = String::from_utf8_lossy(line);
                assert!(
                    kind.phrases.iter().any(|p| line.contains(p)),
                    "{path}: {line}"
                );
            }
        }
    }
}
