//! The `sitelift` command: parse arguments, run the library, map the outcome
//! to an exit code (0 all good, 1 finished with page-level failures, 2 could not run).

use std::process::ExitCode;

fn main() -> ExitCode {
    match sitelift::cli::main() {
        Ok(code) => ExitCode::from(code),
        // the reader of our output went away (`| head`): not an error of ours
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
