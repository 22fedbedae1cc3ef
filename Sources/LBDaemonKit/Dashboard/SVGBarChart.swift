/// A horizontal bar chart as inline SVG: one `<rect data-bar="LABEL" data-value="V">` per bar,
/// its label on the left and its value written on the right.
///
/// Invariant: bars are drawn in the order given and scaled to `maximum`, so that shares (0...1)
/// read as percentages of the full width.
struct SVGBarChart: Sendable {
    struct Bar: Hashable, Sendable {
        var label: String
        var value: Double
        /// What is written beside the bar (`42.5 %`, `17`).
        var text: String
    }

    /// The `data-chart` name tests and readers find the chart by.
    var name: String
    var title: String
    var bars: [Bar]
    /// The value of a full-width bar; nil: the largest value.
    var maximum: Double?

    private static let width = 960.0
    private static let labelWidth = 280.0
    private static let valueWidth = 90.0
    private static let rowHeight = 24.0
    private static let barHeight = 16.0

    func render() -> String {
        let height = Double(bars.count) * Self.rowHeight + 8
        let scale = maximum ?? bars.map(\.value).max() ?? 1
        let area = Self.width - Self.labelWidth - Self.valueWidth
        var svg = """
            <svg data-chart="\(HTMLText.escape(name))" xmlns="http://www.w3.org/2000/svg" \
            viewBox="0 0 \(SVGNumber.format(Self.width)) \(SVGNumber.format(height))" \
            width="\(SVGNumber.format(Self.width))" height="\(SVGNumber.format(height))" role="img">\
            <title>\(HTMLText.escape(title))</title>
            """
        for (index, bar) in bars.enumerated() {
            let top = 4 + Double(index) * Self.rowHeight
            let length = scale > 0 ? area * min(max(bar.value / scale, 0), 1) : 0
            let middle = SVGNumber.format(top + Self.barHeight / 2 + 4)
            svg +=
                "<text x=\"\(SVGNumber.format(Self.labelWidth - 8))\" y=\"\(middle)\" text-anchor=\"end\">"
                + "\(HTMLText.escape(SVGLineChart.shortened(bar.label, limit: 44)))</text>"
                + "<rect data-bar=\"\(HTMLText.escape(bar.label))\" data-value=\"\(bar.value)\" "
                + "x=\"\(SVGNumber.format(Self.labelWidth))\" y=\"\(SVGNumber.format(top))\" "
                + "width=\"\(SVGNumber.format(length))\" height=\"\(SVGNumber.format(Self.barHeight))\" "
                + "fill=\"#3f6fb5\"><title>\(HTMLText.escape(bar.label)): \(HTMLText.escape(bar.text))</title></rect>"
                + "<text x=\"\(SVGNumber.format(Self.labelWidth + length + 6))\" y=\"\(middle)\">"
                + "\(HTMLText.escape(bar.text))</text>"
        }
        return svg + "</svg>"
    }
}
