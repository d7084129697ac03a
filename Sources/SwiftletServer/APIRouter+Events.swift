import SwiftletKube

/// One frame of an event watch: `{"type":"ADDED|MODIFIED|DELETED","object":{...Event}}`.
public struct EventWatchEvent: Codable, Sendable {
    public var type: String
    public var object: Event

    public init(type: String, object: Event) {
        self.type = type
        self.object = object
    }
}

extension APIRouter {
    /// `GET /api/v1[/namespaces/{ns}]/events[?watch=true][&fieldSelector=...]`.
    func listEvents(_ r: APIRequest, namespace: String?) async throws -> APIResponse {
        let (_, fields) = try selectors(r, fields: FieldSelector.eventFields)
        if r.flag("watch") { return watchEvents(namespace: namespace, fields: fields) }
        let events = await backend.listEvents(namespace: namespace).filter {
            (namespace == nil || ($0.metadata.namespace ?? "default") == namespace) && fields.matches($0)
        }
        return .json(EventList(items: events))
    }

    /// An event's selectable fields never change after it is recorded (only count and
    /// lastTimestamp do), so a frame is either for a matching event or skipped.
    private func watchEvents(namespace: String?, fields: FieldSelector) -> APIResponse {
        let backend = self.backend
        return .stream(contentType: "application/json") { write in
            let changes = try await backend.watchEvents()
            for await change in changes {
                try Task.checkCancellation()
                let event = change.object
                if let namespace, (event.metadata.namespace ?? "default") != namespace { continue }
                guard fields.matches(event) else { continue }
                var line = try KubeJSONEncoding.encode(change)
                line.append(0x0A)
                try await write([UInt8](line))
            }
        }
    }
}
