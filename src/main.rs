fn main() -> std::process::ExitCode {
    kiosque::cli::main()
}
