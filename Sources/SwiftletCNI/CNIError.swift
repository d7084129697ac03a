/// A CNI failure. Plugins report `{"code": N, "msg": "...", "details": "..."}` on stdout when they
/// exit non-zero (CNI spec, "Error"); the runtime's own failures (plugin missing, bad config,
/// unparsable output) use the same shape so callers handle one type.
public struct CNIError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The spec's well-known codes (1–99 are reserved for the spec, 100+ for plugins).
    public enum Code {
        public static let incompatibleVersion = 1
        public static let unsupportedField = 2
        public static let unknownContainer = 3
        public static let invalidEnvironmentVariables = 4
        public static let ioFailure = 5
        public static let decodingFailure = 6
        public static let invalidNetworkConfig = 7
        public static let tryAgainLater = 11
        public static let `internal` = 999
    }

    public var code: Int
    public var msg: String
    public var details: String

    public init(code: Int, msg: String, details: String = "") {
        self.code = code
        self.msg = msg
        self.details = details
    }

    /// libcni's rendering: `msg` or `msg; details`.
    public var description: String { details.isEmpty ? msg : "\(msg); \(details)" }
}

/// A failed operation on a network configuration list, naming the plugin like libcni does:
/// `plugin type="bridge" name="mynet" failed (add): <plugin error>`.
public struct CNIPluginFailure: Error, Hashable, Sendable, CustomStringConvertible {
    public var pluginType: String
    public var networkName: String
    public var operation: CNICommand
    public var error: CNIError

    public init(pluginType: String, networkName: String, operation: CNICommand, error: CNIError) {
        self.pluginType = pluginType
        self.networkName = networkName
        self.operation = operation
        self.error = error
    }

    public var description: String {
        "plugin type=\"\(pluginType)\" name=\"\(networkName)\" failed (\(operation.rawValue.lowercased())): \(error)"
    }
}

/// The CNI operations swiftlet runs.
public enum CNICommand: String, Hashable, Sendable {
    case add = "ADD"
    case check = "CHECK"
    case del = "DEL"
}
