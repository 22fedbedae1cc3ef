import Synchronization

/// Hands out the positions of a list to workers, each once.
final class NodeCursor: Sendable {
    private let position = Atomic<Int>(0)

    /// The next position not handed out yet (past the end once all are).
    func next() -> Int {
        position.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    /// Positions handed out so far (may pass the end).
    var handedOut: Int { position.load(ordering: .relaxed) }
}
