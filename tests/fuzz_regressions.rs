//! Every input a fuzzer found (fuzz/regressions/<target>/) and every seed
//! (fuzz/corpus/<target>/), replayed through the fuzz targets' bodies
//! (src/fuzzing.rs) on stable Rust: none may panic.

use std::path::Path;

#[test]
fn fuzz_seeds_and_found_inputs_replay_cleanly() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut replayed = 0;
    for (target, run) in sslcensus::fuzzing::TARGETS {
        for kind in ["corpus", "regressions"] {
            let Ok(entries) = std::fs::read_dir(fuzz.join(kind).join(target)) else {
                continue;
            };
            for entry in entries {
                let path = entry.unwrap().path();
                let data = std::fs::read(&path).unwrap();
                let outcome = std::panic::catch_unwind(|| run(&data));
                assert!(outcome.is_ok(), "{target}: {} panics", path.display());
                replayed += 1;
            }
        }
    }
    assert!(replayed > 100, "the seed corpus is there ({replayed})");
}
