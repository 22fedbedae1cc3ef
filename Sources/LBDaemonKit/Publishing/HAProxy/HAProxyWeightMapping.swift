import LBCore

/// How the loads of an alias's chosen members become HAProxy weights: a lower load gives a
/// higher weight, always within `minimum...maximum` (HAProxy accepts 1 to 256 for a server
/// that takes traffic).
///
/// Only chosen members get a weight: the others are drained or in maintenance, whatever their
/// load. Members picked at random (no member usable) have no usable load and all get `maximum`.
public struct HAProxyWeightMapping: Hashable, Sendable {
    public enum Curve: String, Hashable, Sendable, CaseIterable {
        /// `maximum × lowest load ÷ load`: a member with twice the load of the best one gets
        /// half its weight, so traffic shares follow 1/load. The default.
        case inverse
        /// `maximum` for the lowest load, `minimum` for the highest, linear in between.
        case linear
    }

    public static let range = 1...256

    public var minimum: Int
    public var maximum: Int
    public var curve: Curve

    public init(minimum: Int = 1, maximum: Int = 256, curve: Curve = .inverse) {
        self.minimum = minimum
        self.maximum = maximum
        self.curve = curve
    }

    /// The weight of a chosen member with `load`, among chosen members whose usable loads run
    /// from `lowest` to `highest`; `maximum` when `load` is nil (picked at random).
    public func weight(load: Int?, lowest: Int, highest: Int) -> Int {
        guard let load, load > 0, lowest > 0 else { return maximum }
        let value: Double
        switch curve {
        case .inverse:
            value = Double(maximum) * Double(lowest) / Double(load)
        case .linear:
            guard highest > lowest else { return maximum }
            let position = Double(load - lowest) / Double(highest - lowest)
            value = Double(maximum) - position * Double(maximum - minimum)
        }
        return min(maximum, max(minimum, Int(value.rounded())))
    }

    /// The weight of every chosen member of `decision`, by node name.
    public func weights(for decision: Decision) -> [String: Int] {
        let chosen = decision.members.filter(\.isChosen)
        let loads = chosen.compactMap { member -> Int? in
            if case .usable(let load) = member.evaluation.state { return load }
            return nil
        }
        let lowest = loads.min() ?? 0
        let highest = loads.max() ?? 0
        var weights: [String: Int] = [:]
        for member in chosen {
            var load: Int?
            if case .usable(let usable) = member.evaluation.state { load = usable }
            weights[member.node] = weight(load: load, lowest: lowest, highest: highest)
        }
        return weights
    }
}
