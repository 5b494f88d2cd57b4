//! `genlog [--format postgres|mariadb-general] --seed 42 --size 1G [--clients 200]
//! [--start 2026-11-01T00:00:00Z] [--share 3] -o FILE`
//!
//! Writes a synthetic RDS PostgreSQL stderr log or RDS for MariaDB general query log (see the
//! `genlog` library) and prints the summary to stderr as one line of `key=value` pairs.

use std::fs::File;
use std::io::{self, Write};
use std::process::ExitCode;

const USAGE: &str = "\
usage: genlog [--format FORMAT] --seed N --size SIZE [--clients N] [--start YYYY-MM-DDTHH:MM:SSZ]
              [--share PCT] [--volatile-names] [-o FILE]

  --format F     postgres (RDS PostgreSQL stderr log, default) or mariadb-general
                 (RDS for MariaDB general query log, mysql-general.log)
  --seed N       RNG seed (default 42)
  --size SIZE    approximate output size; suffix K, M, G or T = powers of 1024 (default 64M)
  --clients N    number of distinct client applications (default 200)
  --start TS     timestamp of the first line, UTC (default 2026-11-01T00:00:00Z)
  --share PCT    percent of lines that are connection lines (default 3)
  --volatile-names  PostgreSQL: processes name themselves with pids, pod suffixes and
                 counters (puma, Kubernetes, Sidekiq), the application-family case
  -o FILE        output file; '-' or absent = stdout
";

/// `123`, `64K`, `512M`, `1G`, `1.5G` (binary multiples; optional trailing `B`/`iB`).
fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let s = s
        .strip_suffix("iB")
        .or_else(|| s.strip_suffix('B'))
        .unwrap_or(s);
    let (num, mult) = match s.char_indices().last()? {
        (i, 'k' | 'K') => (&s[..i], 1u64 << 10),
        (i, 'm' | 'M') => (&s[..i], 1 << 20),
        (i, 'g' | 'G') => (&s[..i], 1 << 30),
        (i, 't' | 'T') => (&s[..i], 1 << 40),
        _ => (s, 1),
    };
    if let Ok(n) = num.parse::<u64>() {
        return n.checked_mul(mult);
    }
    let f: f64 = num.parse().ok()?;
    (f.is_finite() && f >= 0.0).then_some((f * mult as f64) as u64)
}

/// `YYYY-MM-DDTHH:MM:SSZ` (also accepts a space instead of `T` and a missing `Z`) → epoch seconds.
fn parse_utc(s: &str) -> Option<i64> {
    let s = s.strip_suffix('Z').unwrap_or(s);
    let b = s.as_bytes();
    if b.len() != 19
        || b[4] != b'-'
        || b[7] != b'-'
        || !(b[10] == b'T' || b[10] == b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = &s[r];
        t.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| t.parse().ok())?
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 59 {
        return None;
    }
    // days from civil (proleptic Gregorian)
    let (yy, m) = if mo <= 2 {
        (y - 1, mo + 9)
    } else {
        (y, mo - 3)
    };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let doy = (153 * m + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + mi * 60 + se)
}

fn parse_args(args: &[String]) -> Result<(genlog::Config, Option<String>), String> {
    let mut cfg = genlog::Config::default();
    let mut out = None;
    let mut i = 0;
    while i < args.len() {
        let flag = args[i].as_str();
        if flag == "-h" || flag == "--help" {
            return Err(String::new());
        }
        // accept both `--flag value` and `--flag=value`
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (flag, None),
        };
        let mut value = || -> Result<String, String> {
            if let Some(v) = inline.clone() {
                return Ok(v);
            }
            i += 1;
            args.get(i)
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match name {
            "--format" => {
                let v = value()?;
                cfg.format = match v.as_str() {
                    "postgres" => genlog::LogKind::PostgresRds,
                    "mariadb-general" => genlog::LogKind::MariadbGeneral,
                    _ => return Err(format!("bad --format {v:?} (postgres or mariadb-general)")),
                };
            }
            "--seed" => {
                let v = value()?;
                cfg.seed = v.parse().map_err(|_| format!("bad --seed {v:?}"))?;
            }
            "--size" => {
                let v = value()?;
                cfg.target_bytes = parse_size(&v).ok_or_else(|| format!("bad --size {v:?}"))?;
            }
            "--clients" => {
                let v = value()?;
                cfg.clients = v
                    .parse()
                    .ok()
                    .filter(|&n: &usize| n > 0)
                    .ok_or_else(|| format!("bad --clients {v:?}"))?;
            }
            "--start" => {
                let v = value()?;
                cfg.start_epoch_secs = parse_utc(&v).ok_or_else(|| format!("bad --start {v:?}"))?;
            }
            "--share" => {
                let v = value()?;
                cfg.connection_share_percent = v
                    .parse()
                    .ok()
                    .filter(|p: &f64| (0.0..=100.0).contains(p))
                    .ok_or_else(|| format!("bad --share {v:?}"))?;
            }
            "--volatile-names" => cfg.volatile_names = true,
            "-o" | "--output" => out = Some(value()?).filter(|p| p != "-"),
            _ => return Err(format!("unknown argument {flag:?}")),
        }
        i += 1;
    }
    Ok((cfg, out))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (cfg, out) = match parse_args(&args) {
        Ok(x) => x,
        Err(e) if e.is_empty() => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("genlog: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let result = match &out {
        Some(path) => File::create(path).and_then(|f| genlog::write_log(&cfg, f)),
        None => genlog::write_log(&cfg, io::stdout().lock()),
    };
    match result {
        Ok(summary) => {
            let _ = writeln!(io::stderr(), "{summary}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("genlog: {}: {e}", out.as_deref().unwrap_or("<stdout>"));
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("123"), Some(123));
        assert_eq!(parse_size("64K"), Some(65_536));
        assert_eq!(parse_size("512M"), Some(512 << 20));
        assert_eq!(parse_size("1G"), Some(1 << 30));
        assert_eq!(parse_size("1GiB"), Some(1 << 30));
        assert_eq!(parse_size("1.5g"), Some(3 << 29));
        assert_eq!(parse_size("G"), None);
        assert_eq!(parse_size("x1"), None);
    }

    #[test]
    fn timestamps() {
        assert_eq!(parse_utc("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_utc("2026-11-01T00:00:00Z"),
            Some(genlog::Config::default().start_epoch_secs)
        );
        assert_eq!(parse_utc("2026-11-29T03:52:55Z"), Some(1_795_924_375));
        assert_eq!(parse_utc("2026-11-29 03:52:55"), Some(1_795_924_375));
        assert_eq!(parse_utc("2026-13-01T00:00:00Z"), None);
        assert_eq!(parse_utc("2026-11-01"), None);
    }

    #[test]
    fn args() {
        let a: Vec<String> = ["--seed", "7", "--size=2M", "--clients", "50", "-o", "x.log"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let (cfg, out) = parse_args(&a).unwrap();
        assert_eq!((cfg.seed, cfg.target_bytes, cfg.clients), (7, 2 << 20, 50));
        assert_eq!(out.as_deref(), Some("x.log"));
        assert_eq!(cfg.format, genlog::LogKind::PostgresRds);
        let f = |a: &[&str]| parse_args(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            f(&["--format", "mariadb-general"]).unwrap().0.format,
            genlog::LogKind::MariadbGeneral
        );
        assert_eq!(
            f(&["--format=postgres"]).unwrap().0.format,
            genlog::LogKind::PostgresRds
        );
        assert!(f(&["--format", "mysql"]).is_err());
        assert!(parse_args(&["--bogus".to_string()]).is_err());
        assert!(parse_args(&["--seed".to_string()]).is_err());
    }
}
