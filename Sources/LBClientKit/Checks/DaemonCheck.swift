import Logging

/// `check daemon {...}` and the legacy `sshdaemon` (22), `webdaemon` (80), `ftpdaemon` (21) and
/// `gridftpdaemon` (2811): passes when a socket of this node accepts traffic as specified
/// (see ``DaemonSpecification``), read from `/proc/net/{tcp,tcp6,udp,udp6}`.
///
/// Each table is read once per evaluation and shared by every daemon check in it (see
/// ``SocketTableSnapshot``); on the live system the kernel is asked over netlink instead of the
/// file being read (see ``SocketDiagnostics``), with the same sockets as the answer.
///
/// Differences from golbclient, all fixes: only the local address is compared; TCP sockets
/// count only in LISTEN state (UDP: any bound socket); IPv6 addresses and IPv4 addresses
/// starting with a 0 byte are encoded as the kernel does. A socket table that does not exist
/// (a node with IPv6 disabled has no `tcp6`) has no sockets rather than being an error; only
/// when none of the tables wanted can be read is the check an error.
public struct DaemonCheck: Check {
    public let specification: DaemonSpecification

    /// - Throws: ``ClientConfigError`` for a malformed `daemon` object. The legacy keywords
    ///   ignore their arguments, as golbclient did.
    public init(line: ConfigLine) throws {
        switch line.keyword {
        case .sshdaemon: specification = .legacy(port: 22)
        case .webdaemon: specification = .legacy(port: 80)
        case .ftpdaemon: specification = .legacy(port: 21)
        case .gridftpdaemon: specification = .legacy(port: 2811)
        default: specification = try DaemonSpecification(line: line)
        }
    }

    public init(specification: DaemonSpecification) {
        self.specification = specification
    }

    public func run(in context: CheckContext) async throws -> CheckResult {
        if !specification.ignoredKeys.isEmpty {
            context.logger.debug(
                "daemon: unknown keys ignored",
                metadata: ["keys": "\(specification.ignoredKeys.joined(separator: ", "))"])
        }
        var unreadable: [String] = []
        for (transport, family) in specification.tables {
            let file = ListeningSockets.file(transport, family)
            let path = context.system.path(file)
            let table = SocketTableSnapshot.Table(
                path: path, transport: transport, family: family, isLive: path == file)
            let sockets: [ListeningSocket]
            switch context.socketTables.sockets(in: table) {
            case .sockets(let read):
                sockets = read
            case .unreadable(let error):
                if error.isMissing {
                    context.logger.debug(
                        "daemon: \(file) does not exist; no \(family.rawValue) \(transport.rawValue) sockets")
                } else {
                    context.logger.warning("daemon: \(error.description)")
                }
                unreadable.append(error.description)
                continue
            }
            // A closure, not `specification.accepts`: that partial application boxes a copy of
            // the specification, whose Set fields make the Swift runtime search every protocol
            // conformance of the executable the first time (a quarter of a millisecond).
            if let socket = sockets.first(where: { specification.accepts($0) }) {
                return .pass(
                    "\(transport.rawValue) port \(socket.port) accepts traffic on \(socket.addressDescription)"
                )
            }
        }
        if !unreadable.isEmpty && unreadable.count == specification.tables.count {
            throw CheckError(unreadable.joined(separator: "; "))
        }
        return .fail("nothing accepts traffic on \(specification.summary)")
    }
}
