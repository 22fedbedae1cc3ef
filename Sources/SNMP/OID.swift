/// An SNMP object identifier, such as `.1.3.6.1.4.1.96.255.1`.
///
/// Kept as its arcs; the text form has a leading dot, as net-snmp prints numeric OIDs.
public struct OID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let arcs: [UInt32]

    /// Builds an OID from its arcs; BER needs at least two, the first in 0...2.
    public init?(arcs: [UInt32]) {
        guard arcs.count >= 2, arcs.count <= 128, arcs[0] <= 2, arcs[0] == 2 || arcs[1] < 40 else {
            return nil
        }
        self.arcs = arcs
    }

    /// Parses the dotted form, with or without the leading dot.
    public init?(_ text: String) {
        var body = Substring(text)
        if body.hasPrefix(".") { body = body.dropFirst() }
        var arcs: [UInt32] = []
        for part in body.split(separator: ".", omittingEmptySubsequences: false) {
            guard !part.isEmpty, part.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                let arc = UInt32(part)
            else { return nil }
            arcs.append(arc)
        }
        self.init(arcs: arcs)
    }

    public var description: String {
        "." + arcs.map(String.init).joined(separator: ".")
    }

    /// Lexicographic order of the arcs, the order GETNEXT walks.
    public static func < (lhs: OID, rhs: OID) -> Bool {
        lhs.arcs.lexicographicallyPrecedes(rhs.arcs)
    }

    /// Whether `self` lies in the subtree rooted at `prefix` (or is `prefix`).
    public func hasPrefix(_ prefix: OID) -> Bool {
        arcs.starts(with: prefix.arcs)
    }
}
