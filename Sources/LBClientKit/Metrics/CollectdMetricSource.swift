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

    /// Runs `collectdctl getval` once per identifier, all runs within one `context.timeout`.
    private func askCollectdctl(_ identifiers: [String], in context: CheckContext) async throws
        -> [String: [CollectdValue]]
    {
        let program = context.system.collectdctl
        let deadline = ContinuousClock.now.advanced(by: context.timeout)
        var answers: [String: [CollectdValue]] = [:]
        for identifier in identifiers {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else {
                throw CheckError(
                    "collectd queries did not finish within \(context.timeout.secondsDescription)")
            }
            let result: CommandResult
            do {
                result = try await context.commands.run(
                    program, arguments: ["getval", identifier], timeout: remaining)
            } catch {
                throw CheckError("collectd value \(identifier): \(error)")
            }
            guard result.succeeded else {
                let reason =
                    result.standardError.split(whereSeparator: \.isNewline).first.map { ": \($0)" } ?? ""
                throw CheckError(
                    "\(program) getval \(identifier) failed (\(result.terminationDescription))\(reason)")
            }
            answers[identifier] = try CollectdValue.parseList(
                result.standardOutput, from: "\(program) getval \(identifier)")
        }
        return answers
    }
}
