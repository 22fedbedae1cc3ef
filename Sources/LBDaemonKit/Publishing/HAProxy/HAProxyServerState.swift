/// One server of a backend as `show servers state <backend>` describes it (format version 1).
public struct HAProxyServerState: Hashable, Sendable {
    /// `srv_admin_state` bits lbd sets: forced maintenance and forced drain.
    public static let forcedMaintenance = 0x01
    public static let forcedDrain = 0x08

    public var name: String
    public var address: String
    public var port: Int
    /// `srv_op_state`: 0 stopped, 1 starting, 2 running, 3 stopping.
    public var operationalState: Int
    /// `srv_admin_state`, a bit set (forced/inherited/resolution maintenance and drain).
    public var adminState: Int
    /// `srv_uweight`: the weight set by the configuration or the runtime API.
    public var weight: Int

    public init(name: String, address: String, port: Int, operationalState: Int, adminState: Int, weight: Int)
    {
        self.name = name
        self.address = address
        self.port = port
        self.operationalState = operationalState
        self.adminState = adminState
        self.weight = weight
    }

    public var isInMaintenance: Bool { adminState & Self.forcedMaintenance != 0 }
    public var isDraining: Bool { adminState & Self.forcedDrain != 0 }

    /// The servers listed in the answer to `show servers state <backend>`.
    ///
    /// The first line is the format version (1); the `#` line names the columns, which are
    /// found by name, so that columns HAProxy adds later do not matter.
    public static func parse(_ answer: String, backend: String) throws(HAProxyRuntimeError)
        -> [HAProxyServerState]
    {
        let lines = answer.split(separator: "\n", omittingEmptySubsequences: true).map {
            $0.hasSuffix("\r") ? $0.dropLast() : $0
        }
        guard let version = lines.first else {
            throw HAProxyRuntimeError(.malformedAnswer, "show servers state \(backend): empty answer")
        }
        guard version == "1" else {
            if version.hasPrefix("Can't find backend") {
                throw HAProxyRuntimeError(
                    .unknownBackend, "HAProxy has no backend '\(backend)' (\(version.prefix(80)))")
            }
            throw HAProxyRuntimeError(
                .malformedAnswer,
                "show servers state \(backend): expected format version 1, got '\(version.prefix(80))'")
        }
        guard lines.count >= 2, lines[1].hasPrefix("#") else {
            throw HAProxyRuntimeError(.malformedAnswer, "show servers state \(backend): no column header")
        }
        let columns = lines[1].dropFirst().split(separator: " ").map(String.init)
        func column(_ name: String) throws(HAProxyRuntimeError) -> Int {
            guard let index = columns.firstIndex(of: name) else {
                throw HAProxyRuntimeError(
                    .malformedAnswer, "show servers state \(backend): no column \(name)")
            }
            return index
        }
        let backendColumn = try column("be_name")
        let nameColumn = try column("srv_name")
        let addressColumn = try column("srv_addr")
        let operationalColumn = try column("srv_op_state")
        let adminColumn = try column("srv_admin_state")
        let weightColumn = try column("srv_uweight")
        let portColumn = try column("srv_port")
        var servers: [HAProxyServerState] = []
        for (number, line) in lines.dropFirst(2).enumerated() {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count >= columns.count else {
                throw HAProxyRuntimeError(
                    .malformedAnswer,
                    "show servers state \(backend): row \(number + 1) has \(fields.count) field(s), expected \(columns.count)"
                )
            }
            guard fields[backendColumn] == backend else { continue }
            guard let operational = Int(fields[operationalColumn]), let admin = Int(fields[adminColumn]),
                let weight = Int(fields[weightColumn]), let port = Int(fields[portColumn])
            else {
                throw HAProxyRuntimeError(
                    .malformedAnswer,
                    "show servers state \(backend): row \(number + 1) has a non-numeric state")
            }
            servers.append(
                HAProxyServerState(
                    name: fields[nameColumn], address: fields[addressColumn], port: port,
                    operationalState: operational, adminState: admin, weight: weight))
        }
        return servers
    }
}
