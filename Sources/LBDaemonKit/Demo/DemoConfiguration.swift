import LBCore

/// The aliases `lbd demo` serves from its simulated fleet, in the zone `demo.lb`.
public enum DemoConfiguration {
    public static let zone = "demo.lb"

    /// Three aliases over six nodes, polled every `interval` seconds: the two least loaded of
    /// four, every usable one of four (sharing two nodes with the first), and one that empties
    /// when nothing is usable.
    public static func configuration(snmpPort: Int, interval: Int) -> Configuration {
        let nodes = (1...6).map { "node\($0).\(zone)" }
        return Configuration(
            aliases: [
                AliasConfiguration(
                    name: "www.\(zone)", members: Array(nodes[0..<4]),
                    parameters: AliasParameters(bestHosts: .count(2), pollingInterval: interval)),
                AliasConfiguration(
                    name: "api.\(zone)", members: Array(nodes[2..<6]),
                    parameters: AliasParameters(
                        bestHosts: .allUsable, whenNoneUsable: .keep, pollingInterval: interval)),
                AliasConfiguration(
                    name: "batch.\(zone)", members: [nodes[4], nodes[5]],
                    parameters: AliasParameters(
                        bestHosts: .count(1), whenNoneUsable: .empty, pollingInterval: interval)),
            ],
            snmp: SNMPSettings(version: .v2c, port: snmpPort, community: "public", timeout: 1, retries: 0))
    }
}
