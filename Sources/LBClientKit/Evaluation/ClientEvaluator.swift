import Foundation
import Logging

/// Evaluates every configuration file of the node and builds the answer lbd reads.
///
/// Files are evaluated concurrently, each on its own: a file that cannot be read or parsed, or
/// a check that errs or times out, makes only that file's aliases report a failure, where
/// golbclient printed nothing at all.
public struct ClientEvaluator: Sendable {
    public var discovery: ConfigDiscovery
    public var system: SystemEnvironment
    /// How long one line may take (`--timeout`).
    public var lineTimeout: Duration
    /// How long the whole evaluation may take (`--deadline`); lines still running then fail.
    public var deadline: Duration
    public var commands: any CommandRunning
    public var logger: Logger
    /// Makes each evaluation's socket table snapshot (tests count the reads).
    var makeSocketTables: @Sendable () -> SocketTableSnapshot = { SocketTableSnapshot() }

    public init(
        discovery: ConfigDiscovery = ConfigDiscovery(), system: SystemEnvironment = SystemEnvironment(),
        lineTimeout: Duration = .seconds(30), deadline: Duration = .seconds(40),
        commands: any CommandRunning = ProcessRunner(), logger: Logger = Logger(label: "lbclient")
    ) {
        self.discovery = discovery
        self.system = system
        self.lineTimeout = lineTimeout
        self.deadline = deadline
        self.commands = commands
        self.logger = logger
    }

    /// Files evaluated at once. With ``FileEvaluator/maximumConcurrentLines`` it bounds the checks
    /// running at any time, however many aliases have a file of their own.
    public static let maximumConcurrentFiles = 4

    /// Discovers the files, evaluates them and returns one report per file in answer order.
    ///
    /// - Throws: ``DiscoveryError`` when no file can be found for any alias.
    public func evaluate() async throws(DiscoveryError) -> ClientReport {
        await run(try plan())
    }

    /// What an evaluation runs: the files found and their lines read and prepared, and when it
    /// must end.
    public struct Plan: Sendable {
        var mappings: [ConfigMapping]
        var files: [LoadedFile]
        var until: ContinuousClock.Instant
    }

    /// One file as ``load(_:limits:)`` left it. Not a `Result`: an array of a generic type
    /// with an `Error` requirement makes the runtime search every conformance at start-up.
    enum LoadedFile: Sendable {
        case prepared([PreparedLine])
        case unusable(Problem)

        init(_ result: Result<[PreparedLine], Problem>) {
            switch result {
            case .success(let lines): self = .prepared(lines)
            case .failure(let problem): self = .unusable(problem)
            }
        }
    }

    /// The first part of ``evaluate()``, which only reads files and blocks nothing else: the
    /// discovery (its warnings logged) and the reading and preparing of every file. The
    /// one-shot path does it on the main thread, before it starts any task.
    ///
    /// - Throws: ``DiscoveryError`` when no file can be found for any alias.
    public func plan() throws(DiscoveryError) -> Plan {
        let found = try discovery.discover()
        for warning in found.warnings { logger.warning("\(warning)") }
        let until = ContinuousClock.now.advanced(by: deadline)
        return Plan(
            mappings: found.mappings, files: found.mappings.map { LoadedFile(Self.load($0.path)) },
            until: until)
    }

    /// The second part of ``evaluate()``: runs the lines of every file of `plan`.
    public func run(_ plan: Plan) async -> ClientReport {
        let until = plan.until
        // One socket table snapshot per evaluation: every daemon check of every file shares its
        // reads, and the next evaluation reads afresh.
        let context = CheckContext(
            system: system, commands: commands, timeout: lineTimeout, logger: logger,
            socketTables: makeSocketTables())
        let evaluator = FileEvaluator(lineTimeout: lineTimeout)
        let mappings = plan.mappings
        let loaded = plan.files
        // One file (the common case) needs no group: a group and its child task cost a
        // noticeable part of a one-shot run.
        if mappings.count == 1 {
            let file = await Self.evaluate(
                mappings[0], loaded[0], with: evaluator, context: context, until: until)
            log(file)
            return ClientReport(files: [file])
        }
        let files = await withTaskGroup(of: (Int, FileReport).self) { group in
            var next = 0
            func startNextFile() {
                guard next < mappings.count else { return }
                let index = next
                next += 1
                group.addTask {
                    (
                        index,
                        await Self.evaluate(
                            mappings[index], loaded[index], with: evaluator, context: context, until: until)
                    )
                }
            }
            for _ in 0..<Self.maximumConcurrentFiles { startNextFile() }
            var reports = [FileReport?](repeating: nil, count: mappings.count)
            for await (index, report) in group {
                reports[index] = report
                startNextFile()
            }
            return reports.compactMap { $0 }
        }
        for file in files { log(file) }
        return ClientReport(files: files)
    }

    static func evaluate(
        _ mapping: ConfigMapping, _ loaded: LoadedFile, with evaluator: FileEvaluator,
        context: CheckContext, until: ContinuousClock.Instant
    ) async -> FileReport {
        switch loaded {
        case .unusable(let problem):
            return FileReport(
                mapping: mapping, value: FileReport.unreadableFileValue, reason: problem.message)
        case .prepared(let lines):
            return await evaluator.evaluate(lines, for: mapping, context: context, deadline: until)
        }
    }

    /// Reads, parses and prepares one file; the failure is a message naming file and line.
    public static func load(_ path: String, limits: ConfigurationLimits = .standard) -> Result<
        [PreparedLine], Problem
    > {
        let text: String
        switch limits.read(path) {
        case .success(let read): text = read
        case .failure(let problem): return .failure(problem)
        }
        let (file, syntaxErrors) = ClientConfigFile.parseKeepingGoing(text, path: path)
        switch file.prepare() {
        case .success(let prepared) where syntaxErrors.isEmpty:
            return .success(prepared)
        case .success:
            return .failure(Problem(ClientConfigErrors(syntaxErrors).description))
        case .failure(let argumentErrors):
            let all = (syntaxErrors + argumentErrors.errors).sorted {
                ($0.line, $0.column) < ($1.line, $1.column)
            }
            return .failure(Problem(ClientConfigErrors(all).description))
        }
    }

    private func log(_ file: FileReport) {
        // Building the metadata costs a dictionary of a generic type, for nothing when the level
        // drops every line below (warning, the default, with a file that passed).
        guard file.value < 0 ? logger.logLevel <= .warning : logger.logLevel <= .info else { return }
        let metadata: Logger.Metadata = [
            "file": "\(file.mapping.path)", "aliases": "\(file.mapping.aliases.joined(separator: ","))",
            "value": "\(file.value)",
        ]
        if file.value < 0 {
            logger.warning(
                "\(file.mapping.aliases.joined(separator: ",")) report \(file.value): \(file.reason)",
                metadata: metadata)
        } else {
            logger.info(
                "\(file.mapping.aliases.joined(separator: ",")) report \(file.value): \(file.reason)",
                metadata: metadata)
        }
        for report in file.lines {
            logger.debug(
                "\(report.line.file):\(report.line.lineNumber): \(report.outcome.summary)", metadata: metadata
            )
        }
    }
}

/// The evaluation of every configuration file of the node.
public struct ClientReport: Sendable {
    public var files: [FileReport]

    public init(files: [FileReport]) { self.files = files }

    /// The answer in golbclient's format: an integer when exactly one file was evaluated, else
    /// `alias=value` pairs for every alias of every file, in answer order.
    public var answer: PassAnswer {
        if files.count == 1 { return .integer(files[0].value) }
        return .perAlias(loadsByAlias)
    }

    /// Each alias with its value, in answer order.
    public var loadsByAlias: [(alias: String, load: Int)] {
        files.flatMap { file in file.mapping.aliases.map { (alias: $0, load: file.value) } }
    }
}

extension ClientEvaluator {
    /// The answer, or nil (logged) when no configuration can be found: the long-running modes
    /// then answer "no such object" until the files appear.
    public func answerIfAny() async -> PassAnswer? {
        do {
            return try await evaluate().answer
        } catch {
            logger.error("\(error.message)")
            return nil
        }
    }
}
