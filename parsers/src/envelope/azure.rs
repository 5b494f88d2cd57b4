//! Azure Monitor diagnostic records (a diagnostic setting's storage account
//! or Event Hub, one record per line): the server's line in
//! `properties.message`, the time in `time` (RFC 3339), the server in
//! `resourceId`. The instance is `resourceId`'s last segment, the server's
//! name, in lower case as Azure names servers (`resourceId` is upper case).

use std::borrow::Cow;

use serde::Deserialize;

use super::{Envelope, Needles, Opened, rfc3339};

#[derive(Debug)]
pub struct Azure;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record<'a> {
    #[serde(borrow)]
    time: Option<Cow<'a, str>>,
    #[serde(borrow)]
    resource_id: Cow<'a, str>,
    #[serde(borrow)]
    properties: Properties<'a>,
}

#[derive(Deserialize)]
struct Properties<'a> {
    #[serde(borrow)]
    message: Cow<'a, str>,
}

impl Envelope for Azure {
    fn name(&self) -> &'static str {
        "Azure diagnostic records"
    }

    fn needles(&self) -> Needles {
        Needles::JsonEscaped
    }

    fn open<'a>(&self, line: &'a str) -> Option<Opened<'a>> {
        let record: Record<'a> = super::json(line)?;
        let _ = record.resource_id; // what tells the shape
        Some(Opened::first_line(
            rfc3339(record.time.as_deref()),
            record.properties.message,
        ))
    }

    fn instance(&self, line: &str) -> Option<String> {
        let record: Record<'_> = super::json(line)?;
        let server = record.resource_id.rsplit('/').next()?;
        (!server.is_empty()).then(|| server.to_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real-shaped records (Azure Database for PostgreSQL flexible server's
    /// `PostgreSQLLogs` category) holding the samples' lines.
    #[test]
    fn records_are_opened() {
        let table = [(
            r#"{"time":"2026-11-29T05:00:27.500Z","resourceId":"/SUBSCRIPTIONS/0000/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.DBFORPOSTGRESQL/FLEXIBLESERVERS/PG-SAMPLE-1","category":"PostgreSQLLogs","operationName":"LogEvent","properties":{"timestamp":"2026-11-29 05:00:27.500 UTC","processId":12919,"errorLevel":"LOG","sqlerrcode":"00000","message":"2026-11-29 05:00:27 UTC:127.0.0.10(40000):app-user@appdb:[12919]:LOG:  connection received: host=127.0.0.10 port=40000"},"location":"westeurope"}"#,
            Some(1_795_928_427_500),
            "2026-11-29 05:00:27 UTC:127.0.0.10(40000):app-user@appdb:[12919]:LOG:  connection received: host=127.0.0.10 port=40000",
        )];
        let not_opened = [
            r#"{"properties":{"message":"x"}}"#,
            r#"{"resourceId":"/X","properties":{"other":"x"}}"#,
        ];
        crate::envelope::assert_opens(&Azure, &table, &not_opened);
        assert_eq!(Azure.instance(table[0].0).as_deref(), Some("pg-sample-1"));
    }
}
