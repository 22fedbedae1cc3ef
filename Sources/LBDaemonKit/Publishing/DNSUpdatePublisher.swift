import DNS
import LBCore
import Logging
import NIOCore

/// Publishes aliases by RFC 2136 UPDATE, signed with TSIG, to the internal view of the DNS and,
/// for external aliases, to the external view too; as golbd, each alias is a zone of its own whose
/// apex holds the A and AAAA records.
///
/// Each view is read first, with a query signed by the view's key (a server with views picks the
/// view by the key, as BIND's `match-clients { key ...; }` does); an UPDATE goes out only when
/// the addresses or the TTL differ. Invariant: at most `DNSSettings.maxConcurrentUpdates` UPDATEs
/// are in flight at once, across every concurrent `publish` call.
///
/// With a fencing token (`ha.mode: lease`), every UPDATE also requires the zone's fencing record
/// to hold that token, and the fence is moved to a new token by compare-and-swap before its first
/// UPDATE (``DNSFence``): a server refuses a deposed instance. Without one, the UPDATEs are
/// golbd's.
///
/// Nothing is parsed per publication: the keys come built from the configuration, alias names are
/// parsed once (``AliasNames``), and server names are looked up once and again only when due
/// (``ServerAddressCache``).
public struct DNSUpdatePublisher: Publisher {
    /// Waits between two attempts; `Task.sleep` outside tests.
    public typealias Sleep = @Sendable (Duration) async throws -> Void

    /// One view to write to: its name in results, its key and its server.
    struct View: Sendable {
        var target: String
        var key: TSIGKey
        var server: ServerAddress?
    }

    /// A view whose key and address are ready for the DNS client.
    private struct Destination {
        var key: TSIGKey
        /// The server as configured, to look up again when it stops answering.
        var name: ServerAddress
        var server: SocketAddress
    }

    private let settings: DNSSettings
    private let sender: any DNSRequestSender
    private let limiter: UpdateLimiter
    private let firstRetryDelay: Duration
    private let sleep: Sleep
    private let aliasNames: AliasNames
    private let servers: ServerAddressCache
    private let fences = DNSFenceLedger()
    private let logger: Logger

    /// - Parameters:
    ///   - aliases: the configured aliases, whose names are parsed here once; others are parsed
    ///     at their first publication.
    ///   - firstRetryDelay: the wait before the second attempt of a read or an UPDATE; it doubles
    ///     before each further one (`settings.retries` extra attempts at most).
    ///   - sleep: how to wait between attempts; tests pass one that returns at once.
    ///   - logger: where lookups of the DNS server's name and moves of the fence are logged.
    public init(
        settings: DNSSettings, aliases: [String] = [], client: DNSClient = DNSClient(),
        firstRetryDelay: Duration = .milliseconds(500),
        sleep: @escaping Sleep = { try await Task.sleep(for: $0) },
        logger: Logger = Logger(label: "lbd.dns-update")
    ) {
        self.init(
            settings: settings, aliases: aliases, sender: client,
            servers: ServerAddressCache(logger: logger), firstRetryDelay: firstRetryDelay, sleep: sleep,
            logger: logger)
    }

    init(
        settings: DNSSettings, aliases: [String] = [], sender: any DNSRequestSender,
        servers: ServerAddressCache = ServerAddressCache(logger: Logger(label: "lbd.dns-update")),
        firstRetryDelay: Duration, sleep: @escaping Sleep, logger: Logger = Logger(label: "lbd.dns-update")
    ) {
        self.settings = settings
        self.sender = sender
        self.limiter = UpdateLimiter(limit: settings.maxConcurrentUpdates)
        self.firstRetryDelay = firstRetryDelay
        self.sleep = sleep
        self.aliasNames = AliasNames(aliases)
        self.servers = servers
        self.logger = logger
    }

    /// The views `publication` goes to: the internal one for every alias, the external one for
    /// external aliases; a view that is not configured is skipped.
    func views(for publication: Publication) -> [View] {
        var views: [View] = []
        if let view = settings.internalView {
            views.append(View(target: "internal view", key: view.key, server: view.server ?? settings.server))
        }
        if publication.external, let view = settings.externalView {
            views.append(View(target: "external view", key: view.key, server: view.server ?? settings.server))
        }
        return views
    }

    public func publish(_ publication: Publication, dryRun: Bool) async -> [PublicationResult] {
        // One view after the other, internal first as golbd: a failure in one never stops the other.
        var results: [PublicationResult] = []
        for view in views(for: publication) {
            results.append(await publish(publication, in: view, dryRun: dryRun))
        }
        return results
    }

    private func publish(_ publication: Publication, in view: View, dryRun: Bool) async -> PublicationResult {
        let alias: DomainName
        let destination: Destination
        var fence: (name: DomainName, token: Int64)?
        do {
            alias = try aliasNames.name(of: publication.alias)
            destination = try await resolve(view)
            if let token = publication.fencingToken {
                fence = (try DNSFence.name(in: alias, partition: publication.fencingPartition), token)
            }
        } catch {
            return PublicationResult(target: view.target, previous: nil, action: .failed(Self.failure(error)))
        }
        let current: PublishedRecords
        do {
            current = try await withRetries {
                try await suspectingAddress(of: destination) { try await read(alias, at: destination) }
            }
        } catch {
            return PublicationResult(
                target: view.target, previous: nil,
                action: .failed(
                    Self.failure(error).at(
                        "reading \(alias) A and AAAA from \(destination.server.endpointDescription)")))
        }
        let wanted = PublishedRecords(publication)
        let result = { (action: PublicationResult.Action) in
            PublicationResult(
                target: view.target, previous: current.addresses, previousTTL: current.ttl, action: action)
        }
        // A dry run neither reads nor moves the fence: it changes nothing, so nothing to fence.
        if dryRun { return result(current == wanted ? .unchanged : .wouldUpdate) }
        let fenceView = "\(view.target) at \(destination.server.endpointDescription)"
        if let fence {
            // Before comparing: an instance taking over moves the fence even when the records
            // are already right, or a deposed one could still write them.
            do {
                try await hold(fence.token, at: fence.name, zone: alias, view: fenceView, destination)
            } catch {
                return result(.failed(Self.failure(error)))
            }
        }
        if current == wanted { return result(.unchanged) }
        var update = Self.replacement(of: alias, by: wanted)
        if let fence { DNSFence.requireHeld(fence.token, at: fence.name, in: &update) }
        let outcome: Result<Void, any Error>
        do {
            try await send(update, to: destination, fenced: fence != nil)
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case .success: return result(.updated)
        case .failure(let error):
            let context = "UPDATE of \(alias) at \(destination.server.endpointDescription)"
            guard let fence, let refusal = error as? DNSFence.Refused else {
                return result(.failed(Self.failure(error).at(context)))
            }
            fences.forget(zone: alias, view: fenceView)
            let found = (try? await readFence(fence.name, at: destination)).map {
                " (it holds \(DNSFence.describe($0)))"
            }
            return result(
                .failed(
                    PublishingFailure(
                        .fenced,
                        "\(context): refused by the server (\(refusal.responseCode)): the fence "
                            + "\(fence.name) no longer holds this instance's token \(fence.token)\(found ?? ""); "
                            + "another instance holds a newer lease")))
        }
    }

    /// Makes sure the fence of `zone` holds `token`, moving it by compare-and-swap when it holds
    /// an older one; a race lost to another instance's move is read again once.
    private func hold(
        _ token: Int64, at name: DomainName, zone: DomainName, view: String, _ destination: Destination
    ) async throws {
        if fences.token(zone: zone, view: view) == token { return }
        let place = "the fence \(name) at \(destination.server.endpointDescription)"
        for _ in 0..<2 {
            let current: [RecordData]
            do {
                current = try await readFence(name, at: destination)
            } catch {
                throw Self.failure(error).at("reading \(place)")
            }
            let move = DNSFence.move(from: current, to: token)
            switch move {
            case .alreadyHeld:
                fences.record(token, zone: zone, view: view)
                return
            case .deposed(let newer):
                fences.forget(zone: zone, view: view)
                throw PublishingFailure(
                    .fenced,
                    "\(place) holds token \(newer), newer than this instance's \(token): another "
                        + "instance holds a newer lease; not publishing")
            case .unreadable:
                throw PublishingFailure(
                    .fenced,
                    "\(place) holds \(DNSFence.describe(current)), which is not one fencing token: "
                        + "delete that TXT RRset (nsupdate) so that the lease holder can write its own")
            case .create, .replace:
                break
            }
            guard let update = DNSFence.compareAndSwap(move, zone: zone, at: name, to: token) else { return }
            let outcome: Result<Void, any Error>
            do {
                try await send(update, to: destination, fenced: true)
                outcome = .success(())
            } catch {
                outcome = .failure(error)
            }
            switch outcome {
            case .success:
                fences.record(token, zone: zone, view: view)
                logger.info(
                    "moved the fence",
                    metadata: [
                        "fence": .string(name.description), "view": .string(view),
                        "from": .string(DNSFence.describe(current)), "token": .stringConvertible(token),
                    ])
                return
            case .failure(let error):
                // Another instance moved the fence since the read: read it again, once.
                guard error is DNSFence.Refused else {
                    throw Self.failure(error).at("moving \(place) to \(token)")
                }
            }
        }
        throw PublishingFailure(
            .fenced, "\(place) changed during two compare-and-swaps in a row: another instance is moving it")
    }

    /// The TXT records of the fence at `name`; none when it does not exist.
    private func readFence(_ name: DomainName, at destination: Destination) async throws -> [RecordData] {
        let records: [ResourceRecord] = try await withRetries {
            try await suspectingAddress(of: destination) {
                try await answers(name, type: .txt, at: destination)
            }
        }
        return records.filter { $0.name == name && $0.data.type == .txt }.map(\.data)
    }

    /// Sends `update`, within the limit of UPDATEs in flight and with the retries. With `fenced`,
    /// NXRRSET and YXRRSET (a prerequisite failed, and the fence is the only one lbd sets) are
    /// ``DNSFence/Refused``, which the retries let through: sending again cannot help.
    private func send(_ update: DNSUpdate, to destination: Destination, fenced: Bool) async throws {
        try await withRetries {
            try await suspectingAddress(of: destination) {
                try await limiter.withPermit {
                    // Inspected outside the `catch`, as in `answers`.
                    let outcome: Result<DNSResponse, any Error>
                    do {
                        outcome = .success(
                            try await sender.send(
                                update.message, server: destination.server, key: destination.key,
                                options: clientOptions))
                    } catch {
                        outcome = .failure(error)
                    }
                    if fenced, case .failure(let error) = outcome, let code = Self.prerequisiteFailure(error)
                    {
                        throw DNSFence.Refused(responseCode: code)
                    }
                    _ = try outcome.get()
                }
            }
        }
    }

    /// The RCODE when `error` says a prerequisite failed (NXRRSET or YXRRSET).
    @inline(never)
    private static func prerequisiteFailure(_ error: any Error) -> ResponseCode? {
        guard let code = (error as? DNSClientError)?.responseCode, code == .nxRRSet || code == .yxRRSet
        else { return nil }
        return code
    }

    /// Reads the A and AAAA RRsets of `alias`. The key signs the queries so that the answer comes
    /// from the view the key selects; NXDOMAIN is an alias without records.
    private func read(_ alias: DomainName, at destination: Destination) async throws -> PublishedRecords {
        let addresses = try await answers(alias, type: .a, at: destination)
        return PublishedRecords(
            addresses + (try await answers(alias, type: .aaaa, at: destination)), at: alias)
    }

    /// The answers to one query; none for NXDOMAIN.
    private func answers(_ alias: DomainName, type: RecordType, at destination: Destination) async throws
        -> [ResourceRecord]
    {
        let query = DNSMessage(
            id: 0, questions: [Question(name: alias, type: type)],
            edns: EDNS(udpPayloadSize: clientOptions.udpPayloadSize))
        // The error is inspected outside the `catch`: matching it there (`catch ... where`, or a
        // switch in the clause) crashes the Swift 6.3.1 optimiser (CopyPropagation) in release.
        let outcome: Result<DNSResponse, any Error>
        do {
            outcome = .success(
                try await sender.send(
                    query, server: destination.server, key: destination.key, options: clientOptions))
        } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case .success(let response): return response.message.answers
        case .failure(let error):
            if Self.isNameError(error) { return [] }
            throw error
        }
    }

    @inline(never)
    private static func isNameError(_ error: any Error) -> Bool {
        (error as? DNSClientError)?.responseCode == .nameError
    }

    /// The UPDATE golbd sends: the alias is the zone, both address RRsets are deleted and the
    /// wanted records added, in one message so that resolvers never see the alias half-written.
    static func replacement(of alias: DomainName, by records: PublishedRecords) -> DNSUpdate {
        var update = DNSUpdate(zone: alias)
        update.deleteRRset(alias, type: .a)
        update.deleteRRset(alias, type: .aaaa)
        for record in records.records(at: alias) {
            update.add(alias, ttl: record.ttl, data: record.data)
        }
        return update
    }

    /// One attempt per request: the retries are this publisher's, with a growing delay between them.
    private var clientOptions: DNSClient.Options {
        DNSClient.Options(timeout: .milliseconds(Int64(max(0, settings.timeout) * 1000)), retries: 0)
    }

    /// Runs `operation` up to `settings.retries + 1` times while it fails in a way that may pass
    /// (a timeout, a server failure), waiting `firstRetryDelay`, then twice as long each time.
    private func withRetries<T>(_ operation: () async throws -> T) async throws -> T {
        let attempts = max(0, settings.retries) + 1
        var delay = firstRetryDelay
        var attempt = 1
        while true {
            do {
                return try await operation()
            } catch let error as DNSClientError where attempt < attempts && Self.mayPass(error) {
                try await sleep(delay)
                delay *= 2
                attempt += 1
            } catch let error as DNSClientError where attempt > 1 {
                throw PublishingFailure(
                    PublishingFailure.code(of: error),
                    "\(Self.describe(error)) (gave up after \(attempt) attempts)")
            }
        }
    }

    /// Whether trying again may succeed. A refusal or a TSIG failure says the configuration is
    /// wrong, and repeating the request only delays the other aliases.
    static func mayPass(_ error: DNSClientError) -> Bool {
        switch error.code {
        case .timeout, .connectionFailed, .malformedResponse: return true
        case .responseCode(let code): return code == .serverFailure
        case .tsig, .invalidRequest: return false
        }
    }

    private func resolve(_ view: View) async throws(PublishingFailure) -> Destination {
        guard let server = view.server else {
            throw PublishingFailure(.noServer, "no DNS server is configured for the \(view.target)")
        }
        return Destination(key: view.key, name: server, server: try await servers.address(of: server))
    }

    /// Runs `operation`; when it fails in a way a new address could mend (no answer, no
    /// connection), the server's name is looked up again before a later publication.
    private func suspectingAddress<T>(of destination: Destination, _ operation: () async throws -> T)
        async throws -> T
    {
        // Inspected outside the `catch`, as in `answers`: matching there crashes the Swift 6.3.1
        // optimiser in release.
        let outcome: Result<T, any Error>
        do {
            outcome = .success(try await operation())
        } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case .success(let value): return value
        case .failure(let error):
            if Self.aNewAddressMayHelp(error) { await servers.suspect(destination.name) }
            throw error
        }
    }

    /// Whether `error` says the server did not answer at all (rather than answered no).
    @inline(never)
    private static func aNewAddressMayHelp(_ error: any Error) -> Bool {
        guard let error = error as? DNSClientError else { return false }
        switch error.code {
        case .timeout, .connectionFailed: return true
        default: return false
        }
    }

    /// `error` as a typed failure: what the retries, the address cache or the DNS client threw.
    private static func failure(_ error: any Error) -> PublishingFailure {
        switch error {
        case let failure as PublishingFailure: failure
        case let error as DNSClientError:
            PublishingFailure(PublishingFailure.code(of: error), describe(error))
        case is CancellationError: PublishingFailure(.cancelled, "cancelled: lbd is stopping")
        default: PublishingFailure(.other, describe(error))
        }
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case let error as DNSClientError:
            guard let peer = error.tsigError?.peerError else { return error.message }
            // In a TSIG record, 16 is BADSIG (BADVERS is its meaning in an OPT record).
            let code = peer == .badSignature ? "BADSIG" : peer.description
            return "the server rejected the TSIG key (\(code)): \(error.message)"
        case is CancellationError: return "cancelled"
        default: return "\(error)"
        }
    }
}
