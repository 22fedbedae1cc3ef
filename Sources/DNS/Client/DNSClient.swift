import NIOCore
import NIOPosix

/// A DNS client for queries and RFC 2136 UPDATEs, over UDP with a fall-back to TCP, one short-
/// lived socket per request (no connection reuse: the daemon sends few, small messages).
///
/// Every failure is thrown as a `DNSClientError` (a cancelled task throws `CancellationError`).
/// Answers are matched on ID and question; UPDATEs may be TSIG-signed, and then the answer must
/// carry a TSIG record that verifies with the request MAC chained (RFC 8945 section 5.3).
public struct DNSClient: Sendable {
    public var options: Options
    private let eventLoopGroup: any EventLoopGroup
    private let makeID: @Sendable () -> UInt16
    private let clock: TSIGClock

    /// - Parameters:
    ///   - makeID: the source of message IDs; random by default, since an unpredictable ID is
    ///     what makes a spoofed UDP answer hard to forge (RFC 5452).
    ///   - clock: the time used to sign requests and check the answers' TSIG time.
    public init(
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        options: Options = Options(),
        makeID: @escaping @Sendable () -> UInt16 = { UInt16.random(in: .min ... .max) },
        clock: TSIGClock = .system
    ) {
        self.eventLoopGroup = eventLoopGroup
        self.options = options
        self.makeID = makeID
        self.clock = clock
    }

    /// Asks `server` for the `type` records of `name`, with EDNS0, over UDP and again over TCP
    /// when the answer is truncated. Only a NOERROR answer is returned.
    public func query(
        _ name: DomainName, type: RecordType, server: SocketAddress, options: Options? = nil
    ) async throws -> DNSResponse {
        let options = options ?? self.options
        let message = DNSMessage(
            id: makeID(), recursionDesired: options.recursionDesired,
            questions: [Question(name: name, type: type)],
            edns: EDNS(udpPayloadSize: options.udpPayloadSize))
        return try await send(message, server: server, key: nil, maximumUDPSize: 512, options: options)
    }

    /// Sends an UPDATE, signed with `key` when given, and returns the NOERROR answer. Its ID is
    /// replaced by a fresh random one.
    public func update(
        _ update: DNSUpdate, server: SocketAddress, key: TSIGKey? = nil, options: Options? = nil
    ) async throws -> DNSResponse {
        try await self.update(update.message, server: server, key: key, options: options)
    }

    /// Sends an UPDATE message (or any request), signed with `key` when given, and returns the
    /// NOERROR answer. Over UDP when it fits in `Options.maximumUDPUpdateSize`, else over TCP.
    public func update(
        _ message: DNSMessage, server: SocketAddress, key: TSIGKey? = nil, options: Options? = nil
    ) async throws -> DNSResponse {
        let options = options ?? self.options
        var message = message
        message.id = makeID()
        return try await send(
            message, server: server, key: key, maximumUDPSize: options.maximumUDPUpdateSize, options: options)
    }

    /// Encodes, signs, sends and checks one request.
    private func send(
        _ request: DNSMessage, server: SocketAddress, key: TSIGKey?, maximumUDPSize: Int, options: Options
    ) async throws -> DNSResponse {
        let bytes: [UInt8]
        var requestMAC: [UInt8]?
        do {
            if let key {
                (bytes, requestMAC) = try TSIGSigner(key: key, clock: clock).sign(request)
            } else {
                bytes = try request.encode()
            }
        } catch {
            throw DNSClientError(.invalidRequest, "cannot encode the request: \(error)")
        }
        guard bytes.count <= 0xFFFF else {
            throw DNSClientError(
                .invalidRequest, "a request of \(bytes.count) octets does not fit in TCP framing")
        }
        let matcher = DNSResponseMatcher(request: request)
        var result: DNSExchangeResult
        if options.tcpOnly || bytes.count > maximumUDPSize {
            result = try await exchangeOverTCP(bytes, server: server, matcher: matcher, options: options)
        } else {
            result = try await exchangeOverUDP(bytes, server: server, matcher: matcher, options: options)
            if result.message.isTruncated {
                result = try await exchangeOverTCP(bytes, server: server, matcher: matcher, options: options)
            }
        }
        return try check(result, server: server, key: key, requestMAC: requestMAC, requestSize: bytes.count)
    }

    /// Verifies the TSIG first, so that a forged RCODE is not believed, then the RCODE.
    private func check(
        _ result: DNSExchangeResult, server: SocketAddress, key: TSIGKey?, requestMAC: [UInt8]?,
        requestSize: Int
    ) throws -> DNSResponse {
        var message = result.message
        var tsig: TSIGRecord?
        if let key, let requestMAC {
            do {
                let verified = try TSIGVerifier(keys: [key], clock: clock).verify(
                    result.bytes, requestMAC: requestMAC)
                message = verified.message
                tsig = verified.record
            } catch {
                let peer = error.peerError.map { " (TSIG error \($0))" } ?? ""
                throw DNSClientError(
                    .tsig(error),
                    "\(server.endpointDescription) answered \(message.responseCode)\(peer) and the answer's TSIG failed: \(error.detail)"
                )
            }
        }
        guard message.responseCode == .noError else {
            let question = message.questions.first.map { " for \($0.name) \($0.type)" } ?? ""
            throw DNSClientError(
                .responseCode(message.responseCode),
                "\(server.endpointDescription) answered \(message.responseCode) to the \(message.opcode)\(question)"
            )
        }
        return DNSResponse(
            message: message, transport: result.transport, tsig: tsig, requestSize: requestSize)
    }

    private func exchangeOverUDP(
        _ request: [UInt8], server: SocketAddress, matcher: DNSResponseMatcher, options: Options
    ) async throws -> DNSExchangeResult {
        let eventLoop = eventLoopGroup.next()
        let promise = eventLoop.makePromise(of: DNSExchangeResult.self)
        let timeout = TimeAmount(options.timeout)
        let attempts = options.attempts
        let local: SocketAddress
        do {
            local = try SocketAddress(ipAddress: server.protocol == .inet6 ? "::" : "0.0.0.0", port: 0)
        } catch {
            throw DNSClientError(
                .connectionFailed, "no local address for \(server.endpointDescription): \(error)")
        }
        let channel: any Channel
        do {
            channel = try await DatagramBootstrap(group: eventLoop)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            DatagramExchangeHandler(
                                request: request, server: server, matcher: matcher, timeout: timeout,
                                attempts: attempts, promise: promise))
                    }
                }
                .bind(to: local).get()
        } catch {
            promise.fail(error)
            throw DNSClientError(
                .connectionFailed, "cannot open a UDP socket for \(server.endpointDescription): \(error)")
        }
        return try await Self.await(promise.futureResult, closing: channel)
    }

    /// TCP attempts, each on a new connection, repeated after a timeout.
    private func exchangeOverTCP(
        _ request: [UInt8], server: SocketAddress, matcher: DNSResponseMatcher, options: Options
    ) async throws -> DNSExchangeResult {
        var lastError = DNSClientError(.timeout, "no answer from \(server.endpointDescription) over TCP")
        for _ in 0..<options.attempts {
            do {
                return try await exchangeOverTCPOnce(
                    request, server: server, matcher: matcher, options: options)
            } catch let error as DNSClientError where error.code == .timeout {
                lastError = error
            }
        }
        guard options.attempts > 1 else { throw lastError }
        throw DNSClientError(.timeout, "\(lastError.message) after \(options.attempts) attempts")
    }

    private func exchangeOverTCPOnce(
        _ request: [UInt8], server: SocketAddress, matcher: DNSResponseMatcher, options: Options
    ) async throws -> DNSExchangeResult {
        let eventLoop = eventLoopGroup.next()
        let promise = eventLoop.makePromise(of: DNSExchangeResult.self)
        let timeout = TimeAmount(options.timeout)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: eventLoop)
                .connectTimeout(timeout)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            StreamExchangeHandler(
                                request: request, server: server, matcher: matcher, timeout: timeout,
                                promise: promise))
                    }
                }
                .connect(to: server).get()
        } catch let error as ChannelError where error == .connectTimeout(timeout) {
            promise.fail(error)
            throw DNSClientError(.timeout, "TCP connection to \(server.endpointDescription) timed out")
        } catch {
            promise.fail(error)
            throw DNSClientError(
                .connectionFailed, "cannot connect to \(server.endpointDescription) over TCP: \(error)")
        }
        return try await Self.await(promise.futureResult, closing: channel)
    }

    /// Waits for the exchange, closing its channel in every case; cancelling the task closes the
    /// channel, which fails the exchange.
    private static func await(
        _ future: EventLoopFuture<DNSExchangeResult>, closing channel: any Channel
    ) async throws -> DNSExchangeResult {
        let result: Result<DNSExchangeResult, any Error>
        do {
            result = .success(
                try await withTaskCancellationHandler {
                    try await future.get()
                } onCancel: {
                    channel.close(promise: nil)
                })
        } catch {
            result = .failure(error)
        }
        try? await channel.close()
        try Task.checkCancellation()
        switch result {
        case .success(let value): return value
        case .failure(let error as DNSClientError): throw error
        case .failure(let error): throw DNSClientError(.connectionFailed, "\(error)")
        }
    }
}
