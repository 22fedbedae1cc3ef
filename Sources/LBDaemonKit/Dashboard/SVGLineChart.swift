import Foundation

/// A line chart over a time window as inline SVG: one `<path data-series="NAME" data-points="N">`
/// per series, time labels under the x axis, values beside the y axis, and a legend.
///
/// Invariant: no series draws more than `maximumPoints` points, whatever the history holds, so
/// 30 days of samples render as fast as one hour.
struct SVGLineChart: Sendable {
    /// One value at one time; a nil value is a gap (the node gave no load then).
    struct Point: Hashable, Sendable {
        var at: Date
        var value: Double?
    }

    struct Series: Hashable, Sendable {
        var name: String
        /// Oldest first.
        var points: [Point]
    }

    static let maximumPoints = 500
    static let palette = [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
        "#bcbd22", "#17becf",
    ]

    /// The `data-chart` name tests and readers find the chart by.
    var name: String
    /// The accessible title of the chart.
    var title: String
    var from: Date
    var to: Date
    var series: [Series]
    /// The value's unit, beside the y axis.
    var unit: String

    private static let width = 960.0
    private static let plotHeight = 260.0
    private static let left = 64.0
    private static let right = 16.0
    private static let top = 24.0
    private static let axisHeight = 28.0
    private static let legendRowHeight = 18.0
    private static let legendColumns = 4
    /// Intervals on the value axis: five, so that 1, 2, 2.5 and 5 times a power of ten divide
    /// into round labels.
    private static let valueTicks = 5

    /// The SVG element.
    func render() -> String {
        let drawn = series.map {
            Series(name: $0.name, points: Self.downsample($0.points, from: from, to: to))
        }
        let maximum = Self.niceCeiling(drawn.flatMap { $0.points.compactMap(\.value) }.max() ?? 0)
        let legendRows = (drawn.count + Self.legendColumns - 1) / Self.legendColumns
        let height =
            Self.top + Self.plotHeight + Self.axisHeight + Double(legendRows) * Self.legendRowHeight + 6
        var svg = """
            <svg data-chart="\(HTMLText.escape(name))" xmlns="http://www.w3.org/2000/svg" \
            viewBox="0 0 \(SVGNumber.format(Self.width)) \(SVGNumber.format(height))" \
            width="\(SVGNumber.format(Self.width))" height="\(SVGNumber.format(height))" role="img">\
            <title>\(HTMLText.escape(title))</title>
            """
        svg += axes(maximum: maximum)
        for (index, line) in drawn.enumerated() {
            svg += path(line, color: Self.palette[index % Self.palette.count], maximum: maximum)
        }
        svg += legend(drawn.map(\.name))
        svg += "</svg>"
        return svg
    }

    /// At most `maximumPoints` points: all of them when there are few enough, else the mean of
    /// each of `maximumPoints` equal slices of the window (a slice with no value is a gap; an
    /// empty slice is skipped).
    static func downsample(_ points: [Point], from: Date, to: Date, maximumPoints: Int = maximumPoints)
        -> [Point]
    {
        guard points.count > maximumPoints, to > from, maximumPoints > 0 else { return points }
        let slice = to.timeIntervalSince(from) / Double(maximumPoints)
        var sums = [Double](repeating: 0, count: maximumPoints)
        var counts = [Int](repeating: 0, count: maximumPoints)
        var seen = [Bool](repeating: false, count: maximumPoints)
        for point in points {
            let index = min(max(Int(point.at.timeIntervalSince(from) / slice), 0), maximumPoints - 1)
            seen[index] = true
            if let value = point.value {
                sums[index] += value
                counts[index] += 1
            }
        }
        return (0..<maximumPoints).compactMap { index in
            guard seen[index] else { return nil }
            let at = from.addingTimeInterval((Double(index) + 0.5) * slice)
            return Point(at: at, value: counts[index] > 0 ? sums[index] / Double(counts[index]) : nil)
        }
    }

    /// The smallest of 1, 2, 2.5, 5 times a power of ten at or above `value` (1 for nothing).
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0, value.isFinite else { return 1 }
        let power = pow(10, floor(log10(value)))
        for step in [1, 2, 2.5, 5, 10] where step * power >= value { return step * power }
        return 10 * power
    }

    private func x(_ date: Date) -> Double {
        let span = max(to.timeIntervalSince(from), 1)
        let fraction = min(max(date.timeIntervalSince(from) / span, 0), 1)
        return Self.left + fraction * (Self.width - Self.left - Self.right)
    }

    private func y(_ value: Double, maximum: Double) -> Double {
        Self.top + Self.plotHeight * (1 - min(max(value / maximum, 0), 1))
    }

    private func axes(maximum: Double) -> String {
        let bottom = Self.top + Self.plotHeight
        var svg = "<g data-axes=\"\" stroke=\"#c9ced6\" stroke-width=\"1\">"
        for tick in 0...Self.valueTicks {
            let value = maximum * Double(tick) / Double(Self.valueTicks)
            let level = SVGNumber.format(y(value, maximum: maximum))
            svg +=
                "<line x1=\"\(SVGNumber.format(Self.left))\" y1=\"\(level)\" "
                + "x2=\"\(SVGNumber.format(Self.width - Self.right))\" y2=\"\(level)\"/>"
        }
        svg += "</g><g data-axis=\"y\" text-anchor=\"end\">"
        for tick in 0...Self.valueTicks {
            let value = maximum * Double(tick) / Double(Self.valueTicks)
            svg +=
                "<text x=\"\(SVGNumber.format(Self.left - 6))\" "
                + "y=\"\(SVGNumber.format(y(value, maximum: maximum) + 4))\">\(SVGNumber.label(value))</text>"
        }
        svg += "</g><g data-axis=\"time\" text-anchor=\"middle\">"
        let span = to.timeIntervalSince(from)
        for tick in 0...6 {
            let at = from.addingTimeInterval(span * Double(tick) / 6)
            svg +=
                "<text x=\"\(SVGNumber.format(x(at)))\" y=\"\(SVGNumber.format(bottom + 18))\">"
                + "\(DashboardTime.axisLabel(at, window: span))</text>"
        }
        svg +=
            "</g><text x=\"4\" y=\"12\" data-unit=\"\">\(HTMLText.escape(unit))</text>"
        return svg
    }

    private func path(_ line: Series, color: String, maximum: Double) -> String {
        var d = ""
        var penDown = false
        var count = 0
        for point in line.points {
            guard let value = point.value else {
                penDown = false
                continue
            }
            let coordinates =
                "\(SVGNumber.format(x(point.at))) \(SVGNumber.format(y(value, maximum: maximum)))"
            // A point alone between gaps is a zero-length segment: the round cap draws it as a dot.
            d += penDown ? " L\(coordinates)" : (d.isEmpty ? "" : " ") + "M\(coordinates) l0 0"
            penDown = true
            count += 1
        }
        return "<path data-series=\"\(HTMLText.escape(line.name))\" data-points=\"\(count)\" d=\"\(d)\" "
            + "fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.6\" stroke-linejoin=\"round\" "
            + "stroke-linecap=\"round\"><title>\(HTMLText.escape(line.name))</title></path>"
    }

    private func legend(_ names: [String]) -> String {
        var svg = "<g data-legend=\"\">"
        let columnWidth = (Self.width - Self.left) / Double(Self.legendColumns)
        for (index, name) in names.enumerated() {
            let x = Self.left + Double(index % Self.legendColumns) * columnWidth
            let y =
                Self.top + Self.plotHeight + Self.axisHeight + Double(index / Self.legendColumns)
                * Self.legendRowHeight
            svg +=
                "<rect x=\"\(SVGNumber.format(x))\" y=\"\(SVGNumber.format(y))\" width=\"12\" height=\"12\" "
                + "fill=\"\(Self.palette[index % Self.palette.count])\"/>"
                + "<text x=\"\(SVGNumber.format(x + 16))\" y=\"\(SVGNumber.format(y + 10))\">"
                + "\(HTMLText.escape(Self.shortened(name)))</text>"
        }
        return svg + "</g>"
    }

    /// A legend entry that fits its column.
    static func shortened(_ name: String, limit: Int = 36) -> String {
        name.count <= limit ? name : String(name.prefix(limit - 1)) + "…"
    }
}
