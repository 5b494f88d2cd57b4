use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    sslcensus::cli::run(sslcensus::cli::Cli::parse())
}
