/// A content digest as OCI spells it, "sha256:<64 lowercase hex>". Only sha256 is accepted: it is what every
/// registry and tool produces, and it lets a digest name a file (`blobs/sha256/<hex>`) without further checks.
public struct OCIDigest: Sendable, Hashable, Codable, CustomStringConvertible {
    public let hex: String

    public init(parsing text: String) throws {
        guard text.hasPrefix("sha256:"), text.utf8.count == 71,
              text.utf8.dropFirst(7).allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else { throw ImageError.invalidDigest(text) }
        hex = String(text.dropFirst(7))
    }

    public var description: String { "sha256:" + hex }

    public init(from decoder: any Decoder) throws {
        try self.init(parsing: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
