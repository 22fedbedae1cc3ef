import ArgumentParser
import LBCore

/// lbclient's entry point. snmpd's `pass` starts lbclient for every request, so the common
/// one-shot command lines skip swift-argument-parser (``OneShotArguments``); every other command
/// line, and every error, goes through ``LBClientCommand`` as before.
@main
enum LBClientMain {
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let oneShot = OneShotArguments(arguments) else {
            await LBClientCommand.main(arguments)
            return
        }
        if oneShot.printVersion {
            print("lbclient version \(ProductVersion.current)")
            return
        }
        do {
            let logger = try oneShot.settings.makeLogger()
            let evaluator = oneShot.settings.makeEvaluator(logger: logger)
            try await LBClientCommand.answerOnce(
                evaluator: evaluator, postFile: oneShot.postFile, logger: logger)
        } catch {
            // The same message and exit status as swift-argument-parser gives for this error.
            LBClientCommand.exit(withError: error)
        }
    }
}
