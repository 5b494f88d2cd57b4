//! Throughput of the parsing pipeline on a generated RDS PostgreSQL log.
//!
//! `cargo bench --bench parse` — see BENCHMARKS.md for the figures and for
//! the ≥ 1 GB end-to-end comparison with grep (benches/compare.sh).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sslcensus::analyze::{Settings, analyze};
use sslcensus::progress::Progress;
use sslcensus::source::resolve;
use sslcensus_parsers::observation::Observation;
use sslcensus_parsers::pg::message::Malformed;
use sslcensus_parsers::pg::stderr::LinePrefix;
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

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let instance = dir.path().join("bench-db");
    std::fs::create_dir(&instance).unwrap();
    let path = instance.join("postgresql.log.2026-11-01-00");
    let config = genlog::Config {
        target_bytes: BYTES,
        ..genlog::Config::default()
    };
    genlog::write_log(&config, std::fs::File::create(&path).unwrap()).unwrap();
    let bytes = std::fs::read(&path).unwrap();

    let mut group = c.benchmark_group("rds_stderr_32MiB");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.sample_size(10);

    let format = LogFormat::PgStderr {
        prefix: Some(LinePrefix::compile("%t:%r:%u@%d:[%p]:").unwrap()),
    };
    group.bench_function("scan_single_thread", |b| {
        b.iter(|| {
            let mut count = Count::default();
            scan(&format, &bytes, &mut count);
            count.0
        })
    });

    let (files, _) = resolve(&[instance.to_string_lossy().into_owned()], None);
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

criterion_group!(parse, benches);
criterion_main!(parse);
