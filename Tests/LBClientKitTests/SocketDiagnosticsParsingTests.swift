#if os(Linux)
    import Glibc
    import LBCore
    import Testing

    @testable import LBClientKit

    /// The netlink dump parser on datagrams built here: the kernel's answers as they should be,
    /// then truncated, corrupted and random ones, which must throw (and so fall back to the
    /// /proc/net file), never crash or loop.
    @Suite struct SocketDiagnosticsParsingTests {
        private let sequence: UInt32 = 0x0102_0304

        /// One netlink message: header (length, type, flags, sequence, port id) and payload.
        private func message(type: UInt16, flags: UInt16 = 0, sequence: UInt32? = nil, payload: [UInt8])
            -> [UInt8]
        {
            var bytes: [UInt8] = []
            append(UInt32(16 + payload.count), to: &bytes)
            append(type, to: &bytes)
            append(flags, to: &bytes)
            append(sequence ?? self.sequence, to: &bytes)
            append(UInt32(0), to: &bytes)
            bytes += payload
            while bytes.count % 4 != 0 { bytes.append(0) }
            return bytes
        }

        /// An inet_diag_msg: family, state, timer, retrans, then the id (source port big-endian,
        /// destination port, source and destination addresses), and the rest zeroed.
        private func socketAnswer(family: Int32, state: UInt8, port: UInt16, address: [UInt8]) -> [UInt8] {
            var payload = [UInt8](repeating: 0, count: 72)
            payload[0] = UInt8(family)
            payload[1] = state
            payload[4] = UInt8(port >> 8)
            payload[5] = UInt8(port & 0xFF)
            for (index, octet) in address.enumerated() { payload[8 + index] = octet }
            return payload
        }

        private func append<Integer: FixedWidthInteger>(_ value: Integer, to bytes: inout [UInt8]) {
            withUnsafeBytes(of: value) { bytes += $0 }
        }

        private func parse(_ datagram: [UInt8], family: ListeningSocket.Family = .ipv4)
            -> (sockets: [ListeningSocket], done: Bool)?
        {
            var sockets: [ListeningSocket] = []
            guard
                let done = try? SocketDiagnostics.parse(
                    datagram[...], transport: .tcp, family: family, sequence: sequence, into: &sockets)
            else { return nil }
            return (sockets, done)
        }

        @Test func aDumpOfTwoSocketsAndItsEndIsRead() throws {
            let datagram =
                message(
                    type: SocketDiagnostics.sockDiagByFamily,
                    payload: socketAnswer(family: AF_INET, state: 10, port: 443, address: [127, 0, 0, 1]))
                + message(
                    type: SocketDiagnostics.sockDiagByFamily,
                    payload: socketAnswer(family: AF_INET, state: 10, port: 8080, address: [0, 0, 0, 0]))
                + message(type: SocketDiagnostics.messageDone, payload: [0, 0, 0, 0])
            let parsed = try #require(parse(datagram))
            #expect(parsed.done)
            #expect(parsed.sockets.map(\.port) == [443, 8080])
            #expect(parsed.sockets.map(\.address) == [[127, 0, 0, 1], [0, 0, 0, 0]])
            // Without its end, the same datagram asks for the next one.
            let partial = try #require(parse(Array(datagram.prefix(2 * (16 + 72)))))
            #expect(!partial.done)
            #expect(partial.sockets.count == 2)
        }

        @Test func malformedDumpsAreRefused() {
            let answer = message(
                type: SocketDiagnostics.sockDiagByFamily,
                payload: socketAnswer(family: AF_INET, state: 10, port: 22, address: [127, 0, 0, 1]))
            // Cut inside the header, inside the answer; another sequence; the other family; a
            // failed dump; an interrupted one; an unknown type; a length below the header's.
            #expect(parse(Array(answer.prefix(10))) == nil)
            #expect(parse(Array(answer.prefix(40))) == nil)
            #expect(
                parse(
                    message(
                        type: SocketDiagnostics.sockDiagByFamily, sequence: 9, payload: Array(answer[16...])))
                    == nil)
            #expect(parse(answer, family: .ipv6) == nil)
            #expect(
                parse(message(type: SocketDiagnostics.messageDone, payload: [0xEA, 0xFF, 0xFF, 0xFF])) == nil)
            #expect(
                parse(
                    message(
                        type: SocketDiagnostics.sockDiagByFamily, flags: 0x10, payload: Array(answer[16...])))
                    == nil)
            #expect(parse(message(type: 99, payload: [])) == nil)
            var short = answer
            short[0] = 8
            short[1] = 0
            short[2] = 0
            short[3] = 0
            #expect(parse(short) == nil)
        }

        @Test func randomAndCorruptedDatagramsNeverCrash() {
            var random = SeededRandomNumberGenerator(seed: 17)
            let valid =
                message(
                    type: SocketDiagnostics.sockDiagByFamily,
                    payload: socketAnswer(
                        family: AF_INET6, state: 10, port: 53, address: Array(repeating: 0, count: 15) + [1]))
                + message(type: SocketDiagnostics.messageDone, payload: [0, 0, 0, 0])
            var parsedSomething = 0
            for round in 0..<20_000 {
                var datagram: [UInt8]
                if round % 2 == 0 {
                    datagram = (0..<Int.random(in: 0...300, using: &random)).map { _ in
                        UInt8.random(in: 0...255, using: &random)
                    }
                } else {
                    datagram = valid
                    for _ in 0..<Int.random(in: 1...4, using: &random) {
                        datagram[Int.random(in: 0..<datagram.count, using: &random)] = UInt8.random(
                            in: 0...255, using: &random)
                    }
                    datagram = Array(datagram.prefix(Int.random(in: 0...datagram.count, using: &random)))
                }
                if let parsed = parse(datagram, family: .ipv6) {
                    parsedSomething += 1
                    // Whatever was accepted is within the datagram: one socket per 88 octets at most.
                    #expect(parsed.sockets.count <= datagram.count / 88)
                }
            }
            // The corruptions leave some datagrams valid: the loop did reach the parser's end.
            #expect(parsedSomething > 0)
        }
    }
#endif
