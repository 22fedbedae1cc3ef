import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

/// `ha.mode: heartbeat`, golbd's pairing, compatible with golbd in both directions.
///
/// The master (the instance whose name is `ha.master`) always publishes and, while its engine
/// completes rounds, writes golbd's heartbeat file. A standby reads the master's heartbeat over
/// HTTP and publishes when it is unreachable, holds no line of the master, or is older than
/// `takeover_after`; it hands back once the heartbeat has been fresh for `hold_down`.
///
/// Invariant: `publishingPermit()` answers from the role the last check left, never from the
/// network, so the engine never waits on the peer.
public actor HeartbeatLeadership: Leadership {
    public let instance: String
    public let master: String
    public let file: HeartbeatFile
    /// Where a standby reads the master's heartbeat.
    public let url: String
    public let timing: HeartbeatTiming

    private let logger: Logger
    private let clock: @Sendable () -> Date
    private var takeover: HeartbeatTakeover
    /// The timestamp of the master's last heartbeat: the one last written (master) or last read
    /// (standby).
    private var lastHeartbeat: Int64?
    private var lastRound: ContinuousClock.Instant?
    /// Set while the master skips writes because its engine is stuck (logged once).
    private var engineStalled = false
    /// The last write failure logged, so that each distinct cause is logged once.
    private var writeFailure: String?
    private var subscribers = RoleSubscribers()

    /// Heartbeat leadership for `settings` (`mode`, `master`, the file, the URL, `takeover_after`
    /// and `hold_down`), as `instance`, reading time from `clock` (the wall clock: heartbeat
    /// timestamps are Unix seconds). `timing` defaults to `HeartbeatTiming(takeoverAfter:)`.
    public init(
        settings: HASettings, instance: String = InstanceName.current(), logger: Logger,
        clock: @escaping @Sendable () -> Date = { Date() }, timing: HeartbeatTiming? = nil
    ) throws(HeartbeatLeadershipError) {
        guard let master = settings.master, !master.isEmpty else { throw .noMaster }
        let url = settings.effectiveHeartbeatURL ?? ""
        guard Self.isHTTPURL(url) else { throw .invalidHeartbeatURL(url) }
        do {
            self.file = try HeartbeatFile(settings: settings)
        } catch {
            throw .file(error)
        }
        self.instance = instance
        self.master = master
        self.url = url
        self.timing = timing ?? HeartbeatTiming(takeoverAfter: settings.takeoverAfter)
        var logger = logger
        logger[metadataKey: "master"] = "\(master)"
        self.logger = logger
        self.clock = clock
        self.takeover = HeartbeatTakeover(
            instance: instance, master: master, takeoverAfter: settings.takeoverAfter,
            holdDown: settings.holdDown, now: clock())
    }

    public func publishingPermit() -> PublishingPermit? {
        takeover.role == .active ? PublishingPermit() : nil
    }

    public func status() -> LeadershipStatus {
        let now = clock()
        var reason = takeover.reason
        if takeover.isMaster {
            if lastRound == nil {
                reason += "; no heartbeat written until the engine completes its first round"
            } else if engineStalled {
                reason =
                    "this instance is the master (\(master)) but its engine has stopped completing rounds: the heartbeat is no longer written, so that the standby takes over"
            } else if let writeFailure {
                reason += "; the last write failed: \(writeFailure)"
            }
        }
        return LeadershipStatus(
            mode: HASettings.Mode.heartbeat.rawValue, role: takeover.role, instance: instance,
            peer: takeover.isMaster ? nil : master, since: takeover.since,
            age: lastHeartbeat.map { now.timeIntervalSince1970 - Double($0) }, reason: reason)
    }

    /// Writes the heartbeat (master) or checks the master's (standby) every `timing.interval`
    /// until cancelled.
    public func run() async {
        if takeover.isMaster {
            await runMaster()
        } else {
            await runStandby()
        }
        subscribers.finish()
    }

    /// The engine calls this at least every second from its run loop (not only after a round
    /// that published), so that a silent master means a stuck engine.
    public func roundCompleted() {
        lastRound = .now
    }

    public func roleChanges() -> AsyncStream<LeadershipRole> {
        subscribers.subscribe(current: takeover.role) { [weak self] id in
            Task { await self?.unsubscribe(id) }
        }
    }

    private func unsubscribe(_ id: Int) {
        subscribers.remove(id)
    }

    // MARK: the master

    private func runMaster() async {
        logger.info(
            "heartbeat: this instance is the master \(master); it writes \(file.path) every \(timing.interval) while its engine completes rounds"
        )
        while !Task.isCancelled {
            writeIfEngineAlive()
            do {
                try await Task.sleep(for: timing.interval)
            } catch {
                break
            }
        }
    }

    private func writeIfEngineAlive() {
        guard let lastRound else { return }
        let silence = ContinuousClock.now - lastRound
        guard silence <= timing.engineStallLimit else {
            if !engineStalled {
                engineStalled = true
                logger.error(
                    "the engine has completed no round for \(silence) (limit \(timing.engineStallLimit)): the heartbeat \(file.path) is no longer written, so that the standby takes over"
                )
            }
            return
        }
        if engineStalled {
            engineStalled = false
            logger.notice("the engine completes rounds again: writing the heartbeat \(file.path) again")
        }
        let now = clock()
        do {
            try file.write(host: instance, at: now)
        } catch {
            let text = error.description
            if text != writeFailure {
                writeFailure = text
                logger.error("\(text)")
            }
            return
        }
        lastHeartbeat = HeartbeatFile.unixSeconds(now)
        logger.debug("updating: heartbeat file \(file.path)")
        if writeFailure != nil {
            writeFailure = nil
            logger.notice("the heartbeat file \(file.path) is written again")
        }
    }

    // MARK: the standby

    private func runStandby() async {
        logger.info(
            "heartbeat: this instance (\(instance)) is a standby of the master \(master); it reads \(url) every \(timing.interval)"
        )
        let interval = TimeAmount(timing.interval)
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .follow(max: 3, allowCycles: false),
            timeout: HTTPClient.Configuration.Timeout(connect: interval, read: interval))
        // A refused connection is an answer (the master is down), not something to retry until the
        // connect timeout: retrying made a killed master cost a whole extra check.
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        while !Task.isCancelled {
            let observation = await check(client)
            if Task.isCancelled { break }
            apply(observation)
            do {
                try await Task.sleep(for: timing.interval)
            } catch {
                break
            }
        }
        try? await client.shutdown()
    }

    /// One check, logged as golbd logs it.
    private func check(_ client: HTTPClient) async -> HeartbeatObservation {
        let fetched: ByteBuffer
        do {
            fetched = try await Self.fetch(url, with: client, within: timing.interval)
        } catch is NIOTooManyBytesError {
            logger.info(
                "primary master heartbeat: a body of more than \(HeartbeatFile.bodyLimit) bytes, not a heartbeat"
            )
            return .mismatch
        } catch {
            let reason = IssueText.sanitized("\(error)", limit: 300)
            if !Task.isCancelled {
                logger.warning("problem fetching heartbeat file from the primary master \(master): \(reason)")
            }
            return .unreachable(reason: reason)
        }
        // golbd trims the body and ignores the status: a 404 page simply does not match.
        let body = String(buffer: fetched).trimmingCharacters(in: .whitespacesAndNewlines)
        logger.info("primary master heartbeat: \(IssueText.sanitized(body, limit: 200))")
        guard let timestamp = HeartbeatFile.match(body: body, master: master) else { return .mismatch }
        lastHeartbeat = timestamp
        let now = clock()
        let (difference, overflow) = HeartbeatFile.unixSeconds(now).subtractingReportingOverflow(timestamp)
        logger.info(
            "primary master heartbeat time difference: \(overflow ? "\(now.timeIntervalSince1970 - Double(timestamp))" : "\(difference)") seconds"
        )
        return HeartbeatObservation.classify(
            timestamp: timestamp, now: now, takeoverAfter: takeover.takeoverAfter)
    }

    private func apply(_ observation: HeartbeatObservation) {
        guard let transition = takeover.observe(observation, at: clock()) else { return }
        logger.notice(
            "\(transition.reason)",
            metadata: ["action": "\(transition.action.rawValue)", "role": "\(transition.role.rawValue)"])
        subscribers.announce(transition.role)
    }

    /// The body at `url`, at most `HeartbeatFile.bodyLimit` bytes, the whole exchange (connect,
    /// request, body) bounded by `timeout`: the client's own deadline ends when the head
    /// arrives, so a slow body would otherwise hold the check.
    private static func fetch(_ url: String, with client: HTTPClient, within timeout: Duration)
        async throws -> ByteBuffer
    {
        try await withThrowingTaskGroup(of: ByteBuffer.self) { group in
            group.addTask {
                let request = HTTPClientRequest(url: url)
                let response = try await client.execute(request, timeout: TimeAmount(timeout))
                return try await response.body.collect(upTo: HeartbeatFile.bodyLimit)
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw HeartbeatFetchTimeout(timeout: timeout)
            }
            defer { group.cancelAll() }
            guard let body = try await group.next() else { throw HeartbeatFetchTimeout(timeout: timeout) }
            return body
        }
    }

    private static func isHTTPURL(_ text: String) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty
        else { return false }
        return true
    }
}

/// A heartbeat fetch that took longer than a check interval.
struct HeartbeatFetchTimeout: Error, CustomStringConvertible {
    var timeout: Duration
    var description: String { "no complete answer within \(timeout)" }
}

extension TimeAmount {
    fileprivate init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
