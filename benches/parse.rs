//! Throughput of the parsing pipeline on a generated RDS PostgreSQL log.
//!
//! `cargo bench --bench parse` — see BENCHMARKS.md for the figures and for
//! the ≥ 1 GB end-to-end comparison with grep (benches/compare.sh).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sslcensus::Progress;
use sslcensus::resolve;
use sslcensus::{Settings, analyze};
use sslcensus_parsers::LinePrefix;
use sslcensus_parsers::observation::Malformed;
use sslcensus_parsers::observation::Observation;
use sslcensus_parsers::{LogFormat, Sink, scan};

const BYTES: u64 = 32 << 20;

/// Counts observations and nothing else: the parser's cost alone.
#[derive(Default)]
struct Count(u64);

impl Sink for Count {
    fn observation(&mut self, _: usize, _: Observation<'_>) {
        self.0 += 1;
    }
    fn malformed(&mut self, _: usize, _: Malformed) {}
    fn invalid_utf8(&mut self, _: usize) {}
}

/// The connection lines of a generated log (genlog's definition: every
/// line the share counts), for a figure per connection line.
fn connection_lines(bytes: &[u8]) -> u64 {
    const NEEDLES: [&[u8]; 7] = [
        b"connection received",
        b"connection authorized",
        b"connection authenticated",
        b"disconnection",
        b"could not accept SSL",
        b"FATAL",
        b"DETAIL",
    ];
    bytes
        .split(|&b| b == b'\n')
        .filter(|line| {
            NEEDLES
                .iter()
                .any(|n| line.windows(n.len()).any(|w| w == *n))
        })
        .count() as u64
}

/// Each mix users have: a log where 3 % of lines are connection lines (the
/// default RDS mix), 8 %, and one made mostly of them (68 %:
/// log_connections/log_disconnections and little else). Bytes per second
/// and connection lines per second (criterion's "elem/s"; ns per connection
/// line is 1e9 over it).
fn benches(c: &mut Criterion) {
    for (name, share) in [
        ("sparse_3pct", 3.0),
        ("mix_8pct", 8.0),
        ("dense_68pct", 68.0),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let instance = dir.path().join("bench-db");
        std::fs::create_dir(&instance).unwrap();
        let path = instance.join("postgresql.log.2026-11-01-00");
        let config = genlog::Config {
            target_bytes: BYTES,
            connection_share_percent: share,
            ..genlog::Config::default()
        };
        genlog::write_log(&config, std::fs::File::create(&path).unwrap()).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let lines = connection_lines(&bytes);
        let format = LogFormat::PgStderr {
            prefix: Some(LinePrefix::compile("%t:%r:%u@%d:[%p]:").unwrap()),
        };
        let (files, _) = resolve(&[instance.to_string_lossy().into_owned()], None);
        for (unit, throughput) in [
            ("bytes", Throughput::Bytes(bytes.len() as u64)),
            ("connection_lines", Throughput::Elements(lines)),
        ] {
            let mut group = c.benchmark_group(format!("{name}_32MiB_per_{unit}"));
            group.throughput(throughput);
            group.sample_size(10);
            group.bench_function("scan_single_thread", |b| {
                b.iter(|| {
                    let mut count = Count::default();
                    scan(&format, &bytes, &mut count);
                    count.0
                })
            });
            group.bench_function("analyze_pipeline", |b| {
                b.iter(|| {
                    analyze(&files, &Settings::default(), &Progress::new(0, false))
                        .census
                        .clients
                        .len()
                })
            });
            group.finish();
        }
    }
}

criterion_group!(parse, benches);
criterion_main!(parse);
