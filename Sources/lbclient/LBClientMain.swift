import ArgumentParser
import Dispatch
import Glibc
import LBClientKit
import LBCore
import Logging

/// lbclient's entry point. snmpd's `pass` starts lbclient for every request, so the common
/// one-shot command lines skip swift-argument-parser (``OneShotArguments``); every other command
/// line, and every error, goes through ``LBClientCommand`` as before.
///
/// `main` is synchronous on purpose. An `async` main hands the main thread to `dispatch_main`,
/// whose `pthread_exit` unwinds the main thread's stack through libgcc and keeps one more
/// thread alive. The one-shot path instead reads its configuration on the main thread, runs the
/// checks as a task while the main thread serves their timeouts (``OneShotRun``), and that task
/// exits once the answer is written; the other command lines still get `dispatch_main`, as an
/// `async` main gave them.
@main
enum LBClientMain {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let oneShot = OneShotArguments(arguments) else {
            Task.detached {
                await LBClientCommand.main(arguments)
                exit(0)
            }
            dispatchMain()
        }
        if oneShot.printVersion {
            print("lbclient version \(ProductVersion.current)")
            return
        }
        let logger: Logger
        do {
            logger = try oneShot.settings.makeLogger()
        } catch {
            // The same message and exit status as swift-argument-parser gives for this error.
            LBClientCommand.exit(withError: error)
        }
        let evaluator = oneShot.settings.makeEvaluator(logger: logger)
        let plan: ClientEvaluator.Plan
        do throws(DiscoveryError) {
            plan = try evaluator.plan()
        } catch {
            LBClientCommand.exit(withError: LBClientCommand.discoveryFailed(error, logger: logger))
        }
        let failure = OneShotRun.wait {
            do {
                try await LBClientCommand.answerOnce(
                    plan, evaluator: evaluator, postFile: oneShot.postFile, logger: logger)
                // The answer is out (written unbuffered): leave from here rather than wake the
                // main thread to return from `main`, which costs a thread switch on every poll.
                exit(0)
            } catch {
                return error
            }
        }
        if let failure {
            LBClientCommand.exit(withError: failure)
        }
    }
}
