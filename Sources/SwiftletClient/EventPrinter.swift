import Foundation
import SwiftletKube

/// `kubectl get events`: LAST SEEN, TYPE, REASON, OBJECT, MESSAGE (NAMESPACE first with `-A`).
public enum EventPrinter {
    public static func table(_ events: [Event], now: Date, withNamespace: Bool = false, headers: Bool = true) -> String {
        var header = ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
        if withNamespace { header.insert("NAMESPACE", at: 0) }
        var text = headers ? header.joined(separator: "\t") + "\n" : ""
        for event in events.sorted(by: { $0.lastTimestamp < $1.lastTimestamp }) {
            let object = (event.involvedObject.kind ?? "").lowercased() + "/" + (event.involvedObject.name ?? "")
            var cells = [
                HumanDuration.since(event.lastTimestamp, now: now), event.type, event.reason, object,
                event.message.trimmingCharacters(in: .whitespacesAndNewlines),
            ]
            if withNamespace { cells.insert(event.metadata.namespace ?? "default", at: 0) }
            text += cells.joined(separator: "\t") + "\n"
        }
        return TabWriter.table.format(text)
    }
}

/// `swiftlet get manifests`: what the static-pod source made of each file.
public enum ManifestPrinter {
    public static func table(_ files: [ManifestFileStatus], now: Date) -> String {
        var text = "PATH\tSTATE\tPODS\tAGE\tERROR\n"
        for file in files.sorted(by: { $0.path < $1.path }) {
            let pods = file.pods.isEmpty ? "<none>" : file.pods.joined(separator: ",")
            let age = file.lastModified.map { HumanDuration.since($0, now: now) } ?? "<unknown>"
            // A table row is one line: multi-line errors (one per field) are folded; -o yaml shows them whole.
            let lines = (file.error ?? "").split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            // "header:" followed by its items reads "header: item; item".
            var error = ""
            for line in lines {
                error += error.isEmpty || error.hasSuffix(":") ? (error.isEmpty ? "" : " ") + line : "; " + line
            }
            text += [file.path, file.state, pods, age, error].joined(separator: "\t") + "\n"
        }
        return TabWriter.table.format(text)
    }
}
