use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // A panic's message may quote the log or settings text it failed on, and
    // secrets never appear in output: say where, not what. (A line or file
    // that fails is skipped, counted and named by the caller.)
    std::panic::set_hook(Box::new(|info| {
        // Caught and answered where it happened (a line skipped and
        // counted, a damaged file named): nothing to add.
        if sslcensus_parsers::caught::is_caught() {
            return;
        }
        let at = info
            .location()
            .map_or_else(String::new, |l| format!(" at {l}"));
        eprintln!("sslcensus: internal error{at} (a bug: please report it)");
    }));
    sslcensus::run(sslcensus::Cli::parse())
}
