import LBClientKit
import Logging

/// `lbclient --pass-persist`: answers snmpd on stdin/stdout until snmpd closes the pipe.
struct PassPersistLoop {
    let evaluator: ClientEvaluator
    let cacheTime: Duration
    /// Receivers to tell of changes (`--notify`), evaluating in the background; none by default.
    let notifiers: [LoadChangeNotifier]
    let notify: NotifyOptions
    let options: ClientOptions
    let logger: Logger

    func run() async throws {
        let evaluator = evaluator
        let cache = AnswerCache(maximumAge: cacheTime) { await evaluator.answerIfAny() }
        // Evaluate before snmpd asks, so even the first request is answered from the cache.
        await cache.startRefresh()
        let background = notify.startBackgroundEvaluation(
            notifiers: notifiers, cache: cache, options: options, logger: logger)
        await answer(from: cache)
        // Awaited, not left to a task the exit would outrun: the senders' sockets close and the
        // watcher is told to stop before lbclient returns.
        await background?.stop()
    }

    /// Answers snmpd's requests until it closes the pipe or says goodbye.
    private func answer(from cache: AnswerCache) async {
        var session = PassPersistSession()
        for await line in LineReader(descriptor: 0) {
            switch session.receive(line) {
            case .reply(let text):
                StandardOutput.write(text)
            case .answer:
                if let answer = await cache.answer() {
                    StandardOutput.write(answer.rendered)
                } else {
                    StandardOutput.write("NONE\n")
                }
            case .readMore:
                continue
            case .finish:
                return
            }
        }
        logger.debug("snmpd closed the pass_persist pipe")
    }
}
