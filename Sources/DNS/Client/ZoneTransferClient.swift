import NIOCore
import NIOPosix

/// Fetches a whole zone by AXFR over TCP (RFC 5936), one connection per transfer, and checks
/// the stream as it arrives: every message answers the request, every record is in the zone,
/// the transfer starts and ends with the same SOA, and it stays within `Limits` and a deadline
/// for the whole transfer. So a server that is down, slow, endless or hostile costs bounded time
/// and memory and gives a typed error, never a partial zone.
///
/// Every failure is thrown as a `ZoneTransferError` (a cancelled task throws `CancellationError`).
public struct ZoneTransferClient: Sendable {
    /// How much one transfer may hold.
    public struct Limits: Hashable, Sendable {
        /// The most records, both SOA records included.
        public var maximumRecords: Int
        /// The most messages in the stream.
        public var maximumMessages: Int

        public init(maximumRecords: Int = 100_000, maximumMessages: Int = 10_000) {
            self.maximumRecords = maximumRecords
            self.maximumMessages = maximumMessages
        }
    }

    private let eventLoopGroup: any EventLoopGroup
    private let makeID: @Sendable () -> UInt16
    private let clock: TSIGClock

    /// - Parameters:
    ///   - makeID: the source of message IDs; random by default.
    ///   - clock: the time used to sign requests and check the answers' TSIG time.
    public init(
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        makeID: @escaping @Sendable () -> UInt16 = { UInt16.random(in: .min ... .max) },
        clock: TSIGClock = .system
    ) {
        self.eventLoopGroup = eventLoopGroup
        self.makeID = makeID
        self.clock = clock
    }

    /// The records of `zone` as `server` sends them: its SOA, every other record, and the same
    /// SOA again.
    ///
    /// - Parameters:
    ///   - timeout: the deadline of the whole transfer, from connecting to the closing SOA.
    ///   - key: signs the request; then every answer must be signed (RFC 8945 section 5.3.1).
    ///     Without one, the server must allow the transfer by source address.
    public func axfr(
        zone: DomainName, from server: SocketAddress, timeout: Duration = .seconds(30),
        limits: Limits = Limits(), key: TSIGKey? = nil
    ) async throws -> [ResourceRecord] {
        let request = DNSMessage(id: makeID(), questions: [Question(name: zone, type: .axfr)])
        let bytes: [UInt8]
        var verifier: TSIGStreamVerifier?
        do {
            if let key {
                let signed = try TSIGSigner(key: key, clock: clock).sign(request)
                bytes = signed.bytes
                verifier = TSIGStreamVerifier(
                    verifier: TSIGVerifier(keys: [key], clock: clock), requestMAC: signed.mac)
            } else {
                bytes = try request.encode()
            }
        } catch {
            throw ZoneTransferError(.invalidRequest, "cannot encode the AXFR request for \(zone): \(error)")
        }
        let stream = AXFRStream(
            request: request, zone: zone, limits: limits, server: server.endpointDescription,
            verifier: verifier)
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        let eventLoop = eventLoopGroup.next()
        let promise = eventLoop.makePromise(of: [ResourceRecord].self)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: eventLoop)
                .connectTimeout(TimeAmount(timeout))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            ZoneTransferStreamHandler(
                                request: bytes, stream: stream, deadline: deadline, promise: promise))
                    }
                }
                .connect(to: server).get()
        } catch let error as ChannelError where error == .connectTimeout(TimeAmount(timeout)) {
            promise.fail(error)
            throw ZoneTransferError(
                .timeout, "AXFR of \(zone): TCP connection to \(server.endpointDescription) timed out")
        } catch {
            promise.fail(error)
            throw ZoneTransferError(
                .connectionFailed,
                "AXFR of \(zone): cannot connect to \(server.endpointDescription): \(error)")
        }
        let result: Result<[ResourceRecord], any Error>
        do {
            result = .success(
                try await withTaskCancellationHandler {
                    try await promise.futureResult.get()
                } onCancel: {
                    channel.close(promise: nil)
                })
        } catch {
            result = .failure(error)
        }
        try? await channel.close()
        try Task.checkCancellation()
        switch result {
        case .success(let records): return records
        case .failure(let error as ZoneTransferError): throw error
        case .failure(let error): throw ZoneTransferError(.connectionFailed, "AXFR of \(zone): \(error)")
        }
    }

    /// The zone `server` serves at `origin`, by `axfr(zone:from:timeout:limits:key:)`; also
    /// throws `.invalidZone` when the records form no valid zone.
    public func transferZone(
        _ origin: DomainName, from server: SocketAddress, timeout: Duration = .seconds(30),
        limits: Limits = Limits(), key: TSIGKey? = nil
    ) async throws -> Zone {
        let records = try await axfr(zone: origin, from: server, timeout: timeout, limits: limits, key: key)
        return try Self.zone(origin, from: records)
    }

    /// The zone a complete AXFR stream describes (as `axfr` returns it: SOA, records, SOA).
    public static func zone(_ origin: DomainName, from records: [ResourceRecord]) throws(ZoneTransferError)
        -> Zone
    {
        guard records.count >= 2, let first = records.first, case .soa(let soa) = first.data,
            first.name == origin, records.last?.data == first.data
        else {
            throw ZoneTransferError(.missingSOA, "the records of \(origin) do not start and end with its SOA")
        }
        do {
            return try Zone(
                origin: origin, soa: soa, soaTTL: first.ttl, records: Array(records.dropFirst().dropLast()))
        } catch {
            throw ZoneTransferError(
                .invalidZone(error), "the transfer of \(origin) is no valid zone: \(error)")
        }
    }
}
