use std::process::ExitCode;

fn main() -> ExitCode {
    cfnc_cli::commands::main()
}
