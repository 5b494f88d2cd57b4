//! The Oracle detector's tests across stacks, and what the stacks' tests
//! (beside each stack) share.

use super::*;
pub(super) use crate::evidence::facts::{CA_ONLY, FULL};
pub(super) use crate::evidence::testing;
pub(super) use crate::evidence::testing::{facts_rows, hits};

testing::engine_helpers!(Engine::Oracle);

pub(super) const TNS: &str = "tnsnames.ora entry";

/// A TLS value from elsewhere — a variable, a connect alias whose
/// tnsnames.ora is not in the file — is unknown.
#[test]
fn values_from_elsewhere_are_unknown() {
    testing::assert_facts(
        detect,
        &facts_rows! {
            "db.properties" {
                "url=jdbc:oracle:thin:@${ORACLE_URL}", [] => UNKNOWN;
                "url=jdbc:oracle:thin:@ERP_TLS", [] => UNKNOWN;
            }
            "db.py" {
                "import oracledb\nconn = oracledb.connect(user='erp', dsn=os.environ['ORACLE_DSN'])\n", [] => UNKNOWN;
                "import oracledb\nconn = oracledb.connect(user='erp', host='erp-db', port=2484, protocol=os.environ['DB_PROTOCOL'], service_name='ERP')\n", [] => UNKNOWN;
                "import oracledb\nconn = oracledb.connect(user='erp', host='erp-db', port=1521, service_name='ERP')\n", [] => PLAIN;
            }
        },
    );
}

#[test]
fn prose_and_comments_are_not_settings() {
    let table = [
        (
            "README.md",
            "The description = a short text; Oracle uses TCPS on port 2484.",
        ),
        (
            "tnsnames.ora",
            "# OLD = (DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)(HOST=old)(PORT=1521)))",
        ),
        ("App.java", "// jdbc:oracle:thin:@old:1521:ORCL"),
        ("notes.txt", "mail me at ops@tcps-team.example.com"),
        (
            "package.json",
            r#"{"description": "(description = something)"}"#,
        ),
        (
            "tnsnames.ora",
            "# X = (DESCRIPTION=\n#  (ADDRESS=(PROTOCOL=TCPS)(HOST=h)(PORT=2484)))",
        ),
    ];
    // An unclosed descriptor in prose: a hit, but no host made of prose.
    let hits = scan(
        "guide.rst",
        "(description=(address=(protocol=tcps)(host= . . .\n\nand so on.",
    );
    assert!(hits.iter().all(|h| h.host.is_none()), "{hits:?}");
    for (name, text) in table {
        assert_eq!(scan(name, text), Vec::new(), "{name}: {text}");
    }
}
