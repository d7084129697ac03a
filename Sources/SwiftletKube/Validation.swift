/// Pod validation after `ValidatePodCreate` (`k8s.io/kubernetes/pkg/apis/core/validation`),
/// restricted to the fields swiftlet models, with the API server's field paths and messages.
///
/// Every check runs, so one call reports every mistake in a manifest. Fields that defaulting
/// fills in are not reported when nil: the API server always defaults before it validates,
/// so its users never see those errors either. Updates (`PUT`) use the same checks.
extension Pod {
    /// Total size of all annotation keys and values (`TotalAnnotationSizeLimitB`).
    public static let totalAnnotationSizeLimit = 256 * 1024

    public func validate() -> [FieldError] {
        var errs = validateMetadata()
        errs += spec.validate(path: "spec")
        return errs
    }

    /// Throws every problem at once; returns normally for a valid pod.
    public func validateOrThrow() throws(FieldErrorList) {
        try FieldErrorList(validate()).throwIfAny()
    }

    func validateMetadata() -> [FieldError] {
        var errs = metadata.validateNameNamespaceAndLabels()
        if let annotations = metadata.annotations {
            var total = 0
            for (key, value) in annotations.sorted(by: { $0.key < $1.key }) {
                // Annotation keys are qualified names in any case.
                errs += NameValidation.isQualifiedName(key.lowercased()).map {
                    .invalid("metadata.annotations", .string(key), $0)
                }
                total += key.utf8.count + value.utf8.count
            }
            if total > Pod.totalAnnotationSizeLimit {
                errs.append(.tooLong("metadata.annotations", maxLength: Pod.totalAnnotationSizeLimit))
            }
        }
        return errs
    }
}

extension PodSpec {
    static let supportedRestartPolicies = RestartPolicy.allCases.map(\.rawValue).sorted()
    static let supportedDNSPolicies = ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"]

    func validate(path: String) -> [FieldError] {
        var errs: [FieldError] = []
        let hostNetwork = self.hostNetwork ?? false
        var names = Set<String>()
        if containers.isEmpty {
            errs.append(.required("\(path).containers"))
        }
        for (i, container) in containers.enumerated() {
            let cpath = "\(path).containers[\(i)]"
            errs += container.validateCommon(path: cpath, hostNetwork: hostNetwork)
            errs += container.validateProbes(path: cpath, isInit: false)
            if !container.name.isEmpty && !names.insert(container.name).inserted {
                errs.append(.duplicate("\(cpath).name", .string(container.name)))
            }
            if container.restartPolicy != nil {
                errs.append(.forbidden("\(cpath).restartPolicy", "may not be set for non-init containers"))
            }
        }
        // Init container names share one namespace with the app containers.
        for (i, container) in (initContainers ?? []).enumerated() {
            let cpath = "\(path).initContainers[\(i)]"
            errs += container.validateCommon(path: cpath, hostNetwork: hostNetwork)
            errs += container.validateProbes(path: cpath, isInit: true)
            if let policy = container.restartPolicy, policy != "Always" {
                errs.append(.notSupported("\(cpath).restartPolicy", .string(policy), supported: ["Always"]))
            }
            if !container.name.isEmpty && !names.insert(container.name).inserted {
                errs.append(.duplicate("\(cpath).name", .string(container.name)))
            }
        }
        if let grace = terminationGracePeriodSeconds, grace < 0 {
            errs.append(.invalid("\(path).terminationGracePeriodSeconds", .int(grace), "must be greater than or equal to 0"))
        }
        if let deadline = activeDeadlineSeconds, deadline < 1 || deadline > Int64(Int32.max) {
            errs.append(.invalid(
                "\(path).activeDeadlineSeconds", .int(deadline),
                NameValidation.inclusiveRangeError(1, Int64(Int32.max))))
        }
        if let dns = dnsPolicy, !dns.isEmpty, !PodSpec.supportedDNSPolicies.contains(dns) {
            errs.append(.notSupported("\(path).dnsPolicy", .string(dns), supported: PodSpec.supportedDNSPolicies))
        }
        errs += validateDNS(path: path)
        if let hostname, !hostname.isEmpty {
            errs += NameValidation.isDNS1123Label(hostname).map { .invalid("\(path).hostname", .string(hostname), $0) }
        }
        if let subdomain, !subdomain.isEmpty {
            errs += NameValidation.isDNS1123Label(subdomain).map {
                .invalid("\(path).subdomain", .string(subdomain), $0)
            }
        }
        if let scheduler = schedulerName, !scheduler.isEmpty {
            errs += NameValidation.isDNS1123Subdomain(scheduler).map {
                .invalid("\(path).schedulerName", .string(scheduler), $0)
            }
        }
        if let pcn = priorityClassName, !pcn.isEmpty {
            errs += NameValidation.isDNS1123Subdomain(pcn).map {
                .invalid("\(path).priorityClassName", .string(pcn), $0)
            }
        }
        if let sa = serviceAccountName, !sa.isEmpty {
            errs += NameValidation.isDNS1123Subdomain(sa).map {
                .invalid("\(path).serviceAccountName", .string(sa), $0)
            }
        }
        if let node = nodeName, !node.isEmpty {
            errs += NameValidation.isDNS1123Subdomain(node).map { .invalid("\(path).nodeName", .string(node), $0) }
        }
        if let securityContext {
            errs += securityContext.validate(path: "\(path).securityContext")
        }
        errs += validateNodeSelection(path: path)
        errs += validateStorage(path: path)
        errs += validateOSAndStopSignals(path: path)
        return errs
    }
}

extension Container {
    static let supportedTerminationMessagePolicies = ["File", "FallbackToLogsOnError"]
    static let supportedPortProtocols = ["SCTP", "TCP", "UDP"]

    /// Checks shared by init and app containers (`validateContainerCommon`).
    func validateCommon(path: String, hostNetwork: Bool) -> [FieldError] {
        var errs: [FieldError] = []
        if name.isEmpty {
            errs.append(.required("\(path).name"))
        } else {
            errs += NameValidation.isDNS1123Label(name).map { .invalid("\(path).name", .string(name), $0) }
        }
        let image = self.image ?? ""
        if image.isEmpty {
            errs.append(.required("\(path).image"))
        } else if image != image.trimmingWhitespace() {
            errs.append(.invalid("\(path).image", .string(image), "must not have leading or trailing whitespace"))
        }
        if let policy = terminationMessagePolicy, !Container.supportedTerminationMessagePolicies.contains(policy) {
            if policy.isEmpty {
                errs.append(.required("\(path).terminationMessagePolicy", "must be 'File' or 'FallbackToLogsOnError'"))
            } else {
                errs.append(.notSupported(
                    "\(path).terminationMessagePolicy", .string(policy),
                    supported: Container.supportedTerminationMessagePolicies))
            }
        }
        errs += validatePorts(path: "\(path).ports", hostNetwork: hostNetwork)
        for (i, env) in (env ?? []).enumerated() {
            let epath = "\(path).env[\(i)].name"
            // Both errors for an empty name, as the API server reports them.
            if env.name.isEmpty { errs.append(.required(epath)) }
            errs += NameValidation.isEnvVarName(env.name).map { .invalid(epath, .string(env.name), $0) }
        }
        if let resources {
            errs += resources.validate(path: "\(path).resources")
        }
        if let securityContext {
            errs += securityContext.validate(path: "\(path).securityContext")
        }
        return errs
    }

    func validatePorts(path: String, hostNetwork: Bool) -> [FieldError] {
        var errs: [FieldError] = []
        var names = Set<String>()
        for (i, port) in (ports ?? []).enumerated() {
            let ppath = "\(path)[\(i)]"
            if let name = port.name, !name.isEmpty {
                let msgs = NameValidation.isValidPortName(name)
                if !msgs.isEmpty {
                    errs += msgs.map { .invalid("\(ppath).name", .string(name), $0) }
                } else if !names.insert(name).inserted {
                    errs.append(.duplicate("\(ppath).name", .string(name)))
                }
            }
            if port.containerPort == 0 {
                errs.append(.required("\(ppath).containerPort"))
            } else {
                errs += NameValidation.isValidPortNum(Int64(port.containerPort)).map {
                    .invalid("\(ppath).containerPort", .int(Int64(port.containerPort)), $0)
                }
            }
            if let hostPort = port.hostPort, hostPort != 0 {
                errs += NameValidation.isValidPortNum(Int64(hostPort)).map {
                    .invalid("\(ppath).hostPort", .int(Int64(hostPort)), $0)
                }
                if hostNetwork && hostPort != port.containerPort {
                    errs.append(.invalid(
                        "\(ppath).hostPort", .int(Int64(hostPort)), "must match `containerPort` when `hostNetwork` is true"))
                }
            }
            if let proto = port.protocol {
                if proto.isEmpty {
                    errs.append(.required("\(ppath).protocol"))
                } else if !Container.supportedPortProtocols.contains(proto) {
                    errs.append(.notSupported("\(ppath).protocol", .string(proto), supported: Container.supportedPortProtocols))
                }
            }
        }
        return errs
    }
}

extension String {
    /// `strings.TrimSpace` over ASCII and Unicode whitespace.
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}

extension ObjectMeta {
    /// The part of `ValidateObjectMeta` every kind shares: name (or generateName) a DNS-1123
    /// subdomain, namespace a DNS-1123 label, labels qualified names with valid values.
    func validateNameNamespaceAndLabels() -> [FieldError] {
        var errs: [FieldError] = []
        if let name, !name.isEmpty {
            errs += NameValidation.isDNS1123Subdomain(name).map { .invalid("metadata.name", .string(name), $0) }
        } else if generateName?.isEmpty ?? true {
            errs.append(.required("metadata.name", "name or generateName is required"))
        }
        if let namespace, !namespace.isEmpty {
            errs += NameValidation.isDNS1123Label(namespace).map { .invalid("metadata.namespace", .string(namespace), $0) }
        }
        // Maps are walked in key order so the same manifest always yields the same message.
        for (key, value) in (labels ?? [:]).sorted(by: { $0.key < $1.key }) {
            errs += NameValidation.isQualifiedName(key).map { .invalid("metadata.labels", .string(key), $0) }
            errs += NameValidation.isValidLabelValue(value).map { .invalid("metadata.labels", .string(value), $0) }
        }
        return errs
    }
}
