import ArgumentParser
import Foundation
import LBDaemonKit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `--state-dir`: where `lbd drain`, `lbd undrain` and `lbd drains` find the drains, the same
/// directory as `lbd run --state-dir`.
struct DrainOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "lbd's state directory, as given to lbd run --state-dir: the drains are kept there.",
            valueName: "dir"))
    var stateDir: String = "/var/lib/lbd"

    var book: DrainBook { DrainBook(stateDirectory: stateDir) }

    /// Who runs the command: the user who ran sudo, else the effective user's login name.
    static func invokingUser() -> String {
        if let sudo = ProcessInfo.processInfo.environment["SUDO_USER"], !sudo.isEmpty { return sudo }
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name {
            return String(cString: name)
        }
        return "uid \(geteuid())"
    }

    /// Reports `error` as `command`'s and ends it with status 1.
    static func fail(_ command: String, _ error: DrainBookError) -> ExitCode {
        printToStandardError("lbd \(command): \(error.description)")
        return ExitCode(1)
    }
}
