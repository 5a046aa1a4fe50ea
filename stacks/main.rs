//! The payment platform's app: `cfnc build` compiles and runs this program, which writes
//! `cfnc.out/<env>/` (see `cfnc::app` for its options).

fn main() -> std::process::ExitCode {
    cfnc::app::main(payment_platform::platform)
}
