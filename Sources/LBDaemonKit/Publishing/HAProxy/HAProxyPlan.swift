import LBCore

/// The runtime API commands that make a backend show a decision: pure, so that what lbd would
/// send is testable without HAProxy.
///
/// Per member, the server `HAProxyServerName.make(prefix:member:)`: a chosen member is `ready`
/// with its weight, a usable member not chosen `drain`, an unusable one `maint`; a missing
/// server is added (when the member has an address). Servers with the prefix that stand for no
/// member are put in maintenance, then deleted. Servers without the prefix are never named.
public struct HAProxyPlan: Hashable, Sendable {
    /// What lbd wants a server to be.
    public enum Target: Hashable, Sendable {
        case ready(weight: Int)
        case drain
        case maintenance
    }

    public struct Server: Hashable, Sendable {
        public var name: String
        public var member: String
        /// The address a new server gets, or a moved one is changed to; nil when unresolved.
        public var address: NodeAddress?
        public var target: Target
    }

    public var servers: [Server]
    public var commands: [HAProxyCommand]

    /// The plan for `decision` on `backend`, whose servers are `current`. With `reapply`, every
    /// state and weight is sent again even where HAProxy already shows it (after a reload).
    public init(
        decision: Decision, settings: HAProxySettings, current: [HAProxyServerState], reapply: Bool = false
    ) {
        let weights = settings.weights.weights(for: decision)
        servers = decision.members.map { member in
            let target: Target
            if let weight = weights[member.node] {
                target = .ready(weight: weight)
            } else if member.evaluation.state.isUsable {
                target = .drain
            } else {
                target = .maintenance
            }
            return Server(
                name: HAProxyServerName.make(prefix: settings.serverPrefix, member: member.node),
                member: member.node, address: Self.address(of: member), target: target)
        }
        var commands: [HAProxyCommand] = []
        let existing = Dictionary(current.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let backend = settings.backend
        for server in servers {
            let path = "\(backend)/\(server.name)"
            if let state = existing[server.name] {
                commands += Self.update(path, state, to: server, port: settings.serverPort, reapply: reapply)
            } else if let address = server.address {
                commands += Self.add(path, address: address, to: server, port: settings.serverPort)
            }
        }
        let wanted = Set(servers.map(\.name))
        for state in current where state.name.hasPrefix(settings.serverPrefix) && !wanted.contains(state.name)
        {
            let path = "\(backend)/\(state.name)"
            if !state.isInMaintenance { commands.append(.setState(path, "maint")) }
            commands.append(.delete(path))
        }
        self.commands = commands
    }

    private static func add(_ path: String, address: NodeAddress, to server: Server, port: Int)
        -> [HAProxyCommand]
    {
        // A server added at run time starts in maintenance.
        switch server.target {
        case .ready(let weight):
            return [.add(path, address.description, port: port, weight: weight), .setState(path, "ready")]
        case .drain:
            return [.add(path, address.description, port: port, weight: 1), .setState(path, "drain")]
        case .maintenance:
            return [.add(path, address.description, port: port, weight: 1)]
        }
    }

    private static func update(
        _ path: String, _ state: HAProxyServerState, to server: Server, port: Int, reapply: Bool
    ) -> [HAProxyCommand] {
        var commands: [HAProxyCommand] = []
        if let address = server.address, reapply || state.address != address.description || state.port != port
        {
            commands.append(.setAddress(path, address.description, port: port))
        }
        switch server.target {
        case .ready(let weight):
            if reapply || state.isInMaintenance || state.isDraining {
                commands.append(.setState(path, "ready"))
            }
            if reapply || state.weight != weight { commands.append(.setWeight(path, weight)) }
        case .drain:
            if reapply || state.isInMaintenance || !state.isDraining {
                commands.append(.setState(path, "drain"))
            }
        case .maintenance:
            if reapply || !state.isInMaintenance { commands.append(.setState(path, "maint")) }
        }
        return commands
    }

    /// The member's address for HAProxy: its first usable one (IPv4 first), else the first it
    /// resolved to.
    static func address(of member: MemberDecision) -> NodeAddress? {
        member.evaluation.usableAddresses.sorted().first
            ?? member.evaluation.addresses.map(\.address).sorted().first
    }
}
