//! The `sloxide` command line; all logic lives in the library.

fn main() -> std::process::ExitCode {
    sloxide::cli::main()
}
