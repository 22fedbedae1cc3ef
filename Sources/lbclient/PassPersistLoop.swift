import LBClientKit
import Logging

/// `lbclient --pass-persist`: answers snmpd on stdin/stdout until snmpd closes the pipe.
struct PassPersistLoop {
    let evaluator: ClientEvaluator
    let cacheTime: Duration
    let logger: Logger

    func run() async throws {
        let evaluator = evaluator
        let cache = AnswerCache(maximumAge: cacheTime) { await evaluator.answerIfAny() }
        // Evaluate before snmpd asks, so even the first request is answered from the cache.
        await cache.startRefresh()
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
