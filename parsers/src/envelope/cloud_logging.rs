//! Google Cloud Logging `LogEntry` records, one per line (a sink to Cloud
//! Storage, Pub/Sub, `gcloud logging read --format=json` turned into lines):
//! the line in `textPayload` (Cloud SQL's `postgres.log`, `mysql.err`) or
//! `jsonPayload.message`, the time in `timestamp` (RFC 3339). A Cloud SQL
//! entry names its instance in `resource.labels.database_id`
//! (`project:instance`): the instance is the part after the project, the
//! name the console, `gcloud sql` and `--instance` use (the project adds
//! nothing within one census).

use std::borrow::Cow;

use serde::Deserialize;

use super::{Envelope, Needles, Opened, rfc3339};

#[derive(Debug)]
pub struct CloudLogging;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry<'a> {
    #[serde(borrow)]
    text_payload: Option<Cow<'a, str>>,
    #[serde(borrow)]
    json_payload: Option<Payload<'a>>,
    #[serde(borrow)]
    timestamp: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Named<'a> {
    #[serde(borrow)]
    resource: Resource<'a>,
}

#[derive(Deserialize)]
struct Resource<'a> {
    #[serde(borrow)]
    labels: Labels<'a>,
}

#[derive(Deserialize)]
struct Labels<'a> {
    #[serde(borrow)]
    database_id: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Payload<'a> {
    #[serde(borrow)]
    message: Option<Cow<'a, str>>,
}

impl Envelope for CloudLogging {
    fn name(&self) -> &'static str {
        "Cloud Logging entries"
    }

    fn needles(&self) -> Needles {
        Needles::JsonEscaped
    }

    fn open<'a>(&self, line: &'a str) -> Option<Opened<'a>> {
        let entry: Entry<'a> = super::json(line)?;
        let text = entry
            .text_payload
            .or_else(|| entry.json_payload.and_then(|p| p.message))?;
        Some(Opened::first_line(
            rfc3339(entry.timestamp.as_deref()),
            text,
        ))
    }

    fn instance(&self, line: &str) -> Option<String> {
        let named: Named<'_> = super::json(line)?;
        instance_of_database_id(&named.resource.labels.database_id?).map(str::to_string)
    }
}

/// The instance a Cloud SQL `database_id` (`project:instance`) names.
pub fn instance_of_database_id(id: &str) -> Option<&str> {
    let instance = id.rsplit_once(':').map_or(id, |(_, i)| i);
    (!instance.is_empty()).then_some(instance)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real-shaped entries (the LogEntry fields of Cloud Logging's
    /// reference, a Cloud SQL `cloudsql_database` resource) holding the
    /// samples' lines.
    #[test]
    fn entries_are_opened() {
        let table = [
            (
                r#"{"insertId":"s=1","logName":"projects/p/logs/cloudsql.googleapis.com%2Fpostgres.log","receiveTimestamp":"2026-11-29T05:00:28.1Z","resource":{"type":"cloudsql_database","labels":{"database_id":"p:pg-sample-1","project_id":"p","region":"europe-west1"}},"severity":"INFO","textPayload":"2026-11-29 05:00:27 UTC:127.0.0.10(40000):app-user@appdb:[12919]:LOG:  connection received: host=127.0.0.10 port=40000","timestamp":"2026-11-29T05:00:27.500Z"}"#,
                Some(1_795_928_427_500),
                "2026-11-29 05:00:27 UTC:127.0.0.10(40000):app-user@appdb:[12919]:LOG:  connection received: host=127.0.0.10 port=40000",
            ),
            (
                r#"{"jsonPayload":{"message":"\t\t     5 Connect\tapp-user@127.0.0.42 on shop-db using SSL/TLS"},"resource":{"type":"gce_instance","labels":{}},"timestamp":"2026-11-29T05:18:27.345Z"}"#,
                Some(1_795_929_507_345),
                "\t\t     5 Connect\tapp-user@127.0.0.42 on shop-db using SSL/TLS",
            ),
        ];
        let not_opened = [
            r#"{"jsonPayload":{"other":"x"},"timestamp":"2026-11-29T05:18:27Z"}"#,
            r#"{"log":"x"}"#,
        ];
        crate::envelope::assert_opens(&CloudLogging, &table, &not_opened);
        let named = [Some("pg-sample-1"), None];
        for ((line, ..), instance) in table.iter().zip(named) {
            assert_eq!(CloudLogging.instance(line).as_deref(), instance, "{line}");
        }
        assert_eq!(
            CloudLogging
                .instance(r#"{"resource":{"labels":{"database_id":"orders-db"}}}"#)
                .as_deref(),
            Some("orders-db")
        );
    }
}
