#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sslcensus::fuzzing::log_lines(data));
