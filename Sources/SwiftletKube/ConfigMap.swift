import Foundation

/// `v1.ConfigMap`: text in `data`, base64 bytes in `binaryData`.
public struct ConfigMap: KubeObject {
    public static let kind = "ConfigMap"
    public static let apiVersion = "v1"
    public static let resource = "configmaps"
    /// `MaxSecretSize`, shared by ConfigMaps (`validation.go`).
    public static let maxSize = 1024 * 1024

    public var apiVersion: String? = "v1"
    public var kind: String? = "ConfigMap"
    public var metadata: ObjectMeta
    public var data: [String: String]?
    /// Values are base64 text as in JSON; `payload` decodes them.
    public var binaryData: [String: String]?
    public var immutable: Bool?

    public init(metadata: ObjectMeta, data: [String: String]? = nil, binaryData: [String: String]? = nil) {
        self.metadata = metadata
        self.data = data
        self.binaryData = binaryData
    }

    public mutating func applyDefaults() {
        apiVersion = Self.apiVersion
        kind = Self.kind
        if metadata.namespace?.isEmpty ?? true { metadata.namespace = Pod.defaultNamespace }
    }

    /// Every key with its bytes (`data` as UTF-8, `binaryData` decoded); invalid base64 is skipped (validation refuses it).
    public var payload: [String: [UInt8]] {
        ConfigData.bytes(text: data).merging(ConfigData.bytes(base64: binaryData)) { $1 }
    }

    public func validate() -> [FieldError] {
        var check = ConfigData.Validation()
        check.text(data, field: "data", duplicates: ("binaryData", binaryData))
        check.base64(binaryData, field: "binaryData", shownAs: "<binary>")
        check.limitSize(field: "")
        return validateObjectMeta() + check.errors
    }

    public func validateUpdate(from old: ConfigMap) -> [FieldError] {
        ConfigData.validateImmutable(old: old.immutable, new: immutable, dataChanged: data != old.data || binaryData != old.binaryData)
    }
}

/// `v1.Secret`: base64 `data`, write-only `stringData` merged into it on write.
public struct Secret: KubeObject {
    public static let kind = "Secret"
    public static let apiVersion = "v1"
    public static let resource = "secrets"

    public var apiVersion: String? = "v1"
    public var kind: String? = "Secret"
    public var metadata: ObjectMeta
    /// Values are base64 text as in JSON; `payload` decodes them.
    public var data: [String: String]?
    public var stringData: [String: String]?
    public var type: String?
    public var immutable: Bool?

    public init(metadata: ObjectMeta, data: [String: String]? = nil, stringData: [String: String]? = nil) {
        self.metadata = metadata
        self.data = data
        self.stringData = stringData
    }

    /// The API server's conversion: `stringData` overwrites `data` and is never stored or returned;
    /// `type` defaults to `Opaque`.
    public mutating func applyDefaults() {
        apiVersion = Self.apiVersion
        kind = Self.kind
        if metadata.namespace?.isEmpty ?? true { metadata.namespace = Pod.defaultNamespace }
        if type?.isEmpty ?? true { type = "Opaque" }
        if let stringData {
            var merged = data ?? [:]
            for (k, v) in stringData { merged[k] = Base64.encode(Array(v.utf8)) }
            data = merged
            self.stringData = nil
        }
    }

    public var payload: [String: [UInt8]] {
        ConfigData.bytes(base64: data).merging(ConfigData.bytes(text: stringData)) { $1 }
    }

    public func validate() -> [FieldError] {
        var check = ConfigData.Validation()
        check.base64(data, field: "data", shownAs: "<secret contents redacted>")
        check.text(stringData, field: "stringData")
        check.limitSize(field: "data")
        return validateObjectMeta() + check.errors + validateDockerConfig()
    }

    /// The API server's check of image pull secrets: a `kubernetes.io/dockerconfigjson` secret needs a
    /// `.dockerconfigjson` key (`kubernetes.io/dockercfg`: `.dockercfg`) holding a JSON object.
    func validateDockerConfig() -> [FieldError] {
        let key: String
        switch type {
        case "kubernetes.io/dockerconfigjson": key = ".dockerconfigjson"
        case "kubernetes.io/dockercfg": key = ".dockercfg"
        default: return []
        }
        guard let bytes = payload[key] else { return [.required("data[\(key)]")] }
        switch Result(catching: { () throws(JSONValue.SyntaxError) in try JSONValue.parse(Data(bytes)) }) {
        case .success(.object): return []
        case .success: return [.invalid("data[\(key)]", .string("<secret contents redacted>"), "json: cannot unmarshal into a map")]
        case .failure(let error): return [.invalid("data[\(key)]", .string("<secret contents redacted>"), error.message)]
        }
    }

    public func validateUpdate(from old: Secret) -> [FieldError] {
        var errs: [FieldError] = []
        if (type ?? "Opaque") != (old.type ?? "Opaque") {
            errs.append(.invalid("type", .string(type ?? ""), "field is immutable"))
        }
        return errs + ConfigData.validateImmutable(old: old.immutable, new: immutable, dataChanged: data != old.data)
    }
}

/// Standard base64 (RFC 4648 with padding), as Go's `encoding/json` uses for `[]byte`, with Go's error text.
public enum Base64 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    public struct DecodeError: Error, Hashable, Sendable, CustomStringConvertible {
        public var offset: Int
        public var description: String { "illegal base64 data at input byte \(offset)" }
    }

    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let b0 = bytes[i], b1 = i + 1 < bytes.count ? bytes[i + 1] : 0, b2 = i + 2 < bytes.count ? bytes[i + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 3) << 4 | b1 >> 4)])
            out.append(i + 1 < bytes.count ? alphabet[Int((b1 & 15) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? alphabet[Int(b2 & 63)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func decode(_ text: String) -> Result<[UInt8], DecodeError> {
        // Go's decoder skips \r and \n; offsets count them.
        let input = Array(text.utf8).enumerated().filter { $0.element != 10 && $0.element != 13 }
        var out: [UInt8] = []
        var quantum: [UInt8] = []
        var padding = 0
        var i = 0
        while i < input.count {
            let (offset, c) = input[i]
            i += 1
            if c == UInt8(ascii: "=") {
                // Padding only completes the last quantum, after at least two symbols.
                guard quantum.count >= 2 else { return .failure(DecodeError(offset: offset)) }
                padding += 1
                quantum.append(0)
            } else {
                guard padding == 0, let v = alphabet.firstIndex(of: c) else { return .failure(DecodeError(offset: offset)) }
                quantum.append(UInt8(v))
            }
            guard quantum.count == 4 else { continue }
            let n = UInt32(quantum[0]) << 18 | UInt32(quantum[1]) << 12 | UInt32(quantum[2]) << 6 | UInt32(quantum[3])
            out += [UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)].prefix(3 - padding)
            quantum.removeAll()
            if padding > 0 {
                // Nothing may follow the padded quantum.
                if i < input.count { return .failure(DecodeError(offset: input[i].offset)) }
                break
            }
        }
        if !quantum.isEmpty { return .failure(DecodeError(offset: (input.last?.offset ?? -1) + 1)) }
        return .success(out)
    }
}
