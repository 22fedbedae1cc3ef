extension Configuration {
    /// Settings that are read and validated but that lbd does not act on yet, each with what
    /// happens instead. `lbd run` and `lbd check-config` print them as warnings, in these words.
    public var notImplementedWarnings: [String] {
        var warnings: [String] = []
        if ha.mode == .heartbeat {
            // Not silently: a golbd pair moved over as is would have both instances publishing.
            warnings.append(
                "ha.mode heartbeat is not implemented yet: this lbd publishes as a standalone instance; run one lbd per partition"
                    + (ha.master.map { " (ha.master, golbd's `master` line, names \($0))" } ?? ""))
        }
        if let listen = http.listen {
            warnings.append("http is not implemented yet: nothing listens on http.listen \(listen)")
        }
        return warnings
    }
}
