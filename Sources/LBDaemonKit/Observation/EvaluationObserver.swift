/// Told of every batch the engine finishes: the history recorder and the metrics.
///
/// The engine awaits `observe` after publishing, so an observer must return at once: one that
/// writes somewhere slow (a database) queues the round and writes it from a task of its own,
/// so that a broken or full store never delays polling or publishing.
public protocol EvaluationObserver: Sendable {
    func observe(_ round: EvaluationRound) async
}
