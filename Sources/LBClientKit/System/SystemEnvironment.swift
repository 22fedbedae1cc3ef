/// Where lbclient finds the system files its checks read and the helper programs they run.
///
/// Everything is configurable so tests point checks at fixtures; the defaults are the real paths.
public struct SystemEnvironment: Sendable, Hashable {
    /// Prefix of every system file a check reads (`/etc/nologin` becomes `<root>/etc/nologin`).
    public var root: String
    /// `lemon-cli`, asked for lemon metrics.
    public var lemonCLI: String
    /// `collectdctl`, asked for collectd values when the unixsock socket is absent.
    public var collectdctl: String
    /// collectd's `unixsock` plugin socket, used directly when it exists.
    public var collectdSocket: String
    /// `eosxd`, asked whether each EOS mount answers.
    public var eosxd: String
    /// The shell that runs `check command` lines and eosxd probes.
    public var shell: String

    public init(
        root: String = "/", lemonCLI: String = "/usr/sbin/lemon-cli",
        collectdctl: String = "/usr/bin/collectdctl",
        collectdSocket: String = "/var/run/collectd-unixsock", eosxd: String = "/usr/bin/eosxd",
        shell: String = "/bin/bash"
    ) {
        self.root = root
        self.lemonCLI = lemonCLI
        self.collectdctl = collectdctl
        self.collectdSocket = collectdSocket
        self.eosxd = eosxd
        self.shell = shell
    }

    /// The path of the system file `absolutePath` under ``root``.
    public func path(_ absolutePath: String) -> String {
        if root.isEmpty || root == "/" { return absolutePath }
        let trimmedRoot = root.hasSuffix("/") ? String(root.dropLast()) : root
        return absolutePath.hasPrefix("/") ? trimmedRoot + absolutePath : trimmedRoot + "/" + absolutePath
    }
}
