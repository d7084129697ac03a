/// `v1.PodOS`: the operating system the pod's containers are built for.
public struct PodOS: Codable, Hashable, Sendable {
    public var name: String

    public init(name: String) { self.name = name }

    public static let linux = "linux"
    public static let windows = "windows"
}

/// Stop signals (KEP-4960, `lifecycle.stopSignal`): the names the API accepts, the Linux numbers
/// they stand for, and which one a container is stopped with.
public enum StopSignal {
    /// The container runtimes' default when neither the spec nor the image names one.
    public static let runtimeDefault = "SIGTERM"

    /// Signal numbers of the generic Linux ABI (x86-64 and arm64). The real-time range starts at
    /// 34 as glibc reserves two of the kernel's, the numbering moby's signal package (and with it
    /// containerd and CRI-O) uses for `SIGRTMIN+n`.
    public static let linuxNumbers: [String: Int32] = {
        var table: [String: Int32] = [
            "SIGHUP": 1, "SIGINT": 2, "SIGQUIT": 3, "SIGILL": 4, "SIGTRAP": 5, "SIGABRT": 6, "SIGIOT": 6,
            "SIGBUS": 7, "SIGFPE": 8, "SIGKILL": 9, "SIGUSR1": 10, "SIGSEGV": 11, "SIGUSR2": 12, "SIGPIPE": 13,
            "SIGALRM": 14, "SIGTERM": 15, "SIGSTKFLT": 16, "SIGCHLD": 17, "SIGCLD": 17, "SIGCONT": 18,
            "SIGSTOP": 19, "SIGTSTP": 20, "SIGTTIN": 21, "SIGTTOU": 22, "SIGURG": 23, "SIGXCPU": 24,
            "SIGXFSZ": 25, "SIGVTALRM": 26, "SIGPROF": 27, "SIGWINCH": 28, "SIGIO": 29, "SIGPOLL": 29,
            "SIGPWR": 30, "SIGSYS": 31, "SIGRTMIN": 34, "SIGRTMAX": 64,
        ]
        for n in 1...15 { table["SIGRTMIN+\(n)"] = Int32(34 + n) }
        for n in 1...14 { table["SIGRTMAX-\(n)"] = Int32(64 - n) }
        return table
    }()

    /// `supportedStopSignalsLinux`, sorted as the API server lists them in its message.
    public static let supportedLinux = linuxNumbers.keys.sorted()
    /// `supportedStopSignalsWindows`.
    public static let supportedWindows = ["SIGKILL", "SIGTERM"]

    /// The API name of an image's `STOPSIGNAL` (OCI `config.StopSignal`), read as moby's
    /// `signal.ParseSignal` does: a number, or a name with or without the `SIG` prefix, any case.
    /// Nil for something that is no Linux signal.
    public static func canonicalName(_ raw: String) -> String? {
        let text = raw.trimmingWhitespace()
        if let number = Int32(text) {
            // Prefer the name the API lists first for aliases (SIGABRT over SIGIOT, ...).
            return supportedLinux.first { linuxNumbers[$0] == number }
        }
        let upper = text.uppercased()
        let name = upper.hasPrefix("SIG") ? upper : "SIG" + upper
        return linuxNumbers[name] == nil ? nil : name
    }
}

extension Container {
    /// The signal the runtime stops this container with: `lifecycle.stopSignal`, else the image's
    /// `STOPSIGNAL`, else SIGTERM (containerd's and CRI-O's order). An image signal that is no
    /// Linux signal falls back to SIGTERM instead of leaving the container unstoppable until SIGKILL.
    public func effectiveStopSignal(imageStopSignal: String?) -> String {
        if let name = lifecycle?.stopSignal, StopSignal.linuxNumbers[name] != nil { return name }
        if let raw = imageStopSignal, !raw.isEmpty, let name = StopSignal.canonicalName(raw) { return name }
        return StopSignal.runtimeDefault
    }
}

extension PodSpec {
    /// `validateOS` and the stop-signal cross-validation of `validateContainerStopSignal`
    /// (KEP-4960): a stop signal needs `spec.os.name`, and must be one the pod's OS knows.
    func validateOSAndStopSignals(path: String) -> [FieldError] {
        var errs: [FieldError] = []
        var osName: String?
        if let os {
            if os.name.isEmpty {
                errs.append(.required("\(path).os.name", "cannot be empty"))
            } else if ![PodOS.linux, PodOS.windows].contains(os.name) {
                errs.append(.notSupported("\(path).os", .string(os.name), supported: [PodOS.linux, PodOS.windows]))
            } else {
                osName = os.name
            }
        }
        let lists: [(String, [Container])] = [("initContainers", initContainers ?? []), ("containers", containers)]
        for (list, members) in lists {
            for (i, container) in members.enumerated() {
                guard let signal = container.lifecycle?.stopSignal else { continue }
                // A regular init container may not have a lifecycle at all (reported elsewhere).
                if list == "initContainers" && !container.isRestartableInit { continue }
                let field = "\(path).\(list)[\(i)].lifecycle.stopSignal"
                errs += StopSignal.validate(signal, field: field, os: os == nil ? nil : osName ?? "")
            }
        }
        return errs
    }
}

extension StopSignal {
    /// One container's `lifecycle.stopSignal` against the pod's OS (nil: `spec.os` unset; an
    /// invalid OS name is reported on `spec.os` and not checked again here).
    static func validate(_ signal: String, field: String, os: String?) -> [FieldError] {
        guard let os else {
            return [.forbidden(field, "may not be set for containers with empty `spec.os.name`")]
        }
        let supported: [String]
        switch os {
        case PodOS.linux: supported = supportedLinux
        case PodOS.windows: supported = supportedWindows
        default: return []
        }
        if signal.isEmpty { return [.required(field)] }
        return supported.contains(signal) ? [] : [.notSupported(field, .string(signal), supported: supported)]
    }
}
