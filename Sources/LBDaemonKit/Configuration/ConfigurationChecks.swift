/// Warnings about settings that are valid one by one but do not fit together.
struct ConfigurationChecks {
    let diagnostics: Diagnostics

    func check(_ configuration: Configuration) {
        let dns = configuration.dns
        if dns.server != nil, dns.internalView == nil {
            diagnostics.warning(
                "a DNS server is set but no internal view key: UPDATEs would be unsigned", line: nil)
        }
        let external = configuration.aliases.filter(\.parameters.external)
        if dns.server != nil, dns.externalView == nil, let first = external.first {
            diagnostics.warning(
                "\(external.count) alias(es) are external (\(first.name)...) but no external view key is set",
                line: nil)
        }
        if configuration.snmp.version == .v3, configuration.snmp.authPassword == nil {
            diagnostics.warning(
                "SNMPv3 without a password: nodes are polled without authentication", line: nil)
        }
        if configuration.aliases.isEmpty, !diagnostics.hasErrors {
            diagnostics.warning(
                "no alias is configured: lbd run refuses to start with it, and a reload to it", line: nil)
        }
    }
}
