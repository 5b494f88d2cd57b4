//! MySQL `sys.session_ssl_status` (thread_id, ssl_version, ssl_cipher,
//! ssl_sessions_reused): TLS by server thread, with no user, host or
//! processlist id, so it cannot be tied to a client alone. Its rows are
//! skipped and counted, with the join that makes them usable.

use super::{Captured, DumpSchema};
use crate::dump::Row;

pub struct SessionSslStatus;

const COLUMNS: [&str; 4] = [
    "thread_id",
    "ssl_version",
    "ssl_cipher",
    "ssl_sessions_reused",
];

impl DumpSchema for SessionSslStatus {
    fn name(&self) -> &'static str {
        "sys.session_ssl_status"
    }
    fn columns(&self) -> &'static [&'static str] {
        &COLUMNS
    }
    fn fits(&self, columns: &[String]) -> bool {
        let has = |n: &str| columns.iter().any(|c| c == n);
        has("thread_id") && has("ssl_version") && !has("processlist_id") && !has("processlist_user")
    }
    fn read<'r>(&self, _row: &'r Row) -> Result<Captured<'r>, &'static str> {
        Err(
            "sys.session_ssl_status names server threads, not clients: join it with performance_schema.threads on thread_id (see `sslcensus sql mysql`)",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dump::schemas::testing::row;

    #[test]
    fn ssl_status_alone_is_no_client() {
        let r = row(
            "thread_id=52 ; ssl_version=TLSv1.3 ; ssl_cipher=TLS_AES_256_GCM_SHA384 ; ssl_sessions_reused=0",
        );
        assert!(SessionSslStatus.fits(&r.columns()));
        assert!(SessionSslStatus.read(&r).is_err());
        let joined = row("thread_id=52 ; processlist_id=31 ; ssl_version=TLSv1.3");
        assert!(!SessionSslStatus.fits(&joined.columns()));
    }
}
