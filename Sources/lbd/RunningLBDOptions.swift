import ArgumentParser
import LBDaemonKit

/// `--url`, `--token-file` and `--timeout`: how `lbd status` and `lbd explain` reach a running
/// lbd's HTTP server.
struct RunningLBDOptions: ParsableArguments {
    /// Where `lbd run` listens by default (`http.listen`).
    static let defaultURL = "http://127.0.0.1:8080"

    @Option(help: "lbd's HTTP address, http://HOST:PORT (default http://127.0.0.1:8080).")
    var url: String?

    @Option(
        help: ArgumentHelp(
            "A file holding the bearer token lbd asks for, its http.token_file (default: none).",
            valueName: "file"))
    var tokenFile: String?

    @Option(help: "Seconds to wait for lbd's answer.")
    var timeout = 5.0

    func validate() throws {
        guard timeout > 0, timeout <= 300 else {
            throw ValidationError("--timeout must be from 0 to 300 seconds")
        }
    }

    /// The token in `file`; nil without a file. An unreadable file is reported as `command`'s
    /// error and ends it with `exitCode`.
    static func token(in file: String?, command: String, exitCode: Int32) throws -> String? {
        guard let file else { return nil }
        do {
            return try HTTPSecurity.token(at: file)
        } catch {
            printToStandardError("lbd \(command): \(error)")
            throw ExitCode(exitCode)
        }
    }
}
