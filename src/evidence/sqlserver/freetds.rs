//! freetds.conf servers.

use super::*;

stack::row!(FREETDS_CONF: Ms, "freetds.conf",
    |file| file.name.ends_with("freetds.conf"), freetds_conf);

/// freetds.conf: `[global]` settings apply to every server section.
/// FreeTDS validates the certificate only when `ca file` is set, and then
/// checks the host name unless `check certificate hostname = no`;
/// `encryption` is `off`, `request` (default), `require` or `strict`.
pub(super) fn freetds_conf(file: &FileCtx<'_>, found: &mut Found) {
    let (text, lines) = (file.text, file.lines());
    let sections = ini_sections(text);
    let global = sections
        .iter()
        .find(|s| s.name.eq_ignore_ascii_case("global"));
    let lookup = |section: &IniSection<'_>, key: &str| -> Option<String> {
        section
            .get(key)
            .or_else(|| global.and_then(|g| g.get(key)))
            .map(str::to_string)
    };
    for section in &sections {
        let is_global = section.name.eq_ignore_ascii_case("global");
        let relevant = if is_global {
            // Reported only when no server section inherits it.
            sections.len() == 1
                && (section.get("encryption").is_some() || section.get("ca file").is_some())
        } else {
            section.get("host").is_some()
        };
        if !relevant || found.claimed.holds(section.start) {
            continue;
        }
        let encryption = lookup(section, "encryption").map(|e| e.to_ascii_lowercase());
        let ca = lookup(section, "ca file").filter(|c| !c.is_empty());
        let check_host = lookup(section, "check certificate hostname")
            .and_then(|v| parse_bool(&v))
            .unwrap_or(true);
        let tds_off = lookup(section, "tds version").is_some_and(|v| tds_without_tls(&v));
        let tls = match encryption.as_deref() {
            _ if tds_off => No,
            Some("off") => No,
            Some("require" | "required" | "strict") => Yes,
            _ => Unknown,
        };
        let facts = if tls == No {
            PLAIN
        } else {
            let chain = Fact::from(ca.is_some());
            Facts::new(tls, chain, Fact::from(chain == Yes && check_host))
        };
        let mut hit = ms_hit(
            lines.line(section.start),
            "freetds.conf",
            facts,
            &section.shown(text),
        );
        hit.host = section.get("host").map(str::to_string);
        hit.port = lookup(section, "port").and_then(|p| p.parse().ok());
        hit.trust_store = ca;
        found.claimed.claim(section.start, section.end);
        found.push(hit);
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::*;

    #[test]
    fn freetds_conf() {
        let text = "\
[global]
    tds version = 7.4
    encryption = require

[orders]
    host = orders.abc.us-east-1.rds.amazonaws.com
    port = 1433
    ca file = /etc/ssl/certs/global-bundle.pem

[nohostcheck]
    host = db2
    ca file = /etc/ssl/certs/global-bundle.pem
    check certificate hostname = no

[plain]
    host = db3
    encryption = off

[old]
    host = db4
    tds version = 7.0

[opportunistic]
    host = db5
    encryption = request
";
        check(
            "freetds.conf",
            text,
            &hits! {
                "freetds.conf", "orders.abc.us-east-1.rds.amazonaws.com", 1433, _, _, FULL, "/etc/ssl/certs/global-bundle.pem";
                "freetds.conf", "db2", _, _, _, CA_ONLY, "/etc/ssl/certs/global-bundle.pem";
                "freetds.conf", "db3", _, _, _, PLAIN, _;
                "freetds.conf", "db4", _, _, _, PLAIN, _;
                "freetds.conf", "db5", _, _, _, OPPORTUNISTIC, _;
            },
        );
        // encryption=require inherited, no CA: encrypted, unverified.
        check(
            "freetds.conf",
            "[global]\nencryption = require\n[s]\nhost = db\n",
            &hits! {
                "freetds.conf", "db", _, _, _, NO_VERIFY, _;
            },
        );
    }
}
