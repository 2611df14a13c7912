//! The `sitelift` command: parse arguments, run the library, map the outcome
//! to an exit code (0 all good, 1 finished with page-level failures, 2 could not run).

use std::process::ExitCode;

fn main() -> ExitCode {
    match sitelift::cli::main() {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
