//! Placeholder values both SQL dialects draw alike (`sql.rs` for PostgreSQL,
//! `mariadb/sql.rs`): the words they pick from and the values of the codes
//! they share. Each dialect writes them into its statements its own way.

use std::io::Write;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::pick;

const WORDS: &[&str] = &[
    "signup",
    "login",
    "checkout",
    "refund",
    "page_view",
    "add_to_cart",
    "search",
    "export",
    "password_reset",
    "invoice_sent",
];
const STATUSES: &[&str] = &[
    "pending",
    "paid",
    "shipped",
    "cancelled",
    "refunded",
    "failed",
];
const COUNTRIES: &[&str] = &["US", "DE", "FR", "GB", "IN", "BR", "JP", "CA", "AU", "NL"];
const NAMES: &[&str] = &[
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
];
const DOMAINS: &[&str] = &[
    "example.com",
    "mail.test",
    "corp.example",
    "shop.example.org",
];
/// Where an event came from, in JSON payloads.
const SOURCES: &[&str] = &["web", "ios", "android", "api"];

/// Writes the value of `code` into `v` when both dialects draw it alike;
/// whether it is a string (a quoted literal). `None` for a code the
/// dialect has its own way with (nothing drawn, nothing written).
pub(crate) fn shared(rng: &mut ChaCha8Rng, code: &str, v: &mut Vec<u8>) -> Option<bool> {
    let quoted = match code {
        "id" => {
            let _ = write!(v, "{}", rng.random_range(1..8_000_000u32));
            false
        }
        "n" => {
            let _ = write!(v, "{}", rng.random_range(1..60u32));
            false
        }
        "lim" => {
            let _ = write!(v, "{}", pick(rng, &[1, 10, 20, 25, 50, 100]));
            false
        }
        "amt" => {
            let _ = write!(v, "{}", rng.random_range(100..250_000u32));
            false
        }
        "st" => {
            v.extend_from_slice(pick(rng, STATUSES).as_bytes());
            true
        }
        "w" => {
            v.extend_from_slice(pick(rng, WORDS).as_bytes());
            true
        }
        "cc" => {
            v.extend_from_slice(pick(rng, COUNTRIES).as_bytes());
            true
        }
        "cur" => {
            v.extend_from_slice(pick(rng, &["USD", "EUR", "GBP", "JPY"]).as_bytes());
            true
        }
        "sku" => {
            let _ = write!(v, "SKU-{:06}", rng.random_range(0..999_999u32));
            true
        }
        "em" => {
            let _ = write!(
                v,
                "{}.{}{}@{}",
                pick(rng, NAMES),
                pick(rng, NAMES),
                rng.random_range(1..999u32),
                pick(rng, DOMAINS)
            );
            true
        }
        "json" => {
            let _ = write!(
                v,
                "{{\"source\":\"{}\",\"ref\":\"{:x}\",\"n\":{}}}",
                pick(rng, SOURCES),
                rng.random::<u32>(),
                rng.random_range(0..100u32)
            );
            true
        }
        _ => return None,
    };
    Some(quoted)
}

/// `{ids}`: 2 to 19 ids, comma-separated.
pub(crate) fn ids(rng: &mut ChaCha8Rng, v: &mut Vec<u8>) {
    let k = rng.random_range(2..20);
    for j in 0..k {
        if j > 0 {
            v.extend_from_slice(b", ");
        }
        let _ = write!(v, "{}", rng.random_range(1..8_000_000u32));
    }
}

/// `{uuid}`: a version-4 UUID, its groups joined by `sep` (`-`, or nothing
/// for MariaDB's `REPLACE(UUID(), '-', '')` keys).
pub(crate) fn uuid(rng: &mut ChaCha8Rng, v: &mut Vec<u8>, sep: &str) {
    let a: u64 = rng.random();
    let b: u64 = rng.random();
    let _ = write!(
        v,
        "{:08x}{sep}{:04x}{sep}4{:03x}{sep}{:04x}{sep}{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | (b >> 48) & 0x3fff,
        b & 0xffff_ffff_ffff
    );
}

/// `{ts}`: a time in the three days before `now_secs`, `YYYY-MM-DD
/// HH:MM:SS`, with microseconds when `micros`.
pub(crate) fn timestamp(rng: &mut ChaCha8Rng, v: &mut Vec<u8>, now_secs: i64, micros: bool) {
    let s = now_secs - rng.random_range(0..86_400 * 3);
    let (y, m, d) = crate::out::civil_from_days(s.div_euclid(86_400));
    let sod = s.rem_euclid(86_400);
    let _ = write!(
        v,
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        sod / 3600,
        sod / 60 % 60,
        sod % 60
    );
    if micros {
        let _ = write!(v, ".{:06}", rng.random_range(0..1_000_000u32));
    }
}

/// A bulk load of 15 to 159 rows on one line (several KB), values separated
/// by `sep`, epoch seconds turned into a time by the function `from_unix`.
pub(crate) fn bulk_insert(
    text: &mut Vec<u8>,
    rng: &mut ChaCha8Rng,
    now_secs: i64,
    sep: &str,
    from_unix: &str,
) {
    let rows = rng.random_range(15..160);
    text.extend_from_slice(
        b"INSERT INTO staging.events_raw (id, kind, payload, created_at) VALUES ",
    );
    let base = rng.random_range(1..900_000_000u64);
    for r in 0..rows {
        if r > 0 {
            text.extend_from_slice(sep.as_bytes());
        }
        let _ = write!(
            text,
            "({}{sep}'{}'{sep}'{{\"source\":\"{}\",\"session\":\"{:016x}\",\"ms\":{}}}'{sep}{from_unix}({}))",
            base + r,
            pick(rng, WORDS),
            pick(rng, SOURCES),
            rng.random::<u64>(),
            rng.random_range(0..5000u32),
            now_secs - rng.random_range(0..3600)
        );
    }
}
