/// Why a record of `decisions.json` could not be read back: a sentence naming the value.
struct DecisionRecordError: Error, Hashable, Sendable {
    var reason: String

    init(_ reason: String) {
        self.reason = reason
    }
}
