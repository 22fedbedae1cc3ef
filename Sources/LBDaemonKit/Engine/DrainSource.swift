import LBCore

/// Where the engine reads the operator's drains from at each decision (`DrainBook`).
public protocol DrainSource: Sendable {
    /// The drains in force at `unixTime` (seconds since 1970).
    func activeDrains(at unixTime: Int) -> [Drain]
}
