//! sqlnet.ora.

use super::*;

/// `NAME = value` parameters; continuation lines start with whitespace.
pub(super) fn ora_params(text: &str) -> Vec<(usize, String, String)> {
    let mut params: Vec<(usize, String, String)> = Vec::new();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            offset += raw.len();
            continue;
        }
        if line.starts_with(char::is_whitespace) || line.starts_with(')') {
            if let Some(last) = params.last_mut() {
                last.2.push(' ');
                last.2.push_str(trimmed);
            }
        } else if let Some((k, v)) = line.split_once('=') {
            params.push((offset, k.trim().to_ascii_uppercase(), v.trim().to_string()));
        }
        offset += raw.len();
    }
    params
}

stack::row!(SQLNET_ORA: Ora, "sqlnet.ora", |file| file.name == "sqlnet.ora", sqlnet_ora);

pub(super) fn sqlnet_ora(cx: &OraCx<'_>, found: &mut Found) {
    let (text, lines) = (cx.file.text, cx.file.lines());
    let hits = &mut found.hits;
    let params = ora_params(text);
    let relevant: Vec<&(usize, String, String)> = params
        .iter()
        .filter(|(_, k, v)| {
            k.starts_with("SSL_")
                || k == "WALLET_LOCATION"
                || (k == "SQLNET.AUTHENTICATION_SERVICES"
                    && v.to_ascii_uppercase().contains("TCPS"))
        })
        .collect();
    let Some(first) = relevant.first() else {
        return;
    };
    let get = |key: &str| {
        relevant
            .iter()
            .rev()
            .find(|(_, k, _)| k == key)
            .map(|(_, _, v)| v.as_str())
    };
    let dn = get("SSL_SERVER_DN_MATCH").and_then(parse_bool);
    let shown: Vec<String> = relevant
        .iter()
        .map(|(_, k, v)| format!("{k} = {v}"))
        .collect();
    // Whether TCPS is used is up to tnsnames.ora; when it is, the chain is
    // checked against this wallet.
    let mut hit = oracle_hit(
        lines.line(first.0),
        "sqlnet.ora",
        Facts::new(Unknown, Yes, dn_fact(dn, No)),
        &shown.join("; "),
    );
    hit.trust_store = get("WALLET_LOCATION").map(wallet_directory);
    hits.push(hit);
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::*;

    #[test]
    fn sqlnet_ora() {
        let text = "\
NAMES.DIRECTORY_PATH = (TNSNAMES, EZCONNECT)
WALLET_LOCATION =
  (SOURCE =
    (METHOD = FILE)
    (METHOD_DATA =
      (DIRECTORY = /u01/app/oracle/wallet)
    )
  )
SSL_CLIENT_AUTHENTICATION = FALSE
SSL_SERVER_DN_MATCH = ON
";
        check(
            "sqlnet.ora",
            text,
            &hits! {
                "sqlnet.ora", _, _, _, _, Facts::new(Unknown, Yes, Yes), "/u01/app/oracle/wallet";
            },
        );
        assert_eq!(scan("sqlnet.ora", text)[0].line, 2);
        assert!(scan("sqlnet.ora", "NAMES.DIRECTORY_PATH = (TNSNAMES)\n").is_empty());
        check(
            "sqlnet.ora",
            "SQLNET.AUTHENTICATION_SERVICES = (TCPS, NTS)\n",
            &hits! {
                "sqlnet.ora", _, _, _, _, Facts::new(Unknown, Yes, No), _;
            },
        );
    }
}
