/// The name of the HAProxy server that stands for a member: `prefix` then the member's name,
/// with every character HAProxy refuses in a server name (anything but letters, digits, `.`,
/// `-`, `_` and `:`) replaced by `_`, at most 100 characters.
///
/// `node1.example.org` with the default prefix is `lbd-node1.example.org`; the IPv6 member
/// `2001:db8::1` is `lbd-2001:db8::1`.
public enum HAProxyServerName {
    public static let maximumLength = 100

    public static func make(prefix: String, member: String) -> String {
        String(sanitize(prefix + member).prefix(maximumLength))
    }

    /// `text` with the characters HAProxy refuses in proxy and server names replaced by `_`.
    public static func sanitize(_ text: String) -> String {
        String(text.map { isAllowed($0) ? $0 : "_" })
    }

    /// Whether `text` is a valid HAProxy backend or server name as it is.
    public static func isValid(_ text: String) -> Bool {
        !text.isEmpty && text.count <= maximumLength && text.allSatisfy(isAllowed)
    }

    private static func isAllowed(_ character: Character) -> Bool {
        character.isASCII
            && (character.isLetter || character.isNumber || [".", "-", "_", ":"].contains(character))
    }
}
