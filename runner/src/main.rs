//! The `tailguard` binary: parse the command line and hand over to the library.

fn main() -> std::process::ExitCode {
    tailguard::main_with_args(std::env::args_os())
}
