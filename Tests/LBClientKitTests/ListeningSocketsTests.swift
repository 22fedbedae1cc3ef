import Foundation
import LBCore
import Testing

@testable import LBClientKit

@Suite(
    "ListeningSockets",
    .enabled(if: 1.littleEndian == 1, "fixtures are written as a little-endian kernel prints them"))
struct ListeningSocketsTests {
    @Test func ipv4Encoding() throws {
        #expect(ListeningSockets.procHex(of: [127, 0, 0, 1]) == "0100007F")
        #expect(ListeningSockets.procHex(of: [0, 0, 0, 1]) == "01000000")
        #expect(ListeningSockets.procHex(of: [0, 0, 0, 0]) == "00000000")
        #expect(ListeningSockets.procHex(of: [10, 0, 2, 15]) == "0F02000A")
        #expect(ListeningSockets.address(fromProcHex: Array("01000000".utf8), family: .ipv4) == [0, 0, 0, 1])
    }

    @Test func ipv6EncodingReversesEachWord() throws {
        let loopback = try #require(ListeningSockets.addressBytes("::1"))
        #expect(ListeningSockets.procHex(of: loopback) == "00000000000000000000000001000000")
        let global = try #require(ListeningSockets.addressBytes("2001:db8::1"))
        #expect(ListeningSockets.procHex(of: global) == "B80D0120000000000000000001000000")
        let linkLocal = try #require(ListeningSockets.addressBytes("fe80::a00:27ff:fe4e:66a1"))
        #expect(ListeningSockets.procHex(of: linkLocal) == "000080FE00000000FF27000AA1664EFE")
        let decoded = ListeningSockets.address(
            fromProcHex: Array("000080FE00000000FF27000AA1664EFE".utf8), family: .ipv6)
        #expect(decoded == linkLocal)
    }

    @Test func addressLiterals() {
        #expect(ListeningSockets.addressBytes("0.0.0.1") == [0, 0, 0, 1])
        #expect(ListeningSockets.addressBytes("::")?.count == 16)
        #expect(ListeningSockets.addressBytes("127.0.0") == nil)
        #expect(ListeningSockets.addressBytes("localhost") == nil)
        #expect(ListeningSockets.addressBytes("") == nil)
        #expect(ListeningSockets.text(of: [0, 0, 0, 1]) == "0.0.0.1")
    }

    @Test func parsesListenersOnly() {
        let tcp = ListeningSockets.parse(ProcNetFixtures.tcp, transport: .tcp, family: .ipv4)
        #expect(tcp.map(\.port) == [22, 25, 8081])
        #expect(tcp.map(\.addressDescription) == ["0.0.0.0", "127.0.0.1", "0.0.0.1"])
        let tcp6 = ListeningSockets.parse(ProcNetFixtures.tcp6, transport: .tcp, family: .ipv6)
        #expect(tcp6.map(\.addressDescription) == ["::", "::1", "2001:db8::1"])
        let udp = ListeningSockets.parse(ProcNetFixtures.udp, transport: .udp, family: .ipv4)
        #expect(udp.map(\.port) == [53, 40960])
    }

    @Test func wrongFamilyLinesAreSkipped() {
        #expect(ListeningSockets.parse(ProcNetFixtures.tcp6, transport: .tcp, family: .ipv4).isEmpty)
        #expect(ListeningSockets.parse(ProcNetFixtures.tcp, transport: .tcp, family: .ipv6).isEmpty)
    }

    @Test func malformedLines() {
        let lines = [
            "", "   ", "sl local_address", "0: 0100007F:0016 00000000:0000",
            "x: 0100007F:0016 00000000:0000 0A", "0 0100007F:0016 00000000:0000 0A",
            "0: 0100007G:0016 00000000:0000 0A", "0: 0100007F:016 00000000:0000 0A",
            "0: 0100007F:0016 00000000:0000 A", "0: 0100007F:0016 00000000:0000 0AA",
            "0: 100007F:0016 00000000:0000 0A", "0: 0100007F:0016:1 00000000:0000 0A",
            "0: +100007F:0016 00000000:0000 0A", "0: 0100007F:0016 0000:0000 0A",
            "0: 0100007F:+016 00000000:0000 0A", "0: 0100007F:0016 00000000:0000 -A",
        ]
        for line in lines {
            #expect(
                ListeningSockets.entry(Array(line.utf8), transport: .tcp, family: .ipv4) == nil, "\(line)")
        }
        let good = ListeningSockets.entry(
            Array("0:\t0100007f:0016  00000000:0000 0a".utf8), transport: .tcp, family: .ipv4)
        #expect(good == ListeningSocket(transport: .tcp, address: [127, 0, 0, 1], port: 22, state: 0x0A))
    }

    /// Random and mutated lines never trap, and whatever parses is well-formed.
    @Test func fuzz() {
        var generator = SeededRandomNumberGenerator(seed: 0x50C)
        let seeds = (ProcNetFixtures.tcp + ProcNetFixtures.tcp6).split(separator: "\n").map { Array($0.utf8) }
        let alphabet = Array("0123456789ABCDEFabcdef: \t\n-+xG".utf8)
        var parsed = 0
        for round in 0..<6000 {
            var bytes: [UInt8]
            if round % 3 == 0 {
                bytes = (0..<generator.below(120)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            } else {
                bytes = seeds[generator.below(seeds.count)]
                for _ in 0..<(1 + generator.below(3)) {
                    let position = generator.below(bytes.count + 1)
                    let byte =
                        generator.below(4) == 0
                        ? UInt8(truncatingIfNeeded: generator.next())
                        : alphabet[generator.below(alphabet.count)]
                    switch generator.below(3) {
                    case 0 where position < bytes.count: bytes.remove(at: position)
                    case 1 where position < bytes.count: bytes[position] = byte
                    default: bytes.insert(byte, at: position)
                    }
                }
            }
            for family in ListeningSocket.Family.allCases {
                if let socket = ListeningSockets.entry(bytes, transport: .tcp, family: family) {
                    parsed += 1
                    #expect(socket.address.count == family.addressLength)
                    #expect(!socket.addressDescription.isEmpty)
                }
                let text = String(decoding: bytes, as: UTF8.self)
                for socket in ListeningSockets.parse(text, transport: .udp, family: family) {
                    #expect(socket.address.count == family.addressLength)
                }
            }
        }
        // Mutations that leave a line intact must still parse: the fuzz reached the happy path.
        #expect(parsed > 100)
    }
}
