/// An alias in one place it is published in (`internal view`, `external view`, `embedded
/// zone`...): the records there as lbd last published or loaded them, and what the last
/// evaluation's publication did there.
public struct DNSPlaceState: Hashable, Sendable, Codable {
    public var target: String
    /// The addresses the place shows, as lbd last wrote or loaded them; absent when unknown.
    public var records: [String]?
    /// What the last publication did: `unchanged`, `updated`, `would-update`, `failed`; absent
    /// when the last evaluation did not publish there (standby, keep).
    public var lastAction: String?
    /// The addresses the place showed before the last publication, when read.
    public var previous: [String]?
    /// The `PublishingFailure` code when it failed (`refused`, `timeout`, `not_auth`...).
    public var errorCode: String?
    /// The failure as a sentence (never a key or a password).
    public var error: String?

    /// One entry per place, sorted: the places with records, and those the last evaluation
    /// published to.
    static func places(records: [String: [String]], results: [PublicationResult]) -> [DNSPlaceState] {
        var byTarget: [String: DNSPlaceState] = [:]
        for (target, addresses) in records {
            byTarget[target] = DNSPlaceState(target: target, records: addresses.sorted())
        }
        for result in results {
            var place = byTarget[result.target] ?? DNSPlaceState(target: result.target)
            place.previous = result.previous?.map(\.description)
            place.lastAction = result.action.code
            if case .failed(let failure) = result.action {
                place.errorCode = failure.code.rawValue
                place.error = failure.message
            }
            byTarget[result.target] = place
        }
        return byTarget.values.sorted { $0.target < $1.target }
    }

    init(target: String, records: [String]? = nil) {
        self.target = target
        self.records = records
    }
}
