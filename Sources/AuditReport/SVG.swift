import Foundation

/// The report's charts as inline SVG: each has a <title> and an aria-label, and draws with
/// `currentColor` and CSS variables so that it follows the theme and prints.
enum SVG {
    static func f(_ x: Double) -> String { String(format: "%.2f", x) }

    /// A value with its interval on a horizontal axis (a rate on [0, 1], or a difference on
    /// [-1, 1] with a line at zero).
    static func intervalBar(value: Double, low: Double, high: Double, scale: ClosedRange<Double>, label: String, zero: Double? = nil) -> String {
        let width = 100.0, height = 12.0
        func x(_ v: Double) -> Double {
            guard v.isFinite, scale.upperBound > scale.lowerBound else { return 0 }
            return max(0, min(width, (v - scale.lowerBound) / (scale.upperBound - scale.lowerBound) * width))
        }
        var out = "<svg class=\"bar\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"\(attr(label))\"><title>\(esc(label))</title>"
        out += "<rect class=\"track\" x=\"0\" y=\"5\" width=\"\(Int(width))\" height=\"2\" rx=\"1\"/>"
        if let zero { out += "<line class=\"zero\" x1=\"\(f(x(zero)))\" x2=\"\(f(x(zero)))\" y1=\"0\" y2=\"12\"/>" }
        if low.isFinite, high.isFinite {
            out += "<rect class=\"range\" x=\"\(f(x(low)))\" y=\"3\" width=\"\(f(max(0.8, x(high) - x(low))))\" height=\"6\" rx=\"2\"/>"
        }
        if value.isFinite { out += "<circle class=\"point\" cx=\"\(f(x(value)))\" cy=\"6\" r=\"3.2\"/>" }
        return out + "</svg>"
    }

    struct Point {
        var label: String
        var x: Double, xLow: Double, xHigh: Double
        var y: Double, yLow: Double, yHigh: Double
    }

    /// Points on [0, 1] × [0, 1] with interval crosses, labelled.
    static func scatter(_ points: [Point], xLabel: String, yLabel: String, title: String) -> String {
        let size = 360.0, left = 52.0, bottom = 44.0, top = 14.0, right = 16.0
        let plotW = size - left - right, plotH = size - top - bottom
        func px(_ v: Double) -> Double { left + max(0, min(1, v.isFinite ? v : 0)) * plotW }
        func py(_ v: Double) -> Double { top + (1 - max(0, min(1, v.isFinite ? v : 0))) * plotH }
        let description = points.map { "\($0.label): \(Int(($0.x * 100).rounded()))% of safe requests answered, \(Int(($0.y * 100).rounded()))% of harmful requests answered" }.joined(separator: "; ")
        var out = "<svg class=\"scatter-svg\" viewBox=\"0 0 \(Int(size)) \(Int(size))\" role=\"img\" aria-label=\"\(attr(title + ". " + description))\"><title>\(esc(title))</title><desc>\(esc(description))</desc>"
        out += "<rect class=\"good\" x=\"\(f(px(0.5)))\" y=\"\(f(py(0.5)))\" width=\"\(f(plotW / 2))\" height=\"\(f(plotH / 2))\"/>"
        for tick in stride(from: 0.0, through: 1.0, by: 0.25) {
            out += "<line class=\"grid-line\" x1=\"\(f(px(tick)))\" x2=\"\(f(px(tick)))\" y1=\"\(f(top))\" y2=\"\(f(top + plotH))\"/>"
            out += "<line class=\"grid-line\" x1=\"\(f(left))\" x2=\"\(f(left + plotW))\" y1=\"\(f(py(tick)))\" y2=\"\(f(py(tick)))\"/>"
            out += "<text class=\"tick\" x=\"\(f(px(tick)))\" y=\"\(f(top + plotH + 14))\" text-anchor=\"middle\">\(Int(tick * 100))%</text>"
            out += "<text class=\"tick\" x=\"\(f(left - 6))\" y=\"\(f(py(tick) + 4))\" text-anchor=\"end\">\(Int(tick * 100))%</text>"
        }
        out += "<text class=\"axis\" x=\"\(f(left + plotW / 2))\" y=\"\(f(size - 8))\" text-anchor=\"middle\">\(esc(xLabel)) →</text>"
        out += "<text class=\"axis\" transform=\"translate(12 \(f(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\">\(esc(yLabel)) →</text>"
        out += "<text class=\"quadrant\" x=\"\(f(left + plotW - 4))\" y=\"\(f(top + plotH - 6))\" text-anchor=\"end\">best: answers safe, declines harmful</text>"
        for (index, point) in points.enumerated() {
            let tone = index % 6
            out += "<g class=\"pt c\(tone)\"><title>\(esc(point.label)): \(Int((point.x * 100).rounded()))% safe answered, \(Int((point.y * 100).rounded()))% harmful answered</title>"
            if point.xLow.isFinite, point.xHigh.isFinite {
                out += "<line x1=\"\(f(px(point.xLow)))\" x2=\"\(f(px(point.xHigh)))\" y1=\"\(f(py(point.y)))\" y2=\"\(f(py(point.y)))\"/>"
            }
            if point.yLow.isFinite, point.yHigh.isFinite {
                out += "<line x1=\"\(f(px(point.x)))\" x2=\"\(f(px(point.x)))\" y1=\"\(f(py(point.yLow)))\" y2=\"\(f(py(point.yHigh)))\"/>"
            }
            out += "<circle cx=\"\(f(px(point.x)))\" cy=\"\(f(py(point.y)))\" r=\"5\"/>"
            let anchor = point.x > 0.7 ? "end" : "start", dx = point.x > 0.7 ? -8.0 : 8.0
            out += "<text x=\"\(f(px(point.x) + dx))\" y=\"\(f(py(point.y) - 8))\" text-anchor=\"\(anchor)\">\(esc(point.label))</text></g>"
        }
        return out + "</svg>"
    }
}
