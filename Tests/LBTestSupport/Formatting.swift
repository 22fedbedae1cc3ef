/// Every way a value is turned into text in logs and messages: interpolation, `description`,
/// `debugDescription` through reflection, and an error's `localizedDescription` path.
///
/// A `description` that interpolates `self` calls itself until the stack overflows, which
/// crashed lbd on the first SNMP error-status. Formatting every case of every public enum and
/// error type is the test for that whole class of bug: a recursion crashes the test process.
public enum Formatting {
    /// The texts of `value`; each is non-empty for a well-formed type.
    public static func texts(of value: Any) -> [String] {
        var texts = ["\(value)", String(describing: value), String(reflecting: value)]
        if let convertible = value as? CustomStringConvertible { texts.append(convertible.description) }
        if let error = value as? any Error { texts.append(String(describing: error)) }
        return texts
    }

    /// The values whose texts are empty, to report them by name.
    public static func unformatted(_ values: [Any]) -> [String] {
        values.filter { texts(of: $0).contains(where: \.isEmpty) }.map { String(reflecting: type(of: $0)) }
    }
}
