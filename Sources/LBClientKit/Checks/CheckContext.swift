import Logging

/// What a running check may look at: the system it inspects and the aliases it serves.
public struct CheckContext: Sendable {
    /// Where system files and helper programs are.
    public var system: SystemEnvironment
    /// The aliases served by the configuration file being evaluated.
    public var aliases: [String]
    /// True for an alias-specific file (`lbclient.conf.<alias>`), false for the shared default one.
    public var isAliasSpecific: Bool
    /// Runs helper programs and `command` lines.
    public var commands: any CommandRunning
    /// How long one line, and each program it runs, may take.
    public var timeout: Duration
    public var logger: Logger
    /// The socket tables daemon checks read, each read once for everything run with this
    /// context (and copies of it): a new context, a new snapshot.
    public var socketTables: SocketTableSnapshot

    public init(
        system: SystemEnvironment, aliases: [String] = [], isAliasSpecific: Bool = false,
        commands: any CommandRunning = ProcessRunner(), timeout: Duration = .seconds(30),
        logger: Logger = Logger(label: "lbclient"), socketTables: SocketTableSnapshot = SocketTableSnapshot()
    ) {
        self.system = system
        self.aliases = aliases
        self.isAliasSpecific = isAliasSpecific
        self.commands = commands
        self.timeout = timeout
        self.logger = logger
        self.socketTables = socketTables
    }
}
