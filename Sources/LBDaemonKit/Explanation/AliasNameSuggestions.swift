/// The alias names close to one that is not known, for "did you mean" in `lbd explain`.
enum AliasNameSuggestions {
    /// At most `limit` names of `known` that contain `name` or are within a few edits of it,
    /// closest first.
    static func close(to name: String, in known: [String], limit: Int = 5) -> [String] {
        let wanted = Array(name.lowercased().utf8)
        let allowed = max(2, wanted.count / 8)
        let scored = known.compactMap { candidate -> (String, Int)? in
            let octets = Array(candidate.lowercased().utf8)
            if !wanted.isEmpty, candidate.lowercased().contains(name.lowercased()) {
                return (candidate, 0)
            }
            // Names far longer or shorter cannot be close: skip the quadratic distance.
            guard abs(octets.count - wanted.count) <= allowed else { return nil }
            let distance = editDistance(wanted, octets)
            return distance <= allowed ? (candidate, distance) : nil
        }
        return scored.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.prefix(limit).map(\.0)
    }

    /// Levenshtein distance over octets.
    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(
                    previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
