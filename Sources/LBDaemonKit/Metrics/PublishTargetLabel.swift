/// The fixed `target` label of a publication result: `internal`, `external`, `embedded`,
/// `haproxy` or `other`. A result's own target names sockets and backends, which a label must
/// not carry (one series per configured path is fine for a log line, not for a metric name).
enum PublishTargetLabel {
    static func of(_ target: String) -> String {
        switch target {
        case "internal view": "internal"
        case "external view": "external"
        case ZonePublisher.target: "embedded"
        default: target.hasPrefix("haproxy") ? "haproxy" : "other"
        }
    }

    /// The view of an RFC 2136 UPDATE result, or nil for another publisher's.
    static func view(of target: String) -> String? {
        switch target {
        case "internal view": "internal"
        case "external view": "external"
        default: nil
        }
    }
}
