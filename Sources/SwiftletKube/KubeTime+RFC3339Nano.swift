import Foundation

extension KubeTime {
    /// Go's `time.RFC3339Nano` layout: fractional seconds with trailing zeros removed
    /// (and no fraction at all on a whole second), as `kubernetes.io/config.seen` carries it.
    public static func formatRFC3339Nano(_ date: Date) -> String {
        let padded = formatNano(date)
        guard let dot = padded.firstIndex(of: "."), let z = padded.lastIndex(of: "Z") else { return padded }
        var fraction = padded[padded.index(after: dot)..<z]
        while fraction.last == "0" { fraction.removeLast() }
        let base = padded[..<dot]
        return fraction.isEmpty ? base + "Z" : base + "." + fraction + "Z"
    }
}
