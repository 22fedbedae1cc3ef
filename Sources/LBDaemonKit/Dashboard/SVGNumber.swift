/// Coordinates and values written into SVG: one decimal, no locale, no exponent, cheap enough
/// for thousands of points per page.
enum SVGNumber {
    /// `12.3`, `-4`, `0.5`.
    static func format(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let tenths = Int((value * 10).rounded())
        let sign = tenths < 0 ? "-" : ""
        let magnitude = abs(tenths)
        let fraction = magnitude % 10
        return sign + String(magnitude / 10) + (fraction == 0 ? "" : "." + String(fraction))
    }

    /// An axis or value label: whole numbers from 10 up, two significant decimals below.
    static func label(_ value: Double) -> String {
        guard value.isFinite else { return "" }
        if abs(value) >= 10 || value == value.rounded() { return String(Int(value.rounded())) }
        let hundredths = Int((value * 100).rounded())
        let fraction = abs(hundredths) % 100
        return (hundredths < 0 ? "-" : "") + String(abs(hundredths) / 100) + "."
            + (fraction < 10 ? "0" : "") + String(fraction)
    }
}
