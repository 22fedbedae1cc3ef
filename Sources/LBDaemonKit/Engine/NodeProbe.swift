import LBCore
import NIOCore
import SNMP

/// Asks one address of a node for its load report. The engine polls through this seam so that
/// tests can answer without sockets.
public protocol NodeProbe: Sendable {
    func poll(_ address: SocketAddress) async -> AddressReply
}

/// Polls over SNMP with lbd's configured version, credentials, port, timeout and retries: a GET
/// of the load report OID, whose INTEGER or OCTET STRING is the reply. `lbd run`, `lbd evaluate`
/// and `lbd probe` all read answers through it, so they agree on what a node said.
public struct SNMPNodeProbe: NodeProbe {
    private let client: SNMPClient
    private let credentials: SNMPCredentials
    private let timeout: Duration
    private let retries: Int

    /// The OID lbd GETs and the only one it accepts an answer for.
    public static let oid = OID(loadReportOID)!

    public init(client: SNMPClient, settings: SNMPSettings) {
        self.init(
            client: client, credentials: Self.credentials(settings),
            timeout: .milliseconds(Int((settings.timeout * 1000).rounded())), retries: settings.retries)
    }

    /// A probe with explicit credentials, for `lbd probe`'s command-line options.
    public init(client: SNMPClient, credentials: SNMPCredentials, timeout: Duration, retries: Int) {
        self.client = client
        self.credentials = credentials
        self.timeout = timeout
        self.retries = max(0, retries)
    }

    /// The credentials `settings` describe: a community for v1/v2c, a USM user for v3.
    public static func credentials(_ settings: SNMPSettings) -> SNMPCredentials {
        guard settings.version == .v3 else {
            return .community(settings.community, version: settings.version)
        }
        let authentication = settings.authPassword.map {
            USMUser.Authentication(settings.authProtocol, password: $0)
        }
        let privacy = settings.privPassword.map { USMUser.Privacy(settings.privProtocol, password: $0) }
        return .user(USMUser(name: settings.user, authentication: authentication, privacy: privacy))
    }

    public func poll(_ address: SocketAddress) async -> AddressReply {
        do {
            let bindings = try await client.get(
                [Self.oid], from: address, credentials: credentials, timeout: timeout, retries: retries)
            return Self.reply(bindings)
        } catch let error as SNMPClientError {
            return .failure(Self.failure(error))
        } catch {
            // `get` throws `SNMPClientError` or, when the task is cancelled, `CancellationError`.
            return .failure(.cancelled)
        }
    }

    /// What a batch of GETs ended with, for lbd.
    static func reply(_ outcome: SNMPClient.BatchOutcome) -> AddressReply {
        switch outcome {
        case .success(let bindings): return reply(bindings)
        case .failure(let error): return .failure(failure(error))
        }
    }

    /// What a response means to lbd. Only a single variable binding for exactly the load report
    /// OID, holding an INTEGER (one load) or an OCTET STRING (per-alias loads), is a reply;
    /// every other answer is a failure naming what was wrong. golbd took any number type, and
    /// any OID, as a load.
    public static func reply(_ bindings: [VariableBinding]) -> AddressReply {
        guard let binding = bindings.first else { return .failure(.emptyVarbindList) }
        guard bindings.count == 1 else { return .failure(.tooManyVarbinds(bindings.count)) }
        guard binding.oid == oid else { return .failure(.wrongOID(binding.oid.description)) }
        switch binding.value {
        case .integer(let load): return .integer(Int(load))
        case .octetString(let bytes): return .text(String(decoding: bytes, as: UTF8.self))
        case .noSuchObject: return .failure(.noSuchObject)
        case .noSuchInstance: return .failure(.noSuchInstance)
        case .endOfMibView: return .failure(.endOfMibView)
        case .null, .objectIdentifier, .ipAddress, .counter32, .gauge32, .timeTicks, .opaque, .counter64:
            return .failure(.wrongType(binding.value.typeName))
        }
    }

    /// The failure an SNMP client error stands for.
    public static func failure(_ error: SNMPClientError) -> PollFailure {
        switch error {
        case .timeout(let attempts): return .timeout(attempts: attempts)
        case .errorStatus(let status, let index): return .agentError(status: status.description, index: index)
        case .security(let error): return .security(security(error))
        case .unexpectedReport(let oid): return .unexpectedReport(oid?.description)
        case .malformedResponse(let detail): return .malformed(detail)
        case .unexpectedBindingCount(let received, _):
            return received == 0 ? .emptyVarbindList : .tooManyVarbinds(received)
        case .engineMismatch: return .engineMismatch
        case .unsupportedAddress, .sendFailed: return .sendFailed(error.description)
        case .shutDown: return .cancelled
        }
    }

    static func security(_ error: USMError) -> PollFailure.Security {
        switch error {
        case .unsupportedSecurityLevel: return .unsupportedSecurityLevel
        case .notInTimeWindow: return .notInTimeWindow
        case .unknownUserName: return .unknownUserName
        case .unknownEngineID: return .unknownEngineID
        case .wrongDigest: return .wrongDigest
        case .decryptionError: return .decryptionError
        }
    }
}

extension SNMPNodeProbe: BatchNodeProbe {
    public var pollsInBatches: Bool { SNMPClient.batchGetsAvailable }

    public func poll(
        batch addresses: [SocketAddress], pacing: SNMPClient.BatchPacing,
        started: @escaping @Sendable () -> Void,
        deliver: @escaping @Sendable (Int, AddressReply, Duration) -> Void
    ) async {
        await client.get(
            [Self.oid], fromEach: addresses, credentials: credentials, timeout: timeout, retries: retries,
            pacing: pacing, started: started
        ) { address, outcome, elapsed in
            deliver(address, Self.reply(outcome), elapsed)
        }
    }
}
