/// The settings `lbd run` reads at start only (SNMP, DNS, HA, HTTP): a reload that changes them
/// must say which, by the key an operator would look for in the native format.
public enum StartOnlySettings {
    /// The keys of the start-only settings that differ between `old` and `new`, in file order
    /// (`snmp.timeout`, `dns.embedded.listen`...). Empty when a reload applies everything.
    public static func changed(from old: Configuration, to new: Configuration) -> [String] {
        var keys: [String] = []
        func compare<Section: Equatable>(
            _ section: String, _ old: Section, _ new: Section, _ fields: [(String, (Section) -> AnyHashable?)]
        ) {
            guard old != new else { return }
            let differing = fields.filter { $0.1(old) != $0.1(new) }.map { "\(section).\($0.0)" }
            // A field added to the settings but not to this list is still reported, by its section.
            keys += differing.isEmpty ? [section] : differing
        }
        compare(
            "snmp", old.snmp, new.snmp,
            [
                ("version", { $0.version.rawValue }), ("port", { $0.port }), ("community", { $0.community }),
                ("user", { $0.user }), ("auth_protocol", { $0.authProtocol.rawValue }),
                ("auth_password", { $0.authPassword }), ("priv_protocol", { $0.privProtocol.rawValue }),
                ("priv_password", { $0.privPassword }), ("timeout", { $0.timeout }),
                ("retries", { $0.retries }), ("concurrency", { $0.concurrency }),
                ("notifications.listen", { $0.notifications.listen?.description }),
                ("notifications.per_node_interval", { $0.notifications.perNodeInterval }),
                ("notifications.max_per_second", { $0.notifications.maximumPerSecond }),
            ])
        // `dns.embedded` is compared on its own below.
        var oldDNS = old.dns
        var newDNS = new.dns
        oldDNS.embedded = nil
        newDNS.embedded = nil
        compare(
            "dns", oldDNS, newDNS,
            [
                ("server", { $0.server?.description }), ("timeout", { $0.timeout }),
                ("retries", { $0.retries }),
                ("max_concurrent_updates", { $0.maxConcurrentUpdates }),
                ("views.internal", { $0.internalView }), ("views.external", { $0.externalView }),
            ])
        switch (old.dns.embedded, new.dns.embedded) {
        case (nil, nil):
            break
        case (let old?, let new?):
            compare(
                "dns.embedded", old, new,
                [
                    ("listen", { $0.listen.description }), ("zone", { $0.zone }),
                    ("nameserver", { $0.nameServer }), ("mailbox", { $0.mailbox }),
                    ("notify", { $0.notify.map(\.description) }), ("transfer_from", { $0.transferFrom }),
                    ("explain", { $0.explain }),
                ])
        default:
            keys.append("dns.embedded")
        }
        compare(
            "ha", old.ha, new.ha,
            [
                ("mode", { $0.mode.rawValue }), ("master", { $0.master }),
                ("heartbeat_directory", { $0.heartbeatDirectory }), ("heartbeat_file", { $0.heartbeatFile }),
                ("takeover_after", { $0.takeoverAfter }),
            ])
        compare(
            "http", old.http, new.http,
            [
                ("listen", { $0.listen?.description }), ("token_file", { $0.tokenFile }),
                ("tls", { $0.tls.map { "\($0.certificate) \($0.key)" } }),
                ("drains", { $0.drains ? "true" : nil }),
            ])
        compare(
            "history", old.history, new.history,
            [
                ("store", { $0.store.rawValue }), ("path", { $0.path }), ("url", { $0.url }),
                ("password_file", { $0.passwordFile }), ("retention", { $0.retention }),
                ("raw_retention", { $0.rawRetention }),
            ])
        // The HAProxy publishers are built at start, one per runtime API socket.
        let oldHAProxy = Dictionary(
            old.servedAliases.compactMap { alias in alias.haproxy.map { (alias.name, $0) } },
            uniquingKeysWith: { first, _ in first })
        let newHAProxy = Dictionary(
            new.servedAliases.compactMap { alias in alias.haproxy.map { (alias.name, $0) } },
            uniquingKeysWith: { first, _ in first })
        for name in Set(oldHAProxy.keys).union(newHAProxy.keys).sorted()
        where oldHAProxy[name] != newHAProxy[name] {
            keys.append("aliases.\(name).haproxy")
        }
        return keys
    }
}
