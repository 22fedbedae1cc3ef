/// Why one address of a node gave lbd no load: silence, an answer lbd must not trust, an error
/// the agent reported, or a security failure.
///
/// The engine, the logs and the JSON output switch on it; `code` is a stable snake_case name for
/// programs and `description` a sentence for people. Invariant: every case has its own `code`,
/// except that the six security failures share the `security` case and are told apart by
/// `Security`.
public enum PollFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// No answer within the timeout, after every attempt.
    case timeout(attempts: Int)
    /// Something came back that is not a readable SNMP answer to the request (garbage, a
    /// truncated datagram, a PDU of the wrong type, a response to another request).
    case malformed(String)
    /// The answer's variable binding is for another OID than the load report's; carries it.
    case wrongOID(String)
    /// The value is neither an INTEGER nor an OCTET STRING; carries its type (`Gauge32`).
    case wrongType(String)
    /// The agent has no object at the load report OID (lbclient is not configured in snmpd).
    case noSuchObject
    /// The agent has the object but not this instance.
    case noSuchInstance
    /// The agent answered a GET with the end-of-MIB exception.
    case endOfMibView
    /// The response has no variable binding.
    case emptyVarbindList
    /// The response has this many variable bindings for the one requested.
    case tooManyVarbinds(Int)
    /// The agent answered with a non-zero error-status (its RFC 3416 name) at `index`.
    case agentError(status: String, index: Int)
    /// The SNMPv3 security layer failed, as the agent reported it or as found in its answer.
    case security(Security)
    /// The agent answered with a Report that names no USM error; carries its OID, if any.
    case unexpectedReport(String?)
    /// The answer came from another SNMPv3 engine than the one discovered at this address.
    case engineMismatch
    /// The request could not be sent (no socket for the address family, a send error).
    case sendFailed(String)
    /// The poll was cancelled (lbd is shutting down).
    case cancelled
    /// A per-alias answer lists the alias with a value that is not an integer; carries it.
    case malformedLoad(String)
    /// A failure known only by its text: the `{"error": "..."}` replies of a `lbd simulate`
    /// reports file.
    case reported(String)

    /// The SNMPv3 security failures: the usmStats counters of RFC 3414 section 5.
    public enum Security: String, Hashable, Sendable, CaseIterable {
        case unsupportedSecurityLevel = "unsupported_security_level"
        case notInTimeWindow = "not_in_time_window"
        case unknownUserName = "unknown_user_name"
        case unknownEngineID = "unknown_engine_id"
        case wrongDigest = "wrong_digest"
        case decryptionError = "decryption_error"

        /// The usmStats counter that names the failure.
        public var counter: String {
            switch self {
            case .unsupportedSecurityLevel: "usmStatsUnsupportedSecLevels"
            case .notInTimeWindow: "usmStatsNotInTimeWindows"
            case .unknownUserName: "usmStatsUnknownUserNames"
            case .unknownEngineID: "usmStatsUnknownEngineIDs"
            case .wrongDigest: "usmStatsWrongDigests"
            case .decryptionError: "usmStatsDecryptionErrors"
            }
        }

        /// What the failure means, and what to check.
        var explanation: String {
            switch self {
            case .unsupportedSecurityLevel:
                "unsupported security level (\(counter)): the agent wants another level (auth, priv)"
            case .notInTimeWindow: "not in time window (\(counter))"
            case .unknownUserName: "unknown user name (\(counter)): check the SNMPv3 user"
            case .unknownEngineID: "unknown engine ID (\(counter))"
            case .wrongDigest:
                "wrong digest (\(counter)): the authentication password or protocol differs"
            case .decryptionError:
                "decryption error (\(counter)): the privacy password or protocol differs"
            }
        }
    }

    /// A stable snake_case name for programs: JSON fields, metrics labels, log filters.
    public var code: String {
        switch self {
        case .timeout: "timeout"
        case .malformed: "malformed"
        case .wrongOID: "wrong_oid"
        case .wrongType: "wrong_type"
        case .noSuchObject: "no_such_object"
        case .noSuchInstance: "no_such_instance"
        case .endOfMibView: "end_of_mib_view"
        case .emptyVarbindList: "empty_varbind_list"
        case .tooManyVarbinds: "too_many_varbinds"
        case .agentError: "agent_error"
        case .security(let security): security.rawValue
        case .unexpectedReport: "unexpected_report"
        case .engineMismatch: "engine_mismatch"
        case .sendFailed: "send_failed"
        case .cancelled: "cancelled"
        case .malformedLoad: "malformed_load"
        case .reported: "reported"
        }
    }

    /// Whether the address stayed silent, rather than saying something lbd could not use.
    public var isSilence: Bool {
        if case .timeout = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .timeout(let attempts):
            "no answer (timeout after \(attempts) attempt\(attempts == 1 ? "" : "s"))"
        case .malformed(let detail): "malformed answer: \(detail)"
        case .wrongOID(let oid): "answer for another OID (\(Self.excerpt(oid))), not the load report's"
        case .wrongType(let type): "wrong type \(type): a load is an INTEGER or an OCTET STRING"
        case .noSuchObject: "noSuchObject: the agent does not serve the load report OID"
        case .noSuchInstance: "noSuchInstance: the agent does not serve the load report OID"
        case .endOfMibView: "endOfMibView: the agent does not serve the load report OID"
        case .emptyVarbindList: "the response has no variable binding"
        case .tooManyVarbinds(let count): "the response has \(count) variable bindings for 1 requested"
        case .agentError(let status, let index): "agent error \(status) (error-index \(index))"
        case .security(let security): security.explanation
        case .unexpectedReport(let oid): "unexpected report \(oid ?? "without variable binding")"
        case .engineMismatch: "the answer came from another SNMP engine than the one discovered"
        case .sendFailed(let detail): "cannot send: \(detail)"
        case .cancelled: "the poll was cancelled: lbd is stopping"
        case .malformedLoad(let value): "malformed load '\(Self.excerpt(value))' for this alias"
        case .reported(let text): text
        }
    }

    /// At most 40 characters of a value a node sent, control characters shown as `?`, so that a
    /// hostile answer cannot flood or forge a log line.
    static func excerpt(_ value: String) -> String {
        let shown = value.unicodeScalars.prefix(40).map { scalar in
            scalar.properties.generalCategory == .control ? "?" : Character(scalar)
        }
        return String(shown) + (value.unicodeScalars.count > 40 ? "..." : "")
    }
}
