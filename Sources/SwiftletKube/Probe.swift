/// `v1.Probe`: how and how often the kubelet checks a container.
public struct Probe: Codable, Hashable, Sendable {
    public var exec: ExecAction?
    public var httpGet: HTTPGetAction?
    public var tcpSocket: TCPSocketAction?
    /// Decoded so validation can refuse it by name; swiftlet does not run gRPC probes.
    public var grpc: GRPCAction?
    public var initialDelaySeconds: Int32?
    public var timeoutSeconds: Int32?
    public var periodSeconds: Int32?
    public var successThreshold: Int32?
    public var failureThreshold: Int32?
    public var terminationGracePeriodSeconds: Int64?

    public init(
        exec: ExecAction? = nil, httpGet: HTTPGetAction? = nil, tcpSocket: TCPSocketAction? = nil,
        initialDelaySeconds: Int32? = nil, periodSeconds: Int32? = nil, failureThreshold: Int32? = nil
    ) {
        self.exec = exec
        self.httpGet = httpGet
        self.tcpSocket = tcpSocket
        self.initialDelaySeconds = initialDelaySeconds
        self.periodSeconds = periodSeconds
        self.failureThreshold = failureThreshold
    }

    /// `SetDefaults_Probe`: timeout 1 s, period 10 s, success 1, failure 3.
    public mutating func applyDefaults() {
        if (timeoutSeconds ?? 0) == 0 { timeoutSeconds = 1 }
        if (periodSeconds ?? 0) == 0 { periodSeconds = 10 }
        if (successThreshold ?? 0) == 0 { successThreshold = 1 }
        if (failureThreshold ?? 0) == 0 { failureThreshold = 3 }
        if var http = httpGet {
            if http.path?.isEmpty ?? true { http.path = "/" }
            if http.scheme?.isEmpty ?? true { http.scheme = "HTTP" }
            httpGet = http
        }
    }

    /// `validateProbe` plus the handler checks; `mustSucceedOnce`: liveness and startup probes
    /// need `successThreshold: 1`.
    public func validate(path: String, mustSucceedOnce: Bool, ports: [ContainerPort]) -> [FieldError] {
        var errs: [FieldError] = []
        let handlers = [exec != nil, httpGet != nil, tcpSocket != nil, grpc != nil].filter { $0 }.count
        if handlers == 0 {
            errs.append(.required(path, "must specify a handler type"))
        } else if handlers > 1 {
            errs.append(.forbidden(path, "may not specify more than 1 handler type"))
        }
        if grpc != nil {
            errs.append(.forbidden("\(path).grpc", "gRPC probes are not supported by swiftlet yet; use exec, httpGet or tcpSocket"))
        }
        if let exec, (exec.command ?? []).isEmpty { errs.append(.required("\(path).exec.command")) }
        if let http = httpGet {
            errs += Self.validatePort(http.port, path: "\(path).httpGet.port", ports: ports)
            if let scheme = http.scheme, scheme != "HTTP" {
                if scheme == "HTTPS" {
                    errs.append(.forbidden("\(path).httpGet.scheme", "HTTPS probes are not supported by swiftlet yet"))
                } else {
                    errs.append(.notSupported("\(path).httpGet.scheme", .string(scheme), supported: ["HTTP", "HTTPS"]))
                }
            }
            for (i, header) in (http.httpHeaders ?? []).enumerated() where header.name.isEmpty {
                errs.append(.required("\(path).httpGet.httpHeaders[\(i)].name"))
            }
        }
        if let tcp = tcpSocket { errs += Self.validatePort(tcp.port, path: "\(path).tcpSocket.port", ports: ports) }
        for (name, value) in [("initialDelaySeconds", initialDelaySeconds), ("timeoutSeconds", timeoutSeconds),
            ("periodSeconds", periodSeconds), ("successThreshold", successThreshold), ("failureThreshold", failureThreshold)]
        where (value ?? 0) < 0 {
            errs.append(.invalid("\(path).\(name)", .int(Int64(value ?? 0)), "must be greater than or equal to 0"))
        }
        if mustSucceedOnce, let success = successThreshold, success != 1 {
            errs.append(.invalid("\(path).successThreshold", .int(Int64(success)), "must be 1"))
        }
        return errs
    }

    static func validatePort(_ port: IntOrString, path: String, ports: [ContainerPort]) -> [FieldError] {
        switch port {
        case .int(let n):
            return (1...65535).contains(n) ? [] : [.invalid(path, .int(Int64(n)), NameValidation.inclusiveRangeError(1, 65535))]
        case .string(let name):
            return NameValidation.isValidPortName(name).map { .invalid(path, .string(name), $0) }
        }
    }

    /// A named port resolves through the container's `ports` (`findPortByName`).
    public static func resolve(_ port: IntOrString, in ports: [ContainerPort]) -> Int32? {
        switch port {
        case .int(let n): return n
        case .string(let name):
            if let n = Int32(name) { return n }
            return ports.first { $0.name == name }?.containerPort
        }
    }
}

public struct ExecAction: Codable, Hashable, Sendable {
    public var command: [String]?
    public init(command: [String]) { self.command = command }
}

public struct HTTPGetAction: Codable, Hashable, Sendable {
    public var path: String?
    public var port: IntOrString
    public var host: String?
    public var scheme: String?
    public var httpHeaders: [HTTPHeader]?

    public init(path: String? = nil, port: IntOrString, host: String? = nil) {
        self.path = path
        self.port = port
        self.host = host
    }
}

public struct HTTPHeader: Codable, Hashable, Sendable {
    public var name: String
    public var value: String
}

public struct TCPSocketAction: Codable, Hashable, Sendable {
    public var port: IntOrString
    public var host: String?

    public init(port: IntOrString, host: String? = nil) {
        self.port = port
        self.host = host
    }
}

public struct GRPCAction: Codable, Hashable, Sendable {
    public var port: Int32
    public var service: String?
}

/// `intstr.IntOrString`: a port number or a port name.
public enum IntOrString: Codable, Hashable, Sendable {
    case int(Int32)
    case string(String)

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(Int32.self) {
            self = .int(n)
        } else {
            self = .string(try c.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .int(let n): try c.encode(n)
        case .string(let s): try c.encode(s)
        }
    }
}

extension Container {
    /// Probe checks for one container (`validateLivenessProbe`, `validateReadinessProbe`, `validateStartupProbe`);
    /// init containers that are not sidecars may not have probes.
    public func validateProbes(path: String, isInit: Bool) -> [FieldError] {
        var errs: [FieldError] = []
        let ports = self.ports ?? []
        let probes: [(String, Probe?, Bool)] = [
            ("livenessProbe", livenessProbe, true), ("readinessProbe", readinessProbe, false), ("startupProbe", startupProbe, true),
        ]
        for (name, probe, once) in probes {
            guard let probe else { continue }
            if isInit && !isRestartableInit {
                errs.append(.forbidden("\(path).\(name)", "may not be set for init containers without restartPolicy=Always"))
                continue
            }
            errs += probe.validate(path: "\(path).\(name)", mustSucceedOnce: once, ports: ports)
        }
        if let lifecycle {
            if isInit && !isRestartableInit {
                errs.append(.forbidden("\(path).lifecycle", "may not be set for init containers without restartPolicy=Always"))
            } else {
                errs += lifecycle.validate(path: "\(path).lifecycle", ports: ports)
            }
        }
        return errs
    }
}

/// `v1.Lifecycle`: handlers the kubelet runs right after a container starts and before it is stopped.
public struct Lifecycle: Codable, Hashable, Sendable {
    public var postStart: LifecycleHandler?
    public var preStop: LifecycleHandler?
    /// The signal the container is stopped with (KEP-4960); validated against `spec.os` (StopSignal.swift).
    public var stopSignal: String?

    public init(postStart: LifecycleHandler? = nil, preStop: LifecycleHandler? = nil, stopSignal: String? = nil) {
        self.postStart = postStart
        self.preStop = preStop
        self.stopSignal = stopSignal
    }

    public func validate(path: String, ports: [ContainerPort]) -> [FieldError] {
        var errs: [FieldError] = []
        for (name, handler) in [("postStart", postStart), ("preStop", preStop)] {
            guard let handler else { continue }
            errs += handler.validate(path: "\(path).\(name)", ports: ports)
        }
        return errs
    }
}

/// `v1.LifecycleHandler`: exec, httpGet or sleep (tcpSocket is accepted by the API but never run).
public struct LifecycleHandler: Codable, Hashable, Sendable {
    public var exec: ExecAction?
    public var httpGet: HTTPGetAction?
    public var tcpSocket: TCPSocketAction?
    public var sleep: SleepAction?

    public init(exec: ExecAction? = nil, httpGet: HTTPGetAction? = nil) {
        self.exec = exec
        self.httpGet = httpGet
    }

    func validate(path: String, ports: [ContainerPort]) -> [FieldError] {
        var errs: [FieldError] = []
        let handlers = [exec != nil, httpGet != nil, tcpSocket != nil, sleep != nil].filter { $0 }.count
        if handlers == 0 {
            errs.append(.required(path, "must specify a handler type"))
        } else if handlers > 1 {
            errs.append(.forbidden(path, "may not specify more than 1 handler type"))
        }
        if let exec, (exec.command ?? []).isEmpty { errs.append(.required("\(path).exec.command")) }
        if let http = httpGet {
            errs += Probe.validatePort(http.port, path: "\(path).httpGet.port", ports: ports)
            if let scheme = http.scheme, scheme != "HTTP" {
                errs.append(.forbidden("\(path).httpGet.scheme", "only HTTP is supported by swiftlet yet"))
            }
        }
        if let sleep, sleep.seconds < 0 {
            errs.append(.invalid("\(path).sleep.seconds", .int(sleep.seconds), "must be greater than or equal to 0"))
        }
        return errs
    }

    mutating func applyDefaults() {
        if var http = httpGet {
            if http.path?.isEmpty ?? true { http.path = "/" }
            if http.scheme?.isEmpty ?? true { http.scheme = "HTTP" }
            httpGet = http
        }
    }
}

public struct SleepAction: Codable, Hashable, Sendable {
    public var seconds: Int64
}

extension Lifecycle {
    public mutating func applyDefaults() {
        postStart?.applyDefaults()
        preStop?.applyDefaults()
    }
}
