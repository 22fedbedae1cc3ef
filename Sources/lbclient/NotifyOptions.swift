import ArgumentParser
import Foundation
import LBClientKit
import Logging
import SNMP

/// `--notify` and its companions, shared by `--pass-persist` and `lbclient agent`, with
/// `--snmp-config` (which both read).
///
/// One group type for both commands, for the reason ``CacheTimeOption`` gives: a parent command
/// reads options written after a subcommand's name.
struct NotifyOptions: ParsableArguments {
    @Option(
        name: .customLong("snmp-config"),
        help:
            "Communities and v3 users, in snmpd.conf syntax (rocommunity, rocommunity6, createUser, rouser, engineID). The agent answers them; --notify takes its credentials from them. (default: none)"
    )
    var snmpConfig: String?

    @Option(
        name: .customLong("notify"),
        help:
            "With --pass-persist or agent: tell lbd's notification listener at HOST[:PORT] (port 162 by default; [v6]:PORT) at once when the answer changes; repeatable. (default: none)"
    )
    var receivers: [String] = []

    @Option(
        name: .customLong("notify-interval"),
        help:
            "How often to re-evaluate the node in the background to spot a change, at least 100ms; a change to /etc/nologin and the configuration files is seen at once on Linux (default: 1s).",
        transform: parseDuration)
    var interval: Duration = .seconds(1)

    @Option(
        name: .customLong("notify-change"),
        help:
            "Notify when a usable load moves by more than this share of the last one told, e.g. 20%; off notifies only when an alias turns usable or unusable, appears or disappears (default: 50%).",
        transform: parseShare)
    var loadShare: Share = .percent(LoadChangeDetector.defaultLoadShare * 100)

    @Option(
        name: .customLong("notify-user"),
        help:
            "The createUser user of --snmp-config to send SNMPv3 INFORMs as: the user lbd polls with (default: the first createUser)."
    )
    var user: String?

    @Option(
        name: .customLong("notify-community"),
        help: "Send SNMPv2c traps with this community instead of INFORMs (default: none, INFORMs).")
    var community: String?

    @Option(
        name: .customLong("notify-source"),
        help:
            "Send notifications from this local address, the one lbd knows the node by (default: chosen by the system)."
    )
    var sourceAddress: String?

    enum Share: Equatable {
        case off
        case percent(Double)
    }

    func validate() throws {
        for receiver in receivers where NotifyReceiver(receiver) == nil {
            throw ValidationError("--notify `\(receiver)` is not HOST[:PORT] (use [::1]:162 for IPv6)")
        }
        guard interval >= BackgroundEvaluation.minimumInterval else {
            throw ValidationError("--notify-interval must be at least 100ms")
        }
        if user != nil && community != nil {
            throw ValidationError("give --notify-user (INFORMs) or --notify-community (traps), not both")
        }
    }

    /// The notifiers `--notify` asks for, or none; throws an exit status after printing why the
    /// credentials cannot be found.
    func makeNotifiers(logger: Logger) throws -> [LoadChangeNotifier] {
        guard !receivers.isEmpty else { return [] }
        let credentials = try self.credentials()
        let detector: LoadChangeDetector
        switch loadShare {
        case .off: detector = LoadChangeDetector(loadShare: nil)
        case .percent(let percent): detector = LoadChangeDetector(loadShare: percent / 100)
        }
        let keyCache = USMKeyCache()
        return receivers.compactMap(NotifyReceiver.init).map { receiver in
            LoadChangeNotifier(
                sender: SNMPLoadNotificationSender(
                    host: receiver.host, port: receiver.port, credentials: credentials,
                    sourceAddress: sourceAddress, keyCache: keyCache),
                detector: detector, logger: logger)
        }
    }

    /// Starts the background evaluation for `notifiers` (from ``makeNotifiers(logger:)``); nil
    /// when there are none.
    func startBackgroundEvaluation(
        notifiers: [LoadChangeNotifier], cache: AnswerCache, options: ClientOptions, logger: Logger
    ) -> BackgroundEvaluation? {
        guard !notifiers.isEmpty else { return nil }
        let discovery = ConfigDiscovery(
            directory: options.configDirectory, aliasesFile: options.aliasesFile,
            defaultName: options.configName)
        let background = BackgroundEvaluation(
            cache: cache, notifiers: notifiers, interval: interval,
            watchedDirectories: BackgroundEvaluation.directoriesToWatch(
                system: options.system, discovery: discovery),
            logger: logger)
        background.start()
        for notifier in notifiers {
            logger.notice("notifying \(notifier.sender.receiverDescription) of changes")
        }
        return background
    }

    private func credentials() throws -> SNMPCredentials {
        if let community { return .community(community) }
        guard let snmpConfig else {
            throw ValidationError(
                "--notify needs --snmp-config (its createUser user sends INFORMs) or --notify-community")
        }
        let access = try AccessFileReading.read(snmpConfig)
        let chosen = user.map { name in access.users.first { $0.name == name } } ?? access.users.first
        guard let chosen else {
            if let user {
                throw ValidationError(
                    "--notify-user \(user): \(snmpConfig) has no `createUser \(user) ...` line")
            }
            throw ValidationError(
                "--notify: \(snmpConfig) has no createUser line to send INFORMs as; add the user lbd polls with, or give --notify-community"
            )
        }
        guard chosen.authentication != nil else {
            throw ValidationError(
                "--notify: the user \(chosen.name) has no password; lbd accepts only authenticated INFORMs")
        }
        return .user(chosen)
    }
}

/// Reads and parses the `--snmp-config` file, printing its errors.
enum AccessFileReading {
    static func read(_ path: String) throws -> AgentAccessFile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ValidationError("cannot read \(path): \(error.localizedDescription)")
        }
        switch AgentAccessFile.parse(text, path: path) {
        case .failure(let errors):
            printToStandardError(errors.description)
            throw ExitCode(1)
        case .success(let parsed):
            return parsed
        }
    }
}

/// `HOST[:PORT]` of a notification receiver: port 162 by default, IPv6 hosts in brackets.
struct NotifyReceiver {
    static let defaultPort = 162
    var host: String
    var port: Int

    init?(_ text: String) {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.isEmpty {
                port = Self.defaultPort
            } else {
                guard rest.hasPrefix(":"), let port = Int(rest.dropFirst()) else { return nil }
                self.port = port
            }
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            host = String(text[..<colon])
            guard let port = Int(text[text.index(after: colon)...]) else { return nil }
            self.port = port
        } else {
            // No colon, or a bare IPv6 address.
            host = text
            port = Self.defaultPort
        }
        guard !host.isEmpty, (1...65535).contains(port) else { return nil }
    }
}

/// `20%` or `off`.
func parseShare(_ text: String) throws -> NotifyOptions.Share {
    if text.lowercased() == "off" { return .off }
    guard text.hasSuffix("%"), let number = Double(text.dropLast()), number.isFinite, number >= 0 else {
        throw ValidationError("`\(text)` is not a share; write e.g. 20% or off")
    }
    return .percent(number)
}
