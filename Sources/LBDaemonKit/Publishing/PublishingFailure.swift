/// Why a publication could not be made in one place: the text of a `.failed` result.
struct PublishingFailure: Error, Hashable, Sendable, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
