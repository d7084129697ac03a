import SwiftletKube

/// One object found in a manifest file.
public enum ManifestObject: Hashable, Sendable {
    case pod(Pod)
    /// A stored kind (ConfigMap, Secret, ...; see `KubeObjectKinds`), defaulted and validated.
    case object(AnyKubeObject)
    /// A well-formed object of a kind swiftlet does not run; reported, never silently dropped.
    case unsupported(kind: String, apiVersion: String, name: String?)
}

/// One document of a manifest file (or one item of a `List` document) and what became of it.
public struct ManifestDocument: Sendable {
    /// 1-based position of the document in the file, counting empty documents.
    public var document: Int
    /// Position inside a `List`/`PodList` document's `items`, when the object came from one.
    public var item: Int?
    public var result: Result<ManifestObject, ManifestDocumentError>

    public init(document: Int, item: Int? = nil, result: Result<ManifestObject, ManifestDocumentError>) {
        self.document = document
        self.item = item
        self.result = result
    }

    /// `document 2` or `document 1 items[3]`, the prefix of every message about it.
    public var location: String { ManifestDocumentError.location(document: document, item: item) }
}

/// Why one document of a manifest could not be used; the other documents are unaffected.
public struct ManifestDocumentError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Reason: Hashable, Sendable {
        /// Not parseable as YAML or JSON; the message carries the parser's line and column.
        case syntax(String)
        /// The document is a scalar or a list, not an object.
        case notAnObject(type: String)
        /// `kind` or `apiVersion` missing: the object cannot be identified.
        case missingTypeMeta(field: String)
        /// Decoding or validation failed; every field error is listed.
        case invalid(kind: String, name: String, errors: FieldErrorList)
    }

    public var document: Int
    public var item: Int?
    public var reason: Reason

    public init(document: Int, item: Int? = nil, reason: Reason) {
        self.document = document
        self.item = item
        self.reason = reason
    }

    static func location(document: Int, item: Int?) -> String {
        item.map { "document \(document) items[\($0)]" } ?? "document \(document)"
    }

    /// The field errors, when the document was rejected for its content.
    public var fieldErrors: [FieldError] {
        if case .invalid(_, _, let errors) = reason { return errors.errors }
        return []
    }

    public var description: String {
        let prefix = ManifestDocumentError.location(document: document, item: item) + ": "
        switch reason {
        case .syntax(let message):
            return prefix + message
        case .notAnObject(let type):
            return prefix + "expected an object, got \(type)"
        case .missingTypeMeta(let field):
            // The apimachinery decoder's wording.
            return prefix + "Object '\(field)' is missing"
        case .invalid(let kind, let name, let errors):
            return prefix + errors.statusMessage(kind: kind, name: name)
        }
    }
}

/// A manifest file refused as a whole.
public enum ManifestFileError: Error, Hashable, Sendable, CustomStringConvertible {
    case tooLarge(fileName: String, size: Int, limit: Int)
    case notUTF8(fileName: String)

    public var description: String {
        switch self {
        case .tooLarge(let fileName, let size, let limit):
            return "manifest \(fileName): \(size) bytes exceeds the maximum of \(limit) bytes"
        case .notUTF8(let fileName):
            return "manifest \(fileName): not valid UTF-8 text"
        }
    }
}
