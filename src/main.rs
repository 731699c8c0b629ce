fn main() -> std::process::ExitCode {
    threatbench::cli::run()
}
