use std::process::ExitCode;

use clap::Parser;
use convene::commands::{self, CommandError};
use convene::config::Cli;

fn main() -> ExitCode {
    // clap answers bad usage itself, with exit code 2.
    let cli = Cli::parse();
    convene::app::init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("convene: cannot start the async runtime: {error}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(CommandError::Usage(reason)) => {
            eprintln!("convene: {reason}");
            ExitCode::from(2)
        }
        Err(CommandError::Failed(error)) => {
            eprintln!("convene: {error:#}");
            ExitCode::from(1)
        }
    }
}
