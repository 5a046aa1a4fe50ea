use std::process::ExitCode;

fn main() -> ExitCode {
    cfnc::commands::main()
}
