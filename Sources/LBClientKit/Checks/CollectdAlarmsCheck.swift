import Foundation
import Logging

/// `check collectd_alarms [{"<identifier>": "<state>" | ["<state>", ...]}, ...]`: passes when
/// every listed collectd value is in one of the states allowed for it (collectd's threshold
/// plugin sets the states `okay`, `warning`, `failure` and `unknown`).
///
/// Every object of the array is checked; golbclient silently checked only the first. For each
/// distinct state, `collectdctl listval state=<state>` lists the identifiers in that state (one
/// `host/plugin/type` per line); the host part, up to the first `/`, is dropped since the file
/// names values of this node. The JSON is validated when the file is read.
public struct CollectdAlarmsCheck: Check {
    /// One collectd identifier (without the host) and the states that count as healthy for it.
    public struct Alarm: Sendable, Hashable {
        public var identifier: String
        public var acceptedStates: [String]
    }

    /// Every identifier of every object, in identifier order within each object.
    public let alarms: [Alarm]

    public init(line: ConfigLine) throws {
        let arguments = line.arguments
        // The greedy `\[.*\]` of golbclient: text around the brackets is ignored.
        guard let open = arguments.firstIndex(of: "["), let close = arguments.lastIndex(of: "]"), open < close
        else {
            throw line.error(
                #"collectd_alarms needs a JSON array of objects, e.g. [{"load/load": "okay"}]"#)
        }
        let offset = arguments.distance(from: arguments.startIndex, to: open)
        let json = arguments[open...close]
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(json.utf8))
        } catch {
            throw line.error("collectd_alarms: invalid JSON: \(Self.reason(error))", atArgumentOffset: offset)
        }
        guard let objects = parsed as? [Any], !objects.isEmpty else {
            throw line.error("collectd_alarms: the array lists no alarm", atArgumentOffset: offset)
        }
        var alarms: [Alarm] = []
        for (position, element) in objects.enumerated() {
            guard let object = element as? [String: Any] else {
                throw line.error(
                    "collectd_alarms: element \(position + 1) of the array is not an object",
                    atArgumentOffset: offset)
            }
            for (identifier, value) in object.sorted(by: { $0.key < $1.key }) {
                let keyOffset = Self.offset(of: identifier, in: json).map { offset + $0 } ?? offset
                alarms.append(
                    Alarm(
                        identifier: identifier,
                        acceptedStates: try Self.states(value, of: identifier, line: line, offset: keyOffset))
                )
            }
        }
        self.alarms = alarms
    }

    public func run(in context: CheckContext) async throws -> CheckResult {
        if alarms.isEmpty { return .pass("no collectd alarm listed") }
        let statesByIdentifier = try await Self.currentStates(
            Set(alarms.flatMap(\.acceptedStates)), in: context)
        for alarm in alarms {
            let current = statesByIdentifier[alarm.identifier] ?? []
            if current.isDisjoint(with: alarm.acceptedStates) {
                let expected = alarm.acceptedStates.joined(separator: " or ")
                if current.isEmpty {
                    return .fail("collectd value \(alarm.identifier) is not in state \(expected)")
                }
                let actual = current.sorted().joined(separator: ", ")
                return .fail("collectd value \(alarm.identifier) is in state \(actual), expected \(expected)")
            }
        }
        return .pass("\(alarms.count) collectd values are in an accepted state")
    }

    /// The states each identifier (host part removed) is listed under, asking collectdctl once
    /// per state, all at once.
    ///
    /// A set rather than golbclient's last writer: an identifier listed under two states (it
    /// changed between two calls) passes if either is accepted, whatever order the calls end in.
    static func currentStates(_ states: Set<String>, in context: CheckContext) async throws -> [String: Set<
        String
    >] {
        try await withThrowingTaskGroup(of: (String, [String]).self) { group in
            for state in states {
                group.addTask { (state, try await listIdentifiers(in: state, context: context)) }
            }
            var result: [String: Set<String>] = [:]
            for try await (state, identifiers) in group {
                for identifier in identifiers { result[identifier, default: []].insert(state) }
            }
            return result
        }
    }

    private static func listIdentifiers(in state: String, context: CheckContext) async throws -> [String] {
        let collectdctl = context.system.collectdctl
        let arguments = ["listval", "state=\(state)"]
        let result: CommandResult
        do {
            result = try await context.commands.run(
                collectdctl, arguments: arguments, timeout: context.timeout)
        } catch let error as CommandError {
            if case .launchFailed = error { throw CheckError(error.description) }
            throw error
        }
        guard result.succeeded else {
            let reason = result.standardError.split(whereSeparator: \.isNewline).first.map { ": \($0)" } ?? ""
            throw CheckError(
                "\(collectdctl) listval state=\(state) failed with \(result.terminationDescription)\(reason)")
        }
        return identifiers(inListval: result.standardOutput, logger: context.logger)
    }

    /// The identifiers of a `listval` output, each line's text after its first `/`.
    static func identifiers(inListval output: String, logger: Logger? = nil) -> [String] {
        output.split(whereSeparator: \.isNewline).compactMap { rawLine in
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { return nil }
            // golbclient crashed on such a line (and reported a timeout); it names no value.
            guard let slash = line.firstIndex(of: "/") else {
                logger?.debug(
                    "collectdctl listval line without a host ignored", metadata: ["line": "\(line)"])
                return nil
            }
            return String(line[line.index(after: slash)...])
        }
    }

    private static func states(_ value: Any, of identifier: String, line: ConfigLine, offset: Int) throws
        -> [String]
    {
        if let state = value as? String { return [state] }
        if let list = value as? [Any] {
            let states = list.compactMap { $0 as? String }
            guard states.count == list.count else {
                throw line.error(
                    "collectd_alarms: the states of \(identifier) must be strings", atArgumentOffset: offset)
            }
            // An empty list can never be satisfied: certainly a mistake, better said now.
            guard !states.isEmpty else {
                throw line.error(
                    "collectd_alarms: no state listed for \(identifier)", atArgumentOffset: offset)
            }
            return states
        }
        throw line.error(
            "collectd_alarms: the state of \(identifier) must be a string or an array of strings",
            atArgumentOffset: offset)
    }

    /// Where `"<key>"` first appears in the JSON text, so errors point at the right column.
    private static func offset(of key: String, in json: Substring) -> Int? {
        guard let range = json.range(of: "\"\(key)\"") else { return nil }
        return json.distance(from: json.startIndex, to: range.lowerBound)
    }

    private static func reason(_ error: any Error) -> String {
        (error as NSError).userInfo["NSDebugDescription"] as? String ?? "\(error)"
    }
}
