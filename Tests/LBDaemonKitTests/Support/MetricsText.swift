/// The samples of a Prometheus text exposition, parsed for assertions: `value(name, labels)`
/// finds a series whatever the order of its labels.
struct MetricsText {
    struct Sample: Hashable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    let samples: [Sample]
    /// The names of the `# TYPE` lines.
    let types: [String: String]

    init(_ text: String) {
        var samples: [Sample] = []
        var types: [String: String] = [:]
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                if parts.count == 4 { types[String(parts[2])] = String(parts[3]) }
                continue
            }
            if line.hasPrefix("#") { continue }
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...])
            else { continue }
            let series = line[..<space]
            guard let brace = series.firstIndex(of: "{") else {
                samples.append(Sample(name: String(series), labels: [:], value: value))
                continue
            }
            samples.append(
                Sample(
                    name: String(series[..<brace]),
                    labels: Self.labels(series[series.index(after: brace)...].dropLast()),
                    value: value))
        }
        self.samples = samples
        self.types = types
    }

    /// `a="1",b="2"` (values without escapes: lbd's label values are names and codes).
    private static func labels(_ text: Substring) -> [String: String] {
        var labels: [String: String] = [:]
        var rest = text
        while let equals = rest.firstIndex(of: "=") {
            let name = rest[..<equals].trimmingPrefix(",")
            let afterQuote = rest.index(equals, offsetBy: 2)
            guard let closing = rest[afterQuote...].firstIndex(of: "\"") else { break }
            labels[String(name)] = String(rest[afterQuote..<closing])
            rest = rest[rest.index(after: closing)...]
        }
        return labels
    }

    /// The value of the series `name` with exactly `labels`, or nil.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// The sum of the series of `name` whose labels include `labels` (0 when there is none).
    func sum(_ name: String, matching labels: [String: String] = [:]) -> Double {
        series(name).filter { sample in labels.allSatisfy { sample.labels[$0.key] == $0.value } }
            .reduce(0) { $0 + $1.value }
    }

    /// Whether some series of `name` has labels that include `labels`.
    func has(_ name: String, matching labels: [String: String] = [:]) -> Bool {
        series(name).contains { sample in labels.allSatisfy { sample.labels[$0.key] == $0.value } }
    }

    /// Every series of `name`.
    func series(_ name: String) -> [Sample] { samples.filter { $0.name == name } }

    /// The metric names exposed: `# TYPE` names (a histogram's, not its `_bucket` series).
    var names: Set<String> { Set(types.keys) }
}
