import LBCore
import NIOCore
import SNMP
import Testing

@testable import LBDaemonKit

/// How lbd reads an SNMP answer: only the load OID, only INTEGER or OCTET STRING; every other
/// answer is a failure with its own reason.
@Suite struct NodeProbeReplyTests {
    let oid = OID(".1.3.6.1.4.1.96.255.1")!

    private func reply(_ value: SNMPValue) -> AddressReply {
        SNMPNodeProbe.reply([VariableBinding(oid: oid, value: value)])
    }

    @Test func theLoadOIDIsLBCoresWithoutAnInstanceSuffix() {
        #expect(SNMPNodeProbe.oid == oid)
        #expect(SNMPNodeProbe.oid.description.hasSuffix("96.255.1"))
    }

    @Test func anIntegerIsOneLoadAndAStringPerAliasLoads() {
        #expect(reply(.integer(12)) == .integer(12))
        #expect(reply(.integer(-14)) == .integer(-14))
        #expect(reply(.string("a=1,b=2")) == .text("a=1,b=2"))
    }

    @Test(arguments: [
        (SNMPValue.gauge32(5), "Gauge32"), (.counter32(5), "Counter32"), (.timeTicks(5), "Timeticks"),
        (.counter64(5), "Counter64"), (.null, "NULL"), (.objectIdentifier(OID("1.3.6")!), "OID"),
        (.ipAddress(10, 0, 0, 1), "IpAddress"), (.opaque([1]), "Opaque"),
    ])
    func everyOtherValueTypeIsAWrongTypeNamingIt(value: SNMPValue, type: String) {
        #expect(reply(value) == .failure(.wrongType(type)))
    }

    @Test func theExceptionsHaveReasonsOfTheirOwn() {
        #expect(reply(.noSuchObject) == .failure(.noSuchObject))
        #expect(reply(.noSuchInstance) == .failure(.noSuchInstance))
        #expect(reply(.endOfMibView) == .failure(.endOfMibView))
    }

    @Test func anAnswerForAnotherOIDIsNotALoad() {
        for other in ["1.3.6.1.4.1.96.255.1.0", "1.3.6.1.4.1.96.255.2", "1.3.6.1.2.1.1.3.0"] {
            let binding = VariableBinding(oid: OID(other)!, value: .integer(5))
            #expect(SNMPNodeProbe.reply([binding]) == .failure(.wrongOID(OID(other)!.description)))
        }
    }

    @Test func noBindingOrSeveralAreFailures() {
        #expect(SNMPNodeProbe.reply([]) == .failure(.emptyVarbindList))
        let binding = VariableBinding(oid: oid, value: .integer(5))
        #expect(SNMPNodeProbe.reply([binding, binding]) == .failure(.tooManyVarbinds(2)))
    }

    @Test func everyClientErrorMapsToItsOwnFailure() {
        #expect(SNMPNodeProbe.failure(.timeout(attempts: 3)) == .timeout(attempts: 3))
        #expect(SNMPNodeProbe.failure(.malformedResponse("x")) == .malformed("x"))
        #expect(
            SNMPNodeProbe.failure(.unexpectedBindingCount(received: 0, requested: 1)) == .emptyVarbindList)
        #expect(
            SNMPNodeProbe.failure(.unexpectedBindingCount(received: 3, requested: 1)) == .tooManyVarbinds(3))
        #expect(SNMPNodeProbe.failure(.engineMismatch) == .engineMismatch)
        #expect(SNMPNodeProbe.failure(.shutDown) == .cancelled)
        #expect(SNMPNodeProbe.failure(.unexpectedReport(nil)) == .unexpectedReport(nil))
        #expect(SNMPNodeProbe.failure(.sendFailed("refused")).code == "send_failed")
        #expect(SNMPNodeProbe.failure(.unsupportedAddress("IPv6")).code == "send_failed")
    }

    @Test(arguments: SNMPErrorStatus.allCases.filter { $0 != .noError })
    func anErrorStatusKeepsItsRFCName(status: SNMPErrorStatus) {
        let failure = SNMPNodeProbe.failure(.errorStatus(status, index: 1))
        #expect(failure == .agentError(status: status.description, index: 1))
        #expect(failure.code == "agent_error")
        #expect(failure.description.contains(status.description))
    }

    @Test func eachUSMErrorIsItsOwnSecurityFailure() {
        let errors: [USMError] = [
            .unsupportedSecurityLevel, .notInTimeWindow, .unknownUserName, .unknownEngineID, .wrongDigest,
            .decryptionError,
        ]
        let failures = errors.map { SNMPNodeProbe.failure(.security($0)) }
        #expect(Set(failures.map(\.code)).count == errors.count)
        #expect(failures[4] == .security(.wrongDigest))
        #expect(failures[4].description.hasPrefix("wrong digest (usmStatsWrongDigests)"))
        #expect(failures[2].description.contains("usmStatsUnknownUserNames"))
    }
}
