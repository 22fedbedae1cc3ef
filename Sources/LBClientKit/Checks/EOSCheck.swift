import Logging

/// `check eos`: fails when an EOS FUSE mount has lost its server, which makes every access to
/// it hang or fail.
///
/// Each mount of type `fuse` at `/eos/X` or `/eos/X/Y` in `/proc/mounts` is probed with
/// `eosxd get eos.mgmurl <mount point>`. The check fails when a probe's error output says the
/// mount is broken (the three messages below). Other non-zero exits (such as "No such
/// attribute" from an older eosxd) are ignored, as in golbclient; exit 126/127 or a signal mean
/// the probe itself is broken and are errors. No EOS mount: pass.
///
/// golbclient probed through `bash -c` one mount after another; eosxd is now run directly and
/// all mounts are probed at once, so several hung mounts cost one timeout, not one each.
public struct EOSCheck: Check {
    /// eosxd's error output for a mount that lost its server.
    static let brokenMountMessages = [
        "Transport endpoint is not connected", "Operation not supported", "Input/output error",
    ]

    /// Anything after the keyword is ignored.
    public init(line: ConfigLine) throws {}

    public func run(in context: CheckContext) async throws -> CheckResult {
        let mountsFile = context.system.path("/proc/mounts")
        let mountPoints: [String]
        do {
            mountPoints = Self.eosMountPoints(in: try SystemFile.text(mountsFile))
        } catch {
            throw CheckError("\(error)")
        }
        if mountPoints.isEmpty { return .pass("no EOS mount") }

        let outcomes = try await withThrowingTaskGroup(of: (Int, ProbeOutcome).self) { group in
            for (index, mountPoint) in mountPoints.enumerated() {
                group.addTask { (index, try await Self.probe(mountPoint, in: context)) }
            }
            var outcomes = [ProbeOutcome?](repeating: nil, count: mountPoints.count)
            for try await (index, outcome) in group { outcomes[index] = outcome }
            return outcomes
        }
        // Reported in /proc/mounts order, as the original's sequential probing would have.
        for case .broken(let reason)? in outcomes {
            return .fail(reason)
        }
        return .pass("EOS mounts answer: \(mountPoints.joined(separator: ", "))")
    }

    private enum ProbeOutcome {
        case healthy
        case broken(String)
    }

    private static func probe(_ mountPoint: String, in context: CheckContext) async throws -> ProbeOutcome {
        let eosxd = context.system.eosxd
        let result: CommandResult
        do {
            result = try await context.commands.run(
                eosxd, arguments: ["get", "eos.mgmurl", mountPoint], timeout: context.timeout)
        } catch let error as CommandError {
            if case .launchFailed = error { throw CheckError("\(error)") }
            throw error
        }
        if result.succeeded { return .healthy }
        if let message = brokenMountMessages.first(where: { result.standardError.contains($0) }) {
            return .broken("\(mountPoint): \(message)")
        }
        switch result.termination {
        case .exited(let status) where status == 126 || status == 127:
            throw CheckError("\(eosxd) cannot run (exit status \(status)) for \(mountPoint)")
        case .exited(let status):
            context.logger.debug(
                "eosxd probe ignored",
                metadata: [
                    "mount": "\(mountPoint)", "status": "\(status)", "stderr": "\(result.standardError)",
                ])
            return .healthy
        case .signalled(let signal):
            throw CheckError("\(eosxd) was killed by signal \(signal) while probing \(mountPoint)")
        }
    }

    /// The EOS FUSE mount points listed in a `/proc/mounts` text, in order.
    static func eosMountPoints(in mounts: String) -> [String] {
        mounts.split(whereSeparator: \.isNewline).compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            // golbclient's pattern: `<device> <mount point> fuse <anything>`, single spaces.
            guard fields.count >= 4, isName(fields[0]), fields[2] == "fuse", isEOSMountPoint(fields[1])
            else { return nil }
            return String(fields[1])
        }
    }

    /// `/eos/X` or `/eos/X/Y`, each component made of letters, digits, `_` and `-`.
    private static func isEOSMountPoint(_ path: Substring) -> Bool {
        guard path.hasPrefix("/eos/") else { return false }
        let components = path.dropFirst("/eos/".count).split(separator: "/", omittingEmptySubsequences: false)
        return (1...2).contains(components.count) && components.allSatisfy(isName)
    }

    private static func isName(_ text: Substring) -> Bool {
        !text.isEmpty
            && text.unicodeScalars.allSatisfy { scalar in
                scalar.isASCII
                    && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
                        || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-")
            }
    }
}
