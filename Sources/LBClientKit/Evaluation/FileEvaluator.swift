/// Evaluates one configuration file: its lines concurrently (a bounded number at a time, in file
/// order), with golbclient's sequential result.
///
/// The value is what running the lines one after another would give: the first failing line
/// in file order decides (its keyword's failure code), passing load lines are summed, and a
/// total of exactly 0 is replaced by the built-in default load. Lines after a decided failure
/// are cancelled, which kills the programs they run.
public struct FileEvaluator: Sendable {
    /// How long one line may take.
    public var lineTimeout: Duration
    /// Check-config mode (`-t`): every line runs and failures do not stop the others, but the
    /// value is still the one the node would answer (golbclient added negative loads to the sum
    /// and ignored failed checks, so `-t` hid a failing configuration).
    public var runsEveryLine: Bool

    /// Lines running at once; the next line starts when one ends, in file order, so a file of
    /// many lines holds this many checks (and programs) at a time, not one per line.
    public var maximumConcurrentLines: Int

    public init(
        lineTimeout: Duration = .seconds(30), runsEveryLine: Bool = false, maximumConcurrentLines: Int = 16
    ) {
        self.lineTimeout = lineTimeout
        self.runsEveryLine = runsEveryLine
        self.maximumConcurrentLines = max(1, maximumConcurrentLines)
    }

    /// Evaluates `lines` for `mapping`, giving up on lines still running at `deadline`.
    public func evaluate(
        _ lines: [PreparedLine], for mapping: ConfigMapping, context: CheckContext,
        deadline: ContinuousClock.Instant = .now.advanced(by: .seconds(3600))
    ) async -> FileReport {
        var lineContext = context
        lineContext.aliases = mapping.aliases
        lineContext.isAliasSpecific = mapping.isAliasSpecific
        let outcomes = await runConcurrently(lines, context: lineContext, deadline: deadline)
        let reports = zip(lines, outcomes).map { LineReport(line: $0.line, outcome: $1) }
        return decide(reports, mapping: mapping, context: lineContext)
    }

    private func runConcurrently(
        _ lines: [PreparedLine], context: CheckContext, deadline: ContinuousClock.Instant
    ) async -> [LineOutcome] {
        var outcomes = [LineOutcome?](repeating: nil, count: lines.count)
        await withTaskGroup(of: (Int, LineOutcome).self) { group in
            var next = 0
            func startNextLine() {
                guard next < lines.count else { return }
                let index = next
                let prepared = lines[index]
                next += 1
                group.addTask {
                    let remaining = ContinuousClock.now.duration(to: deadline)
                    let timeout = max(.zero, min(lineTimeout, remaining))
                    var checkContext = context
                    checkContext.timeout = timeout
                    let frozen = checkContext
                    do {
                        let result = try await withDeadline(timeout) {
                            try await prepared.check.run(in: frozen)
                        }
                        return (index, .finished(result))
                    } catch is DeadlineExceeded {
                        return (index, .timedOut(timeout))
                    } catch let error as CommandError {
                        if case .timedOut(_, let after) = error { return (index, .timedOut(after)) }
                        return (index, .error(error.description))
                    } catch is CancellationError {
                        return (index, .skipped)
                    } catch {
                        return (index, .error("\(error)"))
                    }
                }
            }
            for _ in 0..<maximumConcurrentLines { startNextLine() }
            for await (index, outcome) in group {
                outcomes[index] = outcome
                if !runsEveryLine, decidedPrefix(outcomes) {
                    // Lines not started stay `nil`, reported as not evaluated.
                    group.cancelAll()
                    next = lines.count
                }
                startNextLine()
            }
        }
        return outcomes.map { $0 ?? .skipped }
    }

    /// True when the lines finished so far already fix the value: a failure with every earlier
    /// line done. Later lines cannot change it.
    private func decidedPrefix(_ outcomes: [LineOutcome?]) -> Bool {
        for outcome in outcomes {
            guard let outcome else { return false }
            if outcome.isFailure { return true }
        }
        return false
    }

    private func decide(_ reports: [LineReport], mapping: ConfigMapping, context: CheckContext) -> FileReport
    {
        var total = 0
        var reports = reports
        var failure: (index: Int, report: LineReport)?
        for (index, report) in reports.enumerated() {
            if failure != nil {
                // Golbclient never ran these; whatever they did is not part of the answer.
                if !runsEveryLine { reports[index].outcome = .skipped }
                continue
            }
            switch report.outcome {
            case .finished(let result) where result.passed:
                if report.line.verb == .load { total += result.value }
            case .skipped:
                continue
            default:
                failure = (index, report)
            }
        }
        if let failure {
            let line = failure.report.line
            return FileReport(
                mapping: mapping, value: line.keyword.failureValue,
                reason: "line \(line.lineNumber) `\(line.text.trimmed)` \(failure.report.outcome.summary)",
                lines: reports)
        }
        if total == 0 {
            let defaultLoad = DefaultLoad(system: context.system).compute()
            return FileReport(
                mapping: mapping, value: defaultLoad.value,
                reason: "no load line gave a load, so the built-in load formula gives \(defaultLoad.value)",
                lines: reports, defaultLoad: defaultLoad)
        }
        let value = max(Int(Int32.min), min(Int(Int32.max), total))
        return FileReport(
            mapping: mapping, value: value, reason: "every check passed; load lines sum to \(value)",
            lines: reports)
    }
}

extension String {
    /// Without the blanks at either end. Found by index searches: dropping one character at a
    /// time from the end costs the length of the line each time (the fuzzer found a line of
    /// 13,000 blanks taking a second).
    var trimmed: String {
        guard let first = firstIndex(where: { !$0.isWhitespace }),
            let last = lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(self[first...last])
    }
}
