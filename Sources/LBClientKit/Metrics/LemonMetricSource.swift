/// Lemon metrics, read with one `lemon-cli --script -m "<ids>"` run per configuration line.
///
/// `[ID]` is the metric's first value, `[ID:N]` its N-th. A metric lemon-cli does not report has
/// no value, which fails the expression only where that value is needed.
public struct LemonMetricSource: MetricSource {
    public init() {}

    public func problem(with reference: String) -> String? {
        do {
            _ = try LemonReference(reference)
            return nil
        } catch {
            return error.message
        }
    }

    public func values(for references: [String], in context: CheckContext) async throws -> MetricValues {
        // golbclient ran `lemon-cli -m ""` even then; there is nothing to ask.
        guard !references.isEmpty else { return [:] }
        var parsed: [(name: String, reference: LemonReference)] = []
        var ids: [String] = []
        for name in references {
            let reference = try LemonReference(name)
            parsed.append((name, reference))
            if !ids.contains(reference.id) { ids.append(reference.id) }
        }

        let program = context.system.lemonCLI
        let idList = ids.joined(separator: " ")
        let result: CommandResult
        do {
            result = try await context.commands.run(
                program, arguments: ["--script", "-m", idList], timeout: context.timeout)
        } catch {
            throw CheckError("lemon metrics \(idList): \(error)")
        }
        guard result.succeeded else {
            throw CheckError(
                "\(program) failed for metrics \(idList) (\(result.terminationDescription))"
                    + Self.firstLine(of: result.standardError))
        }
        guard result.standardOutput.contains(where: { !$0.isWhitespace }) else {
            throw CheckError("\(program) printed nothing for metrics \(idList)")
        }
        let output = try LemonOutput(parsing: result.standardOutput)

        var values: MetricValues = [:]
        for (name, reference) in parsed {
            guard let fields = output.valuesByID[reference.id] else { continue }
            guard reference.valueIndex <= fields.count else {
                throw CheckError(
                    "[\(name)] asks for value \(reference.valueIndex) of lemon metric \(reference.id), which has \(fields.count)"
                )
            }
            values[name] = .number(LemonOutput.number(fields[reference.valueIndex - 1]))
        }
        return values
    }

    private static func firstLine(of text: String) -> String {
        guard
            let line = text.split(whereSeparator: \.isNewline).first(where: { !$0.allSatisfy(\.isWhitespace) }
            )
        else { return "" }
        return ": " + LemonOutput.excerpt(line)
    }
}
