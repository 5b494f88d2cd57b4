//! Kubernetes/Docker `json-file` logs (`/var/lib/docker/containers/*/*-json.log`,
//! `kubectl logs` of a node's files): one object per line, the container's
//! line in `log` with its newline, `stream`, and the time the runtime read
//! it (RFC 3339 with nanoseconds) in `time`. Fluent Bit's `kubernetes`
//! filter keeps that shape and adds `kubernetes.pod_name`, the instance.

use std::borrow::Cow;

use serde::Deserialize;

use super::{Envelope, Needles, Opened, rfc3339};

#[derive(Debug)]
pub struct Docker;

#[derive(Deserialize)]
struct Record<'a> {
    #[serde(borrow)]
    log: Cow<'a, str>,
    #[serde(borrow)]
    stream: Cow<'a, str>,
    #[serde(borrow)]
    time: Cow<'a, str>,
    #[serde(borrow)]
    kubernetes: Option<super::Kubernetes<'a>>,
}

impl Envelope for Docker {
    fn name(&self) -> &'static str {
        "Docker/Kubernetes json-file records"
    }

    fn needles(&self) -> Needles {
        Needles::JsonEscaped
    }

    fn open<'a>(&self, line: &'a str) -> Option<Opened<'a>> {
        let record: Record<'a> = super::json(line)?;
        // Both streams carry the server's lines (PostgreSQL and MariaDB
        // write their logs to stderr in a container); the name only tells
        // the shape.
        let _ = record.stream;
        Some(Opened::first_line(rfc3339(Some(&record.time)), record.log))
    }

    fn instance(&self, line: &str) -> Option<String> {
        let record: Record<'_> = super::json(line)?;
        super::Kubernetes::pod(record.kubernetes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real-shaped records: the samples' lines as dockerd's json-file
    /// driver writes them (`"log"` with its `\n`, `\t` and `\"` escaped).
    #[test]
    fn records_are_opened() {
        let table = [
            (
                r#"{"log":"2026-11-29 05:00:27 UTC:127.0.0.10(40000):app-user@appdb:[12919]:LOG:  connection authorized: user=app-user database=appdb application_name=app_\"q\"\n","stream":"stderr","time":"2026-11-29T05:00:27.123456789Z"}"#,
                Some(1_795_928_427_123),
                "2026-11-29 05:00:27 UTC:127.0.0.10(40000):app-user@appdb:[12919]:LOG:  connection authorized: user=app-user database=appdb application_name=app_\"q\"",
            ),
            (
                r#"{"log":"\t\t     5 Connect\tapp-user@127.0.0.42 on shop-db using SSL/TLS\n","stream":"stdout","time":"2026-11-29T05:18:27.345Z"}"#,
                Some(1_795_929_507_345),
                "\t\t     5 Connect\tapp-user@127.0.0.42 on shop-db using SSL/TLS",
            ),
        ];
        let not_opened = [
            r#"{"log":"x"}"#,
            r#"{"timestamp":"2026-11-29 03:52:56.043 UTC","pid":1,"message":"x"}"#,
            "2026-11-29 05:00:27 UTC::@:[12910]:LOG:  x",
            r#"{"log":"x","stream":"stderr","time":"#,
        ];
        crate::envelope::assert_opens(&Docker, &table, &not_opened);
        assert_eq!(Docker.instance(table[0].0), None);
        // Fluent Bit's kubernetes filter: the pod is the instance.
        let enriched = r#"{"log":"x\n","stream":"stderr","time":"2026-11-29T05:00:27Z","kubernetes":{"pod_name":"pg-0","namespace_name":"db","container_name":"postgres"}}"#;
        assert_eq!(Docker.instance(enriched).as_deref(), Some("pg-0"));
    }
}
