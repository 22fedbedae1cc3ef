import Foundation

/// What `check daemon {...}` looks for: a socket accepting traffic on one of the ports, with
/// the given protocols, IP versions and local addresses.
///
/// Written as a JSON object, keys in any case, each value a scalar or an array:
/// `{"port": 22}`, `{"port": [80, "443"], "protocol": "tcp", "ip": "ipv6", "host": "::1"}`.
/// * `port` (required): numbers (a fraction is dropped, as golbclient did) or decimal strings,
///   1 to 65535;
/// * `protocol`: `tcp`, `udp`; both when absent;
/// * `ip`: `ipv4`/`4`, `ipv6`/`6`; both when absent;
/// * `host`: IP address literals the socket must be bound to; any when absent. `0.0.0.0` and
///   `::` mean a socket bound to every address, literally.
///
/// Everything is validated when the file is read, with the column of the faulty key.
public struct DaemonSpecification: Sendable, Hashable {
    public typealias Transport = ListeningSocket.Transport
    public typealias Family = ListeningSocket.Family

    public var ports: [UInt16]
    public var transports: Set<Transport>
    public var families: Set<Family>
    /// Network-order local addresses (4 or 16 bytes); nil means any.
    public var hosts: [[UInt8]]?
    /// Keys of the JSON object that mean nothing here; golbclient ignored them too, the check
    /// logs them.
    public var ignoredKeys: [String] = []

    public init(
        ports: [UInt16], transports: Set<Transport> = Set(Transport.allCases),
        families: Set<Family> = Set(Family.allCases), hosts: [[UInt8]]? = nil
    ) {
        self.ports = ports
        self.transports = transports
        self.families = families
        self.hosts = hosts
    }

    /// The specification of a legacy keyword (`sshdaemon`...): TCP, both IP versions, any host.
    public static func legacy(port: UInt16) -> DaemonSpecification {
        DaemonSpecification(ports: [port], transports: [.tcp])
    }

    /// Parses the JSON object in the arguments of `line`: the first `{` and its matching `}`.
    /// Text around the object is ignored, as golbclient did.
    ///
    /// - Throws: ``ClientConfigError`` at the column of the problem.
    public init(line: ConfigLine) throws {
        let arguments = line.arguments
        guard let object = Self.firstObject(in: arguments) else {
            let hasBrace = arguments.contains("{")
            throw line.error(
                hasBrace
                    ? "daemon: the JSON object is not closed"
                    : #"daemon needs a JSON object such as {"port": 22, "protocol": "tcp"}"#,
                atArgumentOffset: arguments.firstIndex(of: "{").map {
                    arguments.distance(from: arguments.startIndex, to: $0)
                } ?? 0)
        }
        let base = arguments.distance(from: arguments.startIndex, to: object.startIndex)
        let parsed: Any
        do {
            // Through a buffer: `Data(object.utf8)` looks for contiguous storage with a dynamic
            // cast, which searches every protocol conformance of the executable.
            let data = Array(object.utf8).withUnsafeBufferPointer { Data(buffer: $0) }
            parsed = try JSONSerialization.jsonObject(with: data)
        } catch {
            let reason = (error as NSError).userInfo["NSDebugDescription"] as? String ?? "\(error)"
            throw line.error("daemon: invalid JSON: \(reason)", atArgumentOffset: base)
        }
        guard let dictionary = parsed as? [String: Any] else {
            throw line.error("daemon: expected a JSON object", atArgumentOffset: base)
        }

        // Keys are case-insensitive. golbclient let the last of two spellings of a key win (with
        // a warning); the decoded object no longer says which came last, and such a line is a
        // mistake anyway, so it is refused.
        var values: [String: (key: String, value: Any)] = [:]
        var ignored: [String] = []
        for (key, value) in dictionary.sorted(by: { $0.key < $1.key }) {
            let name = key.lowercased()
            guard ["port", "protocol", "ip", "host"].contains(name) else {
                ignored.append(key)
                continue
            }
            if let other = values[name] {
                throw line.error(
                    "daemon: the key \(name) is given twice (\"\(other.key)\" and \"\(key)\")",
                    atArgumentOffset: base
                        + max(Self.offset(ofKey: key, in: object), Self.offset(ofKey: other.key, in: object)))
            }
            values[name] = (key, value)
        }
        func fail(_ message: String, key: String) -> ClientConfigError {
            line.error("daemon: \(message)", atArgumentOffset: base + Self.offset(ofKey: key, in: object))
        }
        func list(_ name: String) throws -> (key: String, items: [Any])? {
            guard let (key, value) = values[name] else { return nil }
            let items = Self.array(value) ?? [value]
            guard !items.isEmpty else { throw fail("\(name) lists no value", key: key) }
            return (key, items)
        }

        guard let (portKey, portItems) = try list("port") else {
            throw line.error(#"daemon: a port is required, e.g. {"port": 22}"#, atArgumentOffset: base)
        }
        ports = try portItems.map { item in
            guard let port = Self.port(item) else {
                throw fail(
                    "port must be 1 to 65535 (a number or a decimal string), not \(Self.describe(item))",
                    key: portKey)
            }
            return port
        }

        transports = Set(Transport.allCases)
        if let (key, items) = try list("protocol") {
            transports = Set(
                try items.map { item in
                    guard let text = Self.string(item), let transport = Transport(rawValue: text) else {
                        throw fail(
                            "protocol must be \"tcp\" or \"udp\", not \(Self.describe(item))", key: key)
                    }
                    return transport
                })
        }

        families = Set(Family.allCases)
        if let (key, items) = try list("ip") {
            families = Set(
                try items.map { item in
                    switch Self.string(item) {
                    case "ipv4", "4": return Family.ipv4
                    case "ipv6", "6": return Family.ipv6
                    default:
                        throw fail(
                            "ip must be \"ipv4\", \"4\", \"ipv6\" or \"6\", not \(Self.describe(item))",
                            key: key)
                    }
                })
        }

        hosts = nil
        if let (key, items) = try list("host") {
            hosts = try items.map { item in
                guard let text = Self.string(item), let address = ListeningSockets.addressBytes(text) else {
                    throw fail("host must be an IP address, not \(Self.describe(item))", key: key)
                }
                let family: Family = address.count == 4 ? .ipv4 : .ipv6
                // Such a host could never match: the line would always fail.
                guard families.contains(family) else {
                    throw fail(
                        "host \(text) is an \(family.rawValue) address but ip excludes \(family.rawValue)",
                        key: key)
                }
                return address
            }
        }
        ignoredKeys = ignored
    }

    /// The socket tables to read, in golbclient's order: tcp, tcp6, udp, udp6.
    public var tables: [(transport: Transport, family: Family)] {
        // Labelled like the result: an unlabelled array would be converted element by element
        // with a dynamic cast.
        var tables: [(transport: Transport, family: Family)] = []
        for transport in Transport.allCases where transports.contains(transport) {
            for family in Family.allCases where families.contains(family) {
                if let hosts, !hosts.contains(where: { $0.count == family.addressLength }) { continue }
                tables.append((transport: transport, family: family))
            }
        }
        return tables
    }

    /// True when `socket` accepts traffic as specified.
    public func accepts(_ socket: ListeningSocket) -> Bool {
        guard socket.transport == .udp || socket.state == ListeningSockets.tcpListenState else {
            return false
        }
        guard transports.contains(socket.transport), families.contains(socket.family),
            ports.contains(socket.port)
        else { return false }
        return hosts.map { $0.contains(socket.address) } ?? true
    }

    /// `tcp port 22 (IPv4, IPv6)`, for messages.
    public var summary: String {
        let protocols = Transport.allCases.filter { transports.contains($0) }.map(\.rawValue).joined(
            separator: "/")
        let portList = ports.map(String.init).joined(separator: ", ")
        let versions = Family.allCases.filter { families.contains($0) }.map(\.rawValue).joined(
            separator: ", ")
        var text = "\(protocols) port\(ports.count > 1 ? "s" : "") \(portList) (\(versions))"
        if let hosts {
            text += " on \(hosts.map(ListeningSockets.text(of:)).joined(separator: ", "))"
        }
        return text
    }

    /// The text from the first `{` to its matching `}`, skipping braces inside JSON strings.
    /// golbclient stopped at the first `}`, which a string value could contain.
    static func firstObject(in text: String) -> Substring? {
        guard let start = text.firstIndex(of: "{") else { return nil }
        var depth = 0
        var inString = false
        var escaped = false
        var index = start
        while index < text.endIndex {
            let character = text[index]
            if inString {
                if escaped {
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    inString = false
                }
            } else if character == "\"" {
                inString = true
            } else if character == "{" {
                depth += 1
            } else if character == "}" {
                depth -= 1
                if depth == 0 { return text[start...index] }
            }
            index = text.index(after: index)
        }
        return nil
    }

    private static func port(_ item: Any) -> UInt16? {
        let value: Int
        if let text = string(item) {
            guard let number = Int(text) else { return nil }
            value = number
        } else if let number = item as? NSNumber, !isBoolean(number) {
            let double = number.doubleValue
            guard double.isFinite, double > -1, double < 65536 else { return nil }
            value = Int(double.rounded(.towardZero))
        } else {
            return nil
        }
        return (1...65535).contains(value) ? UInt16(value) : nil
    }

    /// `value as? String` for a decoded JSON value.
    ///
    /// The usual types are recognised by their type first. The cast alone, tried on a number,
    /// makes the Swift runtime look for a bridging conformance through every protocol
    /// conformance of the executable (tens of microseconds each time, at every run of a
    /// one-shot); a number is never a string.
    private static func string(_ value: Any) -> String? {
        if type(of: value) == String.self { return value as? String }
        if type(of: value) == [Any].self || value is NSNumber { return nil }
        return value as? String
    }

    /// `value as? [Any]` for a decoded JSON value, recognising the usual types first as
    /// ``string(_:)`` does.
    private static func array(_ value: Any) -> [Any]? {
        if type(of: value) == [Any].self { return value as? [Any] }
        if type(of: value) == String.self || value is NSNumber { return nil }
        return value as? [Any]
    }

    /// JSON `true`/`false` decode as NSNumber too; their type encoding tells them apart.
    private static func isBoolean(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c" && (number.int64Value == 0 || number.int64Value == 1)
    }

    /// A JSON value as the operator wrote it, roughly, for messages.
    private static func describe(_ item: Any) -> String {
        switch item {
        case let text as String: return "\"\(text)\""
        case let number as NSNumber:
            return isBoolean(number) ? (number.boolValue ? "true" : "false") : number.stringValue
        case is NSNull: return "null"
        case is [Any]: return "an array"
        case is [String: Any]: return "an object"
        default: return "\(item)"
        }
    }

    /// Character offset of `"key"` in the object text, 0 when not found (an escaped key).
    private static func offset(ofKey key: String, in object: Substring) -> Int {
        guard let range = object.range(of: "\"\(key)\"") else { return 0 }
        return object.distance(from: object.startIndex, to: range.lowerBound)
    }
}
