import Foundation
import Testing

@testable import LBClientKit

/// `ConfigurationLimits.read` uses open(2)/read(2) instead of FileHandle and
/// `String(data:encoding:)`; these pin what those gave.
@Suite("Reading a configuration file without Foundation")
struct ConfigurationReadingTests {
    private func write(_ scratch: Scratch, _ bytes: [UInt8]) throws -> String {
        let path = scratch.path + "/file"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func aLeadingByteOrderMarkIsDroppedAsStringDataDid() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        for bytes: [UInt8] in [
            [0xEF, 0xBB, 0xBF] + Array("load constant 7\n".utf8), [0xEF, 0xBB, 0xBF], [],
            Array("a\u{FEFF}b\n".utf8), [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF] + Array("x".utf8),
        ] {
            let path = try write(scratch, bytes)
            let expected = String(data: Data(bytes), encoding: .utf8)
            #expect(try ConfigurationLimits.standard.read(path).get() == expected, "\(bytes)")
        }
    }

    @Test func bytesThatAreNotUTF8AreRefused() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = try write(scratch, Array("load constant 7\n".utf8) + [0xFF, 0x0A])
        #expect(String(data: Data(Array("x".utf8) + [0xFF]), encoding: .utf8) == nil)
        #expect(
            ConfigurationLimits.standard.read(path)
                == .failure(Problem("cannot read \(path): it is not UTF-8 text")))
    }

    @Test func unreadableFilesSayWhy() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        #expect(
            ConfigurationLimits.standard.read(scratch.path + "/missing")
                == .failure(Problem("cannot read \(scratch.path)/missing: No such file or directory")))
        #expect(
            ConfigurationLimits.standard.read(scratch.path)
                == .failure(Problem("cannot read \(scratch.path): Is a directory")))
    }

    @Test func theSizeLimitIsExactAcrossReads() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let limits = ConfigurationLimits(maximumFileSize: 100_000, maximumLineCount: 1_000_000)
        let atLimit = try write(scratch, Array(repeating: UInt8(ascii: "#"), count: 100_000))
        #expect(try limits.read(atLimit).get().utf8.count == 100_000)
        let over = try write(scratch, Array(repeating: UInt8(ascii: "#"), count: 100_001))
        #expect(
            limits.read(over)
                == .failure(
                    Problem(
                        "\(over) is larger than 100000 bytes; lbclient reads configuration files of at most that size"
                    )
                ))
    }
}
