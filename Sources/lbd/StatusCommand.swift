import ArgumentParser
import Foundation
import LBDaemonKit

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Ask a running lbd what it is doing: its role, partition, peer and last round.",
        discussion: """
            GETs /api/v1/instance from `lbd run`'s HTTP server (http.listen) and prints the role \
            (active or standby) and why, the instance, partition and peer, the heartbeat or lease \
            age, the fencing token when there is one, and the last evaluation round. Exits 0 when \
            lbd answered, 1 when nothing answers at the URL or the answer is not an lbd status. \
            Without --url or --config, asks http://127.0.0.1:8080 (the default http.listen). \
            When lbd asks for a token (http.token_file), --config sends the one in that file, or \
            give --token-file; with http.tls the URL is https:// and the certificate must be one \
            the system trusts.
            """
    )

    @OptionGroup var server: RunningLBDOptions

    @Option(
        help: ArgumentHelp(
            "Take the address from this configuration file's http.listen (0.0.0.0 or :: ask loopback), and the token from its http.token_file.",
            valueName: "file"))
    var config: String?

    @Flag(help: "Print the status as lbd's JSON answer.")
    var json = false

    func validate() throws {
        if server.url != nil, config != nil {
            throw ValidationError("give either --url or --config, not both")
        }
    }

    func run() async throws {
        let (url, configuredTokenFile) = try target()
        let token = try RunningLBDOptions.token(
            in: server.tokenFile ?? configuredTokenFile, command: "status", exitCode: 1)
        let client = InstanceStatusClient(baseURL: url, timeout: server.timeout, token: token)
        let answer: (status: InstanceStatus, json: [UInt8])
        do {
            answer = try await client.fetch()
        } catch {
            printToStandardError("lbd status: \(error)")
            throw ExitCode(1)
        }
        if json {
            var text = String(decoding: answer.json, as: UTF8.self)
            if !text.hasSuffix("\n") { text += "\n" }
            print(text, terminator: "")
        } else {
            print(
                InstanceStatusReport.render(answer.status, url: client.baseURL, now: Date()), terminator: "")
        }
    }

    /// The URL to ask, and the token file the configuration names.
    private func target() throws -> (url: String, tokenFile: String?) {
        guard let config else { return (server.url ?? RunningLBDOptions.defaultURL, nil) }
        let loaded: LoadedConfiguration
        do {
            loaded = try ConfigurationLoader.load(path: config, format: nil)
        } catch {
            printToStandardError(error.description)
            throw ExitCode(1)
        }
        guard let listen = loaded.configuration.http.listen else {
            printToStandardError(
                "lbd status: \(config): http.listen is off, so lbd serves no status; give --url")
            throw ExitCode(1)
        }
        let http = loaded.configuration.http
        return (InstanceStatusClient.baseURL(listeningOn: listen, tls: http.tls != nil), http.tokenFile)
    }
}
