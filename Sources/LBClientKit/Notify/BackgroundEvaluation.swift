import Logging
import Synchronization

/// Re-evaluates the node every `interval`, and at once when a watched file changes, and offers
/// each answer to the notifiers (`--notify`), so that lbd hears of a change without waiting for
/// its next poll.
///
/// It evaluates through the same ``AnswerCache`` that answers GETs: there is one copy of the
/// checks, its answers keep the cache fresh for the next GET, and an evaluation a GET started is
/// joined rather than run twice. Notifiers are offered each answer concurrently, so one receiver
/// that is down delays none of the others; a notifier that is still sending misses nothing, it
/// compares the next answer with what its receiver last acknowledged.
///
/// Wake-ups coalesce: however many arrive during an evaluation, one more evaluation follows.
public final class BackgroundEvaluation: Sendable {
    /// The shortest `interval` accepted.
    public static let minimumInterval: Duration = .milliseconds(100)

    private let cache: AnswerCache
    private let notifiers: [LoadChangeNotifier]
    private let interval: Duration
    private let watchedDirectories: [FileChangeWatcher.Directory]
    private let logger: Logger
    private let state = Mutex<State>(State())

    private struct State {
        var tasks: [Task<Void, Never>] = []
        var watcher: FileChangeWatcher?
        var stopped = false
    }

    public init(
        cache: AnswerCache, notifiers: [LoadChangeNotifier], interval: Duration,
        watchedDirectories: [FileChangeWatcher.Directory], logger: Logger
    ) {
        self.cache = cache
        self.notifiers = notifiers
        self.interval = max(interval, Self.minimumInterval)
        self.watchedDirectories = watchedDirectories
        self.logger = logger
    }

    /// Starts the loop; the first evaluation runs at once.
    public func start() {
        let (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        wake.yield()
        let watcher =
            watchedDirectories.isEmpty
            ? nil : FileChangeWatcher(directories: watchedDirectories, logger: logger) { wake.yield() }
        let interval = interval
        let timer = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                wake.yield()
            }
            wake.finish()
        }
        let (cache, notifiers) = (cache, notifiers)
        let loop = Task {
            for await _ in wakes {
                if Task.isCancelled { break }
                let answer = await cache.evaluateNow()
                await withTaskGroup(of: Void.self) { group in
                    for notifier in notifiers {
                        group.addTask { await notifier.offer(answer) }
                    }
                }
            }
        }
        let startedLate = state.withLock { state in
            guard !state.stopped else { return true }
            state.tasks = [timer, loop]
            state.watcher = watcher
            return false
        }
        if startedLate {
            watcher?.stop()
            timer.cancel()
            loop.cancel()
        }
    }

    /// Stops the loop and the watcher and closes the senders. Returns without waiting for an
    /// evaluation under way (it may take up to `--deadline`; its answer still reaches the cache).
    public func stop() async {
        let (tasks, watcher) = state.withLock { state in
            state.stopped = true
            defer {
                state.tasks = []
                state.watcher = nil
            }
            return (state.tasks, state.watcher)
        }
        watcher?.stop()
        for task in tasks { task.cancel() }
        for notifier in notifiers { await notifier.sender.shutdown() }
    }

    /// The directories whose entries the built-in checks read: `/etc` (under `root`) for
    /// `check nologin`'s files, and the configuration directory and alias list, so that an edited
    /// configuration is evaluated at once too.
    public static func directoriesToWatch(system: SystemEnvironment, discovery: ConfigDiscovery)
        -> [FileChangeWatcher.Directory]
    {
        var directories = [
            FileChangeWatcher.Directory(
                path: system.path("/etc"), names: ["nologin", "iss.nologin"], prefixes: ["iss.nologin."]),
            FileChangeWatcher.Directory(path: discovery.directory, prefixes: [""]),
        ]
        let aliasList = discovery.aliasesFile
        if let slash = aliasList.lastIndex(of: "/") {
            let directory = slash == aliasList.startIndex ? "/" : String(aliasList[..<slash])
            directories.append(
                FileChangeWatcher.Directory(
                    path: directory, names: [String(aliasList[aliasList.index(after: slash)...])]))
        }
        return directories
    }
}
