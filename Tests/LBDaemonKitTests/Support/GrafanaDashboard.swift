import Foundation

/// The PromQL of a Grafana dashboard, reduced to the metric names it reads.
enum GrafanaDashboard {
    struct Invalid: Error {}

    /// The `lbd_` names in every panel's target expressions and every query variable; a
    /// histogram's `_bucket`, `_sum` and `_count` series count as the histogram.
    static func metricNames(in json: Data, histograms: Set<String>) throws -> Set<String> {
        guard let root = try JSONSerialization.jsonObject(with: json) as? [String: Any] else {
            throw Invalid()
        }
        var expressions: [String] = []
        func panels(_ list: [[String: Any]]) {
            for panel in list {
                for target in panel["targets"] as? [[String: Any]] ?? [] {
                    if let expression = target["expr"] as? String { expressions.append(expression) }
                }
                panels(panel["panels"] as? [[String: Any]] ?? [])
            }
        }
        panels(root["panels"] as? [[String: Any]] ?? [])
        let templating = root["templating"] as? [String: Any]
        for variable in templating?["list"] as? [[String: Any]] ?? [] {
            if let query = variable["query"] as? String { expressions.append(query) }
            if let query = (variable["query"] as? [String: Any])?["query"] as? String {
                expressions.append(query)
            }
        }
        var names: Set<String> = []
        let pattern = try Regex("lbd_[a-z_]+")
        for expression in expressions {
            for match in expression.matches(of: pattern) {
                var name = String(expression[match.range])
                for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
                    let base = String(name.dropLast(suffix.count))
                    if histograms.contains(base) { name = base }
                }
                names.insert(name)
            }
        }
        return names
    }
}
