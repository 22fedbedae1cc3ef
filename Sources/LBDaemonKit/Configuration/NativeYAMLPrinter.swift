import LBCore
import Yams

/// Writes a configuration in lbd's YAML format with every value explicit, so that an operator can
/// convert a golbd file and see every default. Reading the output back gives the same
/// configuration.
public enum NativeYAMLPrinter {
    public static func render(_ configuration: Configuration) -> String {
        var root: [(String, Node)] = [("version", "1")]
        if let partition = configuration.partition { root.append(("partition", scalar(partition))) }
        root.append(("dns", dns(configuration.dns)))
        root.append(("snmp", snmp(configuration.snmp)))
        root.append(("ha", ha(configuration.ha)))
        root.append(("http", http(configuration.http)))
        root.append(("reload", reload(configuration.reload)))
        if configuration.history != HistorySettings() {
            root.append(("history", history(configuration.history)))
        }
        root.append(("aliases", mapping(configuration.aliases.map { ($0.name, alias($0)) })))
        let document = mapping(root)
        return (try? Yams.serialize(node: document, indent: 2, width: -1, sortKeys: false)) ?? ""
    }

    private static func http(_ http: HTTPSettings) -> Node {
        var fields: [(String, Node)] = [("listen", scalar(http.listen?.description ?? "off"))]
        if let file = http.tokenFile { fields.append(("token_file", scalar(file))) }
        if let tls = http.tls {
            fields.append(
                ("tls", mapping([("certificate", scalar(tls.certificate)), ("key", scalar(tls.key))])))
        }
        if http.drains { fields.append(("drains", scalar("true"))) }
        return mapping(fields)
    }

    private static func alias(_ alias: AliasConfiguration) -> Node {
        let parameters = alias.parameters
        return mapping(
            [
                ("members", Node(alias.members.map(scalar), .implicit, .block)),
                ("best_hosts", scalar(String(parameters.bestHosts.golbdValue))),
                ("when_none_usable", scalar(parameters.whenNoneUsable.rawValue)),
                ("polling_interval", scalar(String(parameters.pollingInterval))),
                ("ttl", scalar(String(parameters.ttl))),
                ("external", scalar(parameters.external ? "true" : "false")),
                ("partition", scalar(alias.partition)),
            ] + selectionOptions(parameters) + (alias.haproxy.map { [("haproxy", haproxy($0))] } ?? []))
    }

    /// The options beyond golbd's, only when set: a golbd file printed stays golbd's.
    private static func selectionOptions(_ parameters: AliasParameters) -> [(String, Node)] {
        var fields: [(String, Node)] = []
        if let stickiness = parameters.stickiness { fields.append(("stickiness", scalar("\(stickiness)%"))) }
        if parameters.rise != 1 { fields.append(("rise", scalar(String(parameters.rise)))) }
        if parameters.fall != 1 { fields.append(("fall", scalar(String(parameters.fall)))) }
        if let floor = parameters.minUsable {
            fields.append(("min_usable", scalar(floor.description)))
            fields.append(("below_min_usable", scalar(parameters.belowMinimum.rawValue)))
        }
        if let limit = parameters.maxChanges { fields.append(("max_changes", scalar(String(limit)))) }
        return fields
    }

    private static func haproxy(_ settings: HAProxySettings) -> Node {
        mapping([
            ("socket", scalar(settings.socket.description)),
            ("backend", scalar(settings.backend)),
            (
                "weights",
                mapping([
                    ("min", scalar(String(settings.weights.minimum))),
                    ("max", scalar(String(settings.weights.maximum))),
                    ("mapping", scalar(settings.weights.curve.rawValue)),
                ])
            ),
            ("server_port", scalar(String(settings.serverPort))),
            ("server_prefix", scalar(settings.serverPrefix)),
            ("timeout", scalar(seconds(settings.timeout))),
        ])
    }

    private static func dns(_ dns: DNSSettings) -> Node {
        var views: [(String, Node)] = []
        if let view = dns.internalView { views.append(("internal", self.view(view))) }
        if let view = dns.externalView { views.append(("external", self.view(view))) }
        return mapping([
            ("server", dns.server.map { scalar($0.description) } ?? null),
            ("timeout", scalar(seconds(dns.timeout))),
            ("retries", scalar(String(dns.retries))),
            ("max_concurrent_updates", scalar(String(dns.maxConcurrentUpdates))),
            ("views", views.isEmpty ? null : mapping(views)),
            ("embedded", dns.embedded.map(embedded) ?? null),
        ])
    }

    private static func embedded(_ embedded: EmbeddedDNSSettings) -> Node {
        mapping([
            ("listen", scalar(embedded.listen.description)),
            ("zone", embedded.zone.map(scalar) ?? null),
            ("nameserver", scalar(embedded.nameServer)),
            ("mailbox", scalar(embedded.mailbox)),
            ("notify", Node(embedded.notify.map { scalar($0.description) }, .implicit, .block)),
            ("transfer_from", Node(embedded.transferFrom.map(scalar), .implicit, .block)),
            ("explain", scalar(embedded.explain ? "true" : "false")),
        ])
    }

    private static func view(_ view: DNSView) -> Node {
        var fields: [(String, Node)] = [
            ("key_name", scalar(view.key.name.description)),
            ("algorithm", scalar(view.key.algorithm.rawValue)),
            ("secret", scalar(view.base64Secret)),
        ]
        if let server = view.server { fields.append(("server", scalar(server.description))) }
        return mapping(fields)
    }

    private static func snmp(_ snmp: SNMPSettings) -> Node {
        mapping([
            ("version", scalar(snmp.version.rawValue)),
            ("port", scalar(String(snmp.port))),
            ("community", scalar(snmp.community)),
            ("user", scalar(snmp.user)),
            ("auth_protocol", scalar(snmp.authProtocol.rawValue)),
            ("auth_password", snmp.authPassword.map(scalar) ?? null),
            ("priv_protocol", scalar(snmp.privProtocol.rawValue)),
            ("priv_password", snmp.privPassword.map(scalar) ?? null),
            ("timeout", scalar(seconds(snmp.timeout))),
            ("retries", scalar(String(snmp.retries))),
            ("concurrency", scalar(String(snmp.concurrency))),
            ("notifications", notifications(snmp.notifications)),
        ])
    }

    private static func notifications(_ settings: SNMPNotificationSettings) -> Node {
        mapping([
            ("listen", scalar(settings.listen?.description ?? "off")),
            ("per_node_interval", scalar(seconds(settings.perNodeInterval))),
            ("max_per_second", scalar(String(settings.maximumPerSecond))),
        ])
    }

    private static func ha(_ ha: HASettings) -> Node {
        var fields: [(String, Node)] = [
            ("mode", scalar(ha.mode.rawValue)),
            ("master", ha.master.map(scalar) ?? null),
            ("heartbeat_directory", scalar(ha.heartbeatDirectory)),
            ("heartbeat_file", scalar(ha.heartbeatFile)),
            ("heartbeat_url", ha.heartbeatURL.map(scalar) ?? null),
            ("takeover_after", scalar(seconds(ha.takeoverAfter))),
            ("hold_down", scalar(seconds(ha.holdDown))),
            ("peer_dns", ha.peerDNS.map { scalar($0.description) } ?? null),
        ]
        if ha.mode == .lease || ha.lease != LeaseSettings() {
            var lease: [(String, Node)] = [("url", ha.lease.url.map(scalar) ?? null)]
            if let file = ha.lease.passwordFile { lease.append(("password_file", scalar(file))) }
            lease += [("ttl", scalar(seconds(ha.lease.ttl))), ("table", scalar(ha.lease.table))]
            fields.append(("lease", mapping(lease)))
        }
        return mapping(fields)
    }

    private static func history(_ history: HistorySettings) -> Node {
        var fields: [(String, Node)] = [("store", scalar(history.store.rawValue))]
        if let path = history.path { fields.append(("path", scalar(path))) }
        if let url = history.url { fields.append(("url", scalar(url))) }
        if let file = history.passwordFile { fields.append(("password_file", scalar(file))) }
        fields.append(("retention", scalar(seconds(history.retention))))
        fields.append(("raw_retention", scalar(seconds(history.rawRetention))))
        return mapping(fields)
    }

    private static func reload(_ reload: ReloadSettings) -> Node {
        mapping([("max_withdrawn_share", scalar(percent(reload.maximumWithdrawnShare)))])
    }

    /// `50%` when that reads back as the same number, else the fraction (`0.333`): never rounded.
    private static func percent(_ share: Double) -> String {
        let hundredths = share * 100
        if hundredths == hundredths.rounded(), hundredths / 100 == share { return "\(Int(hundredths))%" }
        return "\(share)"
    }

    /// Whole seconds as `30s`, whole milliseconds as `1500ms`, anything else as the shortest
    /// decimal that reads back as the same number (`0.0015s`): never rounded.
    private static func seconds(_ value: Double) -> String {
        guard value.isFinite, value.magnitude < 1e15 else { return "\(value)s" }
        if value == value.rounded() { return "\(Int(value))s" }
        let milliseconds = value * 1000
        if milliseconds == milliseconds.rounded(), milliseconds / 1000 == value {
            return "\(Int(milliseconds))ms"
        }
        return "\(value)s"
    }

    private static var null: Node { Node("null", .implicit, .plain) }

    /// A plain scalar when YAML reads it back as the same text, else a quoted one.
    private static func scalar(_ text: String) -> Node {
        let readAsNull = ["", "~", "null", "Null", "NULL"].contains(text)
        return Node(text, .implicit, readAsNull ? .singleQuoted : .any)
    }

    private static func mapping(_ pairs: [(String, Node)]) -> Node {
        Node(pairs.map { (Node($0.0), $0.1) }, .implicit, .block)
    }
}
