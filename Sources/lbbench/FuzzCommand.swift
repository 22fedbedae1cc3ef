import ArgumentParser
import Foundation
import ProcessSpawning

/// `lbbench fuzz`: every decoder of untrusted bytes gets seeded mutations of valid inputs, random
/// inputs, and cost-guided inputs (a hill climb toward the most CPU per octet). Each target runs
/// in a child process (this program again, with `--child`), so that a crash or a hang is counted
/// and its input saved rather than ending the run.
struct FuzzCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz",
        abstract: "Feeds mutated, random and cost-guided inputs to every decoder of untrusted bytes.",
        discussion: "Targets: \(FuzzTarget.names.joined(separator: ", ")).")

    @Option(help: "Inputs per target.")
    var inputs = 1_000_000

    @Option(help: "Seed of the input generator; the same seed draws the same inputs.")
    var seed: UInt64 = 1

    @Option(help: "Run only this target (see the list above).")
    var target: String?

    @Option(help: "Directory for the worst, crashing and hanging inputs and the summary.")
    var out = "fuzz-out"

    @Option(help: "Seconds one input may take before the child counts as hung.")
    var deadline: Double = 1

    @Option(
        help: "Stop a target after this many seconds even before --inputs (the report says how many ran).")
    var maxSeconds: Double?

    @Option(help: "Run the input in this file through --target three times and print the CPU each took.")
    var replay: String?

    @Flag(help: .hidden)
    var child = false

    @Option(help: .hidden)
    var start = 0

    func validate() throws {
        guard inputs > 0 else { throw ValidationError("--inputs must be positive") }
        if let target, !FuzzTarget.names.contains(target) {
            throw ValidationError(
                "unknown target '\(target)'; targets: \(FuzzTarget.names.joined(separator: ", "))")
        }
        if child, target == nil { throw ValidationError("--child needs --target") }
    }

    func run() async throws {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        if child {
            try await runChild()
            return
        }
        if let replay {
            try await self.replay(replay)
            return
        }
        var rows: [String] = []
        print(FuzzReport.header)
        for name in target.map({ [$0] }) ?? FuzzTarget.names {
            let row = try fuzz(name)
            print(row)
            // Rows appear as each target ends, even when the output goes to a file.
            fflush(nil)
            rows.append(row)
        }
        let summary = ([FuzzReport.header] + rows).joined(separator: "\n") + "\n"
        try summary.write(toFile: "\(out)/summary.md", atomically: true, encoding: .utf8)
    }

    private func runChild() async throws {
        guard let name = target, let fuzzTarget = FuzzTarget.named(name) else { return }
        let state = try FuzzSharedState(path: statePath(name), capacity: 1 << 20, create: false)
        let runner = FuzzRunner(
            target: fuzzTarget, seed: seed, state: state, resultPath: "\(out)/.\(name)-segment.json",
            wallClockLimit: maxSeconds.map { .seconds($0) })
        try await runner.run(start: start, end: inputs)
    }

    private func replay(_ path: String) async throws {
        guard let name = target, let fuzzTarget = FuzzTarget.named(name) else {
            throw ValidationError("--replay needs --target")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BenchmarkError("cannot read \(path)")
        }
        let input = [UInt8](data)
        print(fuzzTarget.describe(input))
        for _ in 0..<3 {
            let before = processCPUNanoseconds()
            let output = await fuzzTarget.run(input)
            let spent = Double(processCPUNanoseconds() - before) / 1000
            print(String(format: "%.1f µs CPU, output size %d", spent, output))
        }
    }

    private func statePath(_ name: String) -> String { "\(out)/.\(name).state" }

    /// Runs one target to the end in as many children as crashes and hangs require.
    private func fuzz(_ name: String) throws -> String {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let state = try FuzzSharedState(path: statePath(name), capacity: 1 << 20, create: true)
        var report = FuzzReport(target: name, decoder: FuzzTarget.named(name)?.decoder ?? name)
        let began = ContinuousClock.now
        var next = 0
        while next < inputs {
            let remaining = maxSeconds.map { $0 - Self.seconds(ContinuousClock.now - began) }
            if let remaining, remaining <= 0 { break }
            let segmentPath = "\(out)/.\(name)-segment.json"
            try? FileManager.default.removeItem(atPath: segmentPath)
            state.completed = 0
            var arguments = [
                "fuzz", "--child", "--target", name, "--seed", "\(seed)", "--inputs", "\(inputs)", "--start",
                "\(next)",
                "--out", out,
            ]
            if let remaining { arguments += ["--max-seconds", "\(remaining)"] }
            let process = try ChildProcess(
                executable, arguments: arguments, standardOutput: .inherited, standardError: .inherited)
            let outcome = watch(process, state: state)
            if let data = FileManager.default.contents(atPath: segmentPath),
                let segment = try? JSONDecoder().decode(FuzzSegmentResult.self, from: data)
            {
                report.add(segment)
            }
            report.peakRSSKiB = max(report.peakRSSKiB, state.peakRSSKiB)
            let done = Int(state.completed)
            switch outcome {
            case .finished:
                // The segment file holds every input of a finished child.
                report.inputs = max(report.inputs, next + done)
                next = inputs
            case .crashed(let termination):
                report.crashes += 1
                let file = "\(out)/\(name)-crash-\(report.crashes).bin"
                FileManager.default.createFile(atPath: file, contents: Data(state.current))
                report.notes.append("crash (\(termination)) at input \(next + done), saved in \(file)")
                next += done + 1
                report.inputs = next
            case .hung:
                report.hangs += 1
                let file = "\(out)/\(name)-hang-\(report.hangs).bin"
                FileManager.default.createFile(atPath: file, contents: Data(state.current))
                report.notes.append("hang (over \(deadline) s) at input \(next + done), saved in \(file)")
                next += done + 1
                report.inputs = next
            }
            if report.crashes + report.hangs > 50 {
                report.notes.append("stopped after 50 crashes and hangs")
                break
            }
        }
        report.elapsedSeconds = Self.seconds(ContinuousClock.now - began)
        if !report.worstInput.isEmpty || report.worstCPUNanoseconds > 0 {
            let file = "\(out)/\(name)-worst-cpu.bin"
            FileManager.default.createFile(atPath: file, contents: Data(report.worstInput))
            report.worstDescription =
                (FuzzTarget.named(name)?.describe(report.worstInput) ?? "")
                + " (\(report.worstOrigin)); \(file)"
        }
        try? FileManager.default.removeItem(atPath: statePath(name))
        try? FileManager.default.removeItem(atPath: "\(out)/.\(name)-segment.json")
        return report.row
    }

    private enum Outcome {
        case finished
        case crashed(ProcessTermination)
        case hung
    }

    /// Waits for the child, killing it when its count of finished inputs stops moving for longer
    /// than the deadline.
    private func watch(_ process: ChildProcess, state: FuzzSharedState) -> Outcome {
        var lastCount = state.completed
        var lastChange = ContinuousClock.now
        // Building a target (USM keys, zones) takes a moment before the first input.
        var grace = Duration.seconds(max(10, deadline))
        while true {
            if let termination = process.wait(timeout: .milliseconds(20)) {
                return termination == .exited(0) ? .finished : .crashed(termination)
            }
            let count = state.completed
            if count != lastCount {
                lastCount = count
                lastChange = .now
                grace = .seconds(deadline)
            } else if ContinuousClock.now - lastChange > grace {
                _ = process.kill()
                return .hung
            }
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// One target's figures, summed over its children.
struct FuzzReport {
    static let header = """
        | target | inputs | crashes | hangs | peak RSS | mean CPU/input | worst CPU/input | worst CPU/octet | largest output | seconds | worst input |
        |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|
        """

    let target: String
    let decoder: String
    var inputs = 0
    var crashes = 0
    var hangs = 0
    var peakRSSKiB: UInt64 = 0
    var totalCPUNanoseconds: UInt64 = 0
    var timedInputs = 0
    var worstCPUNanoseconds: UInt64 = 0
    var worstInput: [UInt8] = []
    var worstOrigin = ""
    var worstPerOctet: Double = 0
    var largestOutput = 0
    var elapsedSeconds: Double = 0
    var worstDescription = ""
    var notes: [String] = []

    mutating func add(_ segment: FuzzSegmentResult) {
        timedInputs += segment.inputs
        totalCPUNanoseconds += segment.totalCPUNanoseconds
        peakRSSKiB = max(peakRSSKiB, segment.peakRSSKiB)
        largestOutput = max(largestOutput, segment.largestOutput)
        worstPerOctet = max(worstPerOctet, segment.worstPerByteNanoseconds)
        if segment.worstCPUNanoseconds > worstCPUNanoseconds {
            worstCPUNanoseconds = segment.worstCPUNanoseconds
            worstInput = segment.worstInput
            worstOrigin = segment.worstOrigin
        }
    }

    var row: String {
        let mean = timedInputs > 0 ? Double(totalCPUNanoseconds) / Double(timedInputs) / 1000 : 0
        let cells = [
            target, "\(inputs)", "\(crashes)", "\(hangs)",
            String(format: "%.1f MiB", Double(peakRSSKiB) / 1024),
            String(format: "%.1f µs", mean), String(format: "%.1f µs", Double(worstCPUNanoseconds) / 1000),
            String(format: "%.0f ns", worstPerOctet), "\(largestOutput)",
            String(format: "%.0f", elapsedSeconds),
            (worstDescription + (notes.isEmpty ? "" : "; " + notes.joined(separator: "; ")))
                .replacingOccurrences(of: "|", with: "\\|"),
        ]
        return "| " + cells.joined(separator: " | ") + " |"
    }
}
