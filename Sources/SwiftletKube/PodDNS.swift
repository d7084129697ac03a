import Foundation

/// `v1.PodDNSConfig`: extra resolver settings merged into what `dnsPolicy` gives.
public struct PodDNSConfig: Codable, Hashable, Sendable {
    public var nameservers: [String]?
    public var searches: [String]?
    public var options: [PodDNSConfigOption]?

    public init(nameservers: [String]? = nil, searches: [String]? = nil, options: [PodDNSConfigOption]? = nil) {
        self.nameservers = nameservers
        self.searches = searches
        self.options = options
    }
}

/// `v1.PodDNSConfigOption`: `ndots:2` is `{name: ndots, value: "2"}`.
public struct PodDNSConfigOption: Codable, Hashable, Sendable {
    public var name: String?
    public var value: String?

    public init(name: String?, value: String? = nil) {
        self.name = name
        self.value = value
    }
}

/// `v1.HostAlias`: extra `/etc/hosts` lines.
public struct HostAlias: Codable, Hashable, Sendable {
    public var ip: String?
    public var hostnames: [String]?

    public init(ip: String?, hostnames: [String]?) {
        self.ip = ip
        self.hostnames = hostnames
    }
}

extension PodSpec {
    /// The API server's limits on resolver settings (`MaxDNSNameservers`, `MaxDNSSearchPaths`,
    /// `MaxDNSSearchListChars`).
    public static let maxDNSNameservers = 3
    public static let maxDNSSearchPaths = 32
    public static let maxDNSSearchListChars = 2048

    /// `validatePodDNSConfig` and `ValidateHostAliases`, with the API server's messages.
    func validateDNS(path: String) -> [FieldError] {
        var errs: [FieldError] = []
        let cpath = "\(path).dnsConfig"
        if dnsPolicy == "None" {
            guard let dnsConfig else {
                return [.required(cpath, "must provide `dnsConfig` when `dnsPolicy` is None")]
            }
            if (dnsConfig.nameservers ?? []).isEmpty {
                return [.required("\(cpath).nameservers", "must provide at least one DNS nameserver when `dnsPolicy` is None")]
            }
        }
        if let dnsConfig {
            let servers = dnsConfig.nameservers ?? []
            if servers.count > Self.maxDNSNameservers {
                errs.append(.invalid(
                    "\(cpath).nameservers", .string(servers.joined(separator: " ")),
                    "must not have more than \(Self.maxDNSNameservers) nameservers"))
            }
            for (i, server) in servers.enumerated() where !Self.isIPAddress(server) {
                errs.append(.invalid("\(cpath).nameservers[\(i)]", .string(server), Self.ipAddressMessage))
            }
            let searches = dnsConfig.searches ?? []
            if searches.count > Self.maxDNSSearchPaths {
                errs.append(.invalid(
                    "\(cpath).searches", .string(searches.joined(separator: " ")),
                    "must not have more than \(Self.maxDNSSearchPaths) search paths"))
            }
            if searches.joined(separator: " ").utf8.count > Self.maxDNSSearchListChars {
                errs.append(.invalid(
                    "\(cpath).searches", .string(searches.joined(separator: " ")),
                    "must not have more than \(Self.maxDNSSearchListChars) characters (including spaces) in the search list"))
            }
            for (i, search) in searches.enumerated() {
                // A trailing dot is fine.
                let name = search.hasSuffix(".") ? String(search.dropLast()) : search
                errs += NameValidation.isDNS1123Subdomain(name).map { .invalid("\(cpath).searches[\(i)]", .string(name), $0) }
            }
            for (i, option) in (dnsConfig.options ?? []).enumerated() where (option.name ?? "").isEmpty {
                errs.append(.required("\(cpath).options[\(i)]", "Option.Name must not be empty"))
            }
        }
        for (i, alias) in (hostAliases ?? []).enumerated() {
            let apath = "\(path).hostAliases[\(i)]"
            let ip = alias.ip ?? ""
            if !Self.isIPAddress(ip) { errs.append(.invalid("\(apath).ip", .string(ip), Self.ipAddressMessage)) }
            for (j, name) in (alias.hostnames ?? []).enumerated() {
                errs += NameValidation.isDNS1123Subdomain(name).map { .invalid("\(apath).hostnames[\(j)]", .string(name), $0) }
            }
        }
        return errs
    }

    static let ipAddressMessage = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"

    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}
