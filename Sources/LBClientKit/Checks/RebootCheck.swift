/// `check reboot`: fails once systemd has a shutdown or reboot scheduled, so the node leaves
/// the alias before it goes down rather than after.
public struct RebootCheck: Check {
    /// The file systemd writes while a shutdown is scheduled (`shutdown -r +5`).
    static let scheduledFile = "/run/systemd/shutdown/scheduled"

    /// Anything after the keyword is ignored.
    public init(line: ConfigLine) throws {}

    public func run(in context: CheckContext) async throws -> CheckResult {
        if SystemFile.exists(context.system.path(Self.scheduledFile)) {
            return .fail("a shutdown is scheduled (\(Self.scheduledFile) exists)")
        }
        return .pass("no shutdown is scheduled (\(Self.scheduledFile) is absent)")
    }
}
