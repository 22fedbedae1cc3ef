import Foundation
import LBCore
import Testing

@testable import LBClientKit

/// Random and mutated input for every decoder of lbclient's files and of what its helper
/// programs and snmpd send: an error or a value, never a crash or a hang.
@Suite("lbclient input fuzzing")
struct ClientInputFuzzTests {
    private static let alphabet = Array(
        "lbalias=createUser rocommunity engineID MD5 SHA-256 AES \"#\n\r\t :/.-_=0123456789abcdefxyz{}[]é\u{0}"
    )

    private func randomText(_ generator: inout SeededRandomNumberGenerator, maximumLength: Int = 300)
        -> String
    {
        let length = Int.random(in: 0...maximumLength, using: &generator)
        return String((0..<length).map { _ in Self.alphabet.randomElement(using: &generator)! })
    }

    private func mutate(_ text: String, _ generator: inout SeededRandomNumberGenerator) -> String {
        var bytes = Array(text.utf8)
        for _ in 0..<Int.random(in: 1...8, using: &generator) where !bytes.isEmpty {
            let index = Int.random(in: 0..<bytes.count, using: &generator)
            switch Int.random(in: 0..<3, using: &generator) {
            case 0: bytes[index] = UInt8.random(in: 0...255, using: &generator)
            case 1: bytes.remove(at: index)
            default: bytes.insert(UInt8.random(in: 0...255, using: &generator), at: index)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func aliasListAndAgentAccessFiles() {
        var generator = SeededRandomNumberGenerator(seed: 1)
        let access =
            "rocommunity public\ncreateUser lb MD5 \"secret pass\"\ncreateUser x SHA-256 authpass1 AES privpass1\nengineID 0x8000006004deadbeef\n"
        for _ in 0..<3000 {
            let text = randomText(&generator)
            _ = AliasListFile.parse(text)
            _ = AgentAccessFile.parse(text, path: "fuzz")
            _ = AgentAccessFile.parse(mutate(access, &generator), path: "fuzz")
        }
    }

    @Test func passPersistInput() {
        var generator = SeededRandomNumberGenerator(seed: 2)
        var session = PassPersistSession()
        var answers = 0
        for _ in 0..<20000 {
            let line: String
            switch Int.random(in: 0..<4, using: &generator) {
            case 0:
                line = ["PING", "get", "getnext", "set", ".1.3.6.1.4.1.96.255.1"].randomElement(
                    using: &generator)!
            case 1: line = ".1.3.6.1.4.1.96." + String(Int.random(in: 0...999_999_999_999, using: &generator))
            default: line = randomText(&generator, maximumLength: 60)
            }
            if case .answer = session.receive(line) { answers += 1 }
        }
        #expect(answers > 0)
    }

    @Test func lbpostFiles() {
        var generator = SeededRandomNumberGenerator(seed: 3)
        let valid =
            "url: https://h:8443/lb/\ncacert: /ca.pem\nauthtimeout: 5\nstatus:\n  - aliasname: a\n    secret: s\n"
        for _ in 0..<2000 {
            _ = try? PostConfiguration.parse(mutate(valid, &generator), path: "fuzz")
            _ = try? PostConfiguration.parse(randomText(&generator), path: "fuzz")
        }
    }

    @Test func helperProgramOutput() {
        var generator = SeededRandomNumberGenerator(seed: 4)
        let lemon = "node 13163 1700000000 1 2 3\nnode 20003 1700000000 0.12\n"
        let collectd = "shortterm=5.000000e-01\nmidterm=4.000000e-01\nlongterm=3.000000e-01\n"
        for _ in 0..<5000 {
            _ = try? LemonOutput(parsing: mutate(lemon, &generator))
            _ = try? LemonOutput(parsing: randomText(&generator))
            _ = try? CollectdValue.parseList(mutate(collectd, &generator), from: "fuzz")
            _ = try? CollectdValue.parseList(randomText(&generator), from: "fuzz")
        }
    }
}
