/// collectd values, read from collectd's `unixsock` socket when it exists, with
/// `collectdctl getval <identifier>` otherwise (and always for a name without a slash, which the
/// socket cannot take); one query per distinct identifier per line.
///
/// References are `[identifier]`, `[identifier:N]` (the N-th value) or `[identifier:name]`.
/// A value collectd cannot give is an error, as in golbclient.
public struct CollectdMetricSource: MetricSource {
    public init() {}

    public func problem(with reference: String) -> String? {
        do {
            _ = try CollectdReference(reference)
            return nil
        } catch {
            return error.message
        }
    }

    public func values(for references: [String], in context: CheckContext) async throws -> MetricValues {
        guard !references.isEmpty else { return [:] }
        var parsed: [(name: String, reference: CollectdReference)] = []
        var identifiers: [String] = []
        for name in references {
            let reference = try CollectdReference(name)
            parsed.append((name, reference))
            if !identifiers.contains(reference.identifier) { identifiers.append(reference.identifier) }
        }

        var answers: [String: [CollectdValue]] = [:]
        let socket = context.system.collectdSocket
        var forCollectdctl = identifiers
        if CollectdSocketClient.isSocket(at: socket) {
            let full = parsed.map(\.reference).filter(\.isSocketIdentifier).map(\.identifier)
            let viaSocket = identifiers.filter { full.contains($0) }
            forCollectdctl = identifiers.filter { !full.contains($0) }
            if !viaSocket.isEmpty {
                answers = try await CollectdSocketClient(path: socket).values(
                    of: viaSocket, timeout: context.timeout)
            }
        }
        if !forCollectdctl.isEmpty {
            answers.merge(try await askCollectdctl(forCollectdctl, in: context)) { $1 }
        }

        var values: MetricValues = [:]
        for (name, reference) in parsed {
            values[name] = .number(try reference.select(from: answers[reference.identifier] ?? []))
        }
        return values
    }

    /// What one `collectdctl getval` run gave. Its own enum rather than a `Result`: instantiating
    /// that generic type makes the Swift runtime search every protocol conformance of the
    /// executable the first time, a measurable part of a one-shot run.
    private enum QueryOutcome: Sendable {
        case values([CollectdValue])
        case failed(CheckError)
    }

    /// `collectdctl` runs at once for one line's identifiers.
    static let maximumConcurrentQueries = 4

    /// Runs `collectdctl getval` once per identifier, all runs within one `context.timeout`.
    ///
    /// The runs overlap (a few at a time) but the outcome is the one of running them in order:
    /// the first identifier that fails, in expression order, is the error reported, and runs
    /// after it are cancelled once every earlier one has answered.
    private func askCollectdctl(_ identifiers: [String], in context: CheckContext) async throws
        -> [String: [CollectdValue]]
    {
        let program = context.system.collectdctl
        let deadline = ContinuousClock.now.advanced(by: context.timeout)
        let commands = context.commands
        let timeout = context.timeout
        var outcomes = [QueryOutcome?](repeating: nil, count: identifiers.count)
        await withTaskGroup(of: (Int, QueryOutcome).self) { group in
            var next = 0
            func startNextQuery() {
                guard next < identifiers.count else { return }
                let index = next
                next += 1
                group.addTask {
                    let outcome = await Self.ask(
                        program, identifiers[index], commands: commands, deadline: deadline, timeout: timeout)
                    return (index, outcome)
                }
            }
            for _ in 0..<Self.maximumConcurrentQueries { startNextQuery() }
            for await (index, outcome) in group {
                outcomes[index] = outcome
                if Self.firstFailureIsKnown(outcomes) {
                    group.cancelAll()
                    next = identifiers.count
                }
                startNextQuery()
            }
        }
        var answers: [String: [CollectdValue]] = [:]
        for (identifier, outcome) in zip(identifiers, outcomes) {
            // Only queries after a failure can be missing, and that failure is thrown first.
            switch outcome {
            case .values(let values): answers[identifier] = values
            case .failed(let error): throw error
            case nil: break
            }
        }
        return answers
    }

    /// True when a failure has been seen and every query before it has answered.
    private static func firstFailureIsKnown(_ outcomes: [QueryOutcome?]) -> Bool {
        for outcome in outcomes {
            guard let outcome else { return false }
            if case .failed = outcome { return true }
        }
        return false
    }

    /// One `collectdctl getval identifier` run, with the messages the sequential runs gave.
    private static func ask(
        _ program: String, _ identifier: String, commands: any CommandRunning,
        deadline: ContinuousClock.Instant, timeout: Duration
    ) async -> QueryOutcome {
        let remaining = ContinuousClock.now.duration(to: deadline)
        guard remaining > .zero else {
            return .failed(
                CheckError("collectd queries did not finish within \(timeout.secondsDescription)"))
        }
        let result: CommandResult
        do {
            result = try await commands.run(program, arguments: ["getval", identifier], timeout: remaining)
        } catch {
            return .failed(CheckError("collectd value \(identifier): \(error)"))
        }
        guard result.succeeded else {
            let reason = result.standardError.split(whereSeparator: \.isNewline).first.map { ": \($0)" } ?? ""
            return .failed(
                CheckError(
                    "\(program) getval \(identifier) failed (\(result.terminationDescription))\(reason)"))
        }
        do throws(CheckError) {
            return .values(
                try CollectdValue.parseList(result.standardOutput, from: "\(program) getval \(identifier)"))
        } catch {
            return .failed(error)
        }
    }
}
