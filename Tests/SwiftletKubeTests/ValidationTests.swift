import Foundation
import SwiftletKube
import XCTest

final class ValidationTests: XCTestCase {
    static let labelMsg =
        #"a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"#

    func validPod() -> Pod {
        var spec = PodSpec(containers: [Container(name: "web", image: "busybox")])
        spec.containers[0].ports = [ContainerPort(name: "http", containerPort: 80)]
        spec.containers[0].env = [EnvVar(name: "A", value: "1")]
        return Pod(metadata: ObjectMeta(name: "web", labels: ["app": "web"]), spec: spec).withDefaults()
    }

    func messages(_ mutate: (inout Pod) -> Void) -> [String] {
        var pod = validPod()
        mutate(&pod)
        return pod.validate().map(\.description)
    }

    func testValidPodHasNoErrors() {
        XCTAssertEqual(validPod().validate(), [])
        XCTAssertNoThrow(try validPod().validateOrThrow())
    }

    func testEachRuleMessage() {
        let cases: [(String, (inout Pod) -> Void, [String])] = [
            ("name required", { $0.metadata.name = nil },
             ["metadata.name: Required value: name or generateName is required"]),
            ("name subdomain", { $0.metadata.name = "Web" },
             [#"metadata.name: Invalid value: "Web": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"#]),
            ("namespace label", { $0.metadata.namespace = "a.b" },
             [#"metadata.namespace: Invalid value: "a.b": "# + Self.labelMsg]),
            ("label value", { $0.metadata.labels = ["app": "a b"] },
             [#"metadata.labels: Invalid value: "a b": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"#]),
            ("label key", { $0.metadata.labels = ["/x": "v"] },
             [#"metadata.labels: Invalid value: "/x": prefix part must be non-empty"#]),
            ("annotation key case-insensitive", { $0.metadata.annotations = ["Example.COM/Key": "v"] }, []),
            ("annotation key", { $0.metadata.annotations = ["a/b/c": "v"] },
             [#"metadata.annotations: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"#]),
            ("annotations size", { $0.metadata.annotations = ["k": String(repeating: "x", count: 256 * 1024)] },
             ["metadata.annotations: Too long: may not be more than 262144 bytes"]),
            ("containers required", { $0.spec.containers = [] }, ["spec.containers: Required value"]),
            ("container name required", { $0.spec.containers[0].name = "" }, ["spec.containers[0].name: Required value"]),
            ("container name label", { $0.spec.containers[0].name = "Web" },
             [#"spec.containers[0].name: Invalid value: "Web": "# + Self.labelMsg]),
            ("duplicate container", { $0.spec.containers.append(Container(name: "web", image: "x")) },
             [#"spec.containers[1].name: Duplicate value: "web""#]),
            ("duplicate init/app", { $0.spec.initContainers = [Container(name: "web", image: "x")] },
             [#"spec.initContainers[0].name: Duplicate value: "web""#]),
            ("image required", { $0.spec.containers[0].image = nil }, ["spec.containers[0].image: Required value"]),
            ("image empty", { $0.spec.containers[0].image = "" }, ["spec.containers[0].image: Required value"]),
            ("image whitespace", { $0.spec.containers[0].image = "busybox " },
             [#"spec.containers[0].image: Invalid value: "busybox ": must not have leading or trailing whitespace"#]),
            ("sidecar ok", { $0.spec.initContainers = [{ var c = Container(name: "side", image: "x"); c.restartPolicy = "Always"; return c }()] }, []),
            ("init restartPolicy", { $0.spec.initContainers = [{ var c = Container(name: "i", image: "x"); c.restartPolicy = "Never"; return c }()] },
             [#"spec.initContainers[0].restartPolicy: Unsupported value: "Never": supported values: "Always""#]),
            ("app restartPolicy", { $0.spec.containers[0].restartPolicy = "Always" },
             ["spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers"]),
            ("grace negative", { $0.spec.terminationGracePeriodSeconds = -1 },
             ["spec.terminationGracePeriodSeconds: Invalid value: -1: must be greater than or equal to 0"]),
            ("grace zero ok", { $0.spec.terminationGracePeriodSeconds = 0 }, []),
            ("deadline zero", { $0.spec.activeDeadlineSeconds = 0 },
             ["spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive"]),
            ("hostname", { $0.spec.hostname = "Host" }, [#"spec.hostname: Invalid value: "Host": "# + Self.labelMsg]),
            ("subdomain", { $0.spec.subdomain = "a.b" }, [#"spec.subdomain: Invalid value: "a.b": "# + Self.labelMsg]),
            ("dnsPolicy", { $0.spec.dnsPolicy = "Cluster" },
             [#"spec.dnsPolicy: Unsupported value: "Cluster": supported values: "ClusterFirst", "ClusterFirstWithHostNet", "Default", "None""#]),
            ("terminationMessagePolicy", { $0.spec.containers[0].terminationMessagePolicy = "Log" },
             [#"spec.containers[0].terminationMessagePolicy: Unsupported value: "Log": supported values: "File", "FallbackToLogsOnError""#]),
            ("env name", { $0.spec.containers[0].env = [EnvVar(name: "1A", value: nil)] },
             [#"spec.containers[0].env[0].name: Invalid value: "1A": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')"#]),
            ("env name empty", { $0.spec.containers[0].env = [EnvVar(name: "", value: nil)] },
             ["spec.containers[0].env[0].name: Required value",
              #"spec.containers[0].env[0].name: Invalid value: "": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')"#]),
            ("duplicate env allowed", { $0.spec.containers[0].env = [EnvVar(name: "A", value: "1"), EnvVar(name: "A", value: "2")] }, []),
            ("workingDir anything", { $0.spec.containers[0].workingDir = "relative/dir" }, []),
            ("containerPort range", { $0.spec.containers[0].ports = [ContainerPort(containerPort: 70000)] },
             ["spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive"]),
            ("containerPort required", { $0.spec.containers[0].ports = [ContainerPort(containerPort: 0)] },
             ["spec.containers[0].ports[0].containerPort: Required value"]),
            ("hostPort range", { $0.spec.containers[0].ports = [{ var p = ContainerPort(containerPort: 80); p.hostPort = 65536; return p }()] },
             ["spec.containers[0].ports[0].hostPort: Invalid value: 65536: must be between 1 and 65535, inclusive"]),
            ("hostPort zero ok", { $0.spec.containers[0].ports = [{ var p = ContainerPort(containerPort: 80); p.hostPort = 0; return p }()] }, []),
            ("hostNetwork hostPort", { $0.spec.hostNetwork = true; $0.spec.containers[0].ports = [{ var p = ContainerPort(containerPort: 80); p.hostPort = 81; return p }()] },
             ["spec.containers[0].ports[0].hostPort: Invalid value: 81: must match `containerPort` when `hostNetwork` is true"]),
            ("protocol", { $0.spec.containers[0].ports = [ContainerPort(containerPort: 80, protocol: "HTTP")] },
             [#"spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP""#]),
            ("port name", { $0.spec.containers[0].ports = [ContainerPort(name: "HTTP", containerPort: 80)] },
             [#"spec.containers[0].ports[0].name: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"#,
              #"spec.containers[0].ports[0].name: Invalid value: "HTTP": must contain at least one letter (a-z)"#]),
            ("port name too long", { $0.spec.containers[0].ports = [ContainerPort(name: "abcdefghijklmnop", containerPort: 80)] },
             [#"spec.containers[0].ports[0].name: Invalid value: "abcdefghijklmnop": must be no more than 15 characters"#]),
            ("duplicate port name", { $0.spec.containers[0].ports = [ContainerPort(name: "http", containerPort: 80), ContainerPort(name: "http", containerPort: 81)] },
             [#"spec.containers[0].ports[1].name: Duplicate value: "http""#]),
        ]
        for (label, mutate, expected) in cases {
            XCTAssertEqual(messages(mutate), expected, label)
        }
    }

    func testValidateOrThrowCarriesEveryError() {
        var pod = validPod()
        pod.metadata.name = nil
        pod.spec.containers = []
        XCTAssertThrowsError(try pod.validateOrThrow()) { error in
            XCTAssertEqual((error as? FieldErrorList)?.count, 2)
        }
    }
}

/// API-server validation of dnsConfig and hostAliases.
final class DNSValidationTests: XCTestCase {
    func errors(_ mutate: (inout PodSpec) -> Void) -> [String] {
        var spec = PodSpec(containers: [Container(name: "c", image: "busybox")])
        mutate(&spec)
        let pod = Pod(metadata: ObjectMeta(name: "p", namespace: "default"), spec: spec).withDefaults()
        return pod.validate().map(\.description)
    }

    func testDNSNoneNeedsNameservers() {
        XCTAssertEqual(errors { $0.dnsPolicy = "None" }, ["spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None"])
        XCTAssertEqual(
            errors { $0.dnsPolicy = "None"; $0.dnsConfig = PodDNSConfig(searches: ["a"]) },
            ["spec.dnsConfig.nameservers: Required value: must provide at least one DNS nameserver when `dnsPolicy` is None"])
        XCTAssertEqual(errors { $0.dnsPolicy = "None"; $0.dnsConfig = PodDNSConfig(nameservers: ["1.1.1.1"]) }, [])
    }

    func testBadResolverSettingsAndAliases() {
        let errs = errors {
            $0.dnsConfig = PodDNSConfig(
                nameservers: ["1.1.1.1", "not-an-ip"], searches: ["Bad_Domain", "ok.example."], options: [PodDNSConfigOption(name: "")])
            $0.hostAliases = [HostAlias(ip: "10.0.0.300", hostnames: ["fine.example", "UPPER"])]
        }
        XCTAssertEqual(errs.count, 5, "\(errs)")
        XCTAssertTrue(errs.contains("spec.dnsConfig.nameservers[1]: Invalid value: \"not-an-ip\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"), "\(errs)")
        XCTAssertTrue(errs.contains { $0.hasPrefix("spec.dnsConfig.searches[0]: Invalid value: \"Bad_Domain\"") }, "\(errs)")
        XCTAssertTrue(errs.contains("spec.dnsConfig.options[0]: Required value: Option.Name must not be empty"), "\(errs)")
        XCTAssertTrue(errs.contains { $0.hasPrefix("spec.hostAliases[0].ip: Invalid value: \"10.0.0.300\"") }, "\(errs)")
        XCTAssertTrue(errs.contains { $0.hasPrefix("spec.hostAliases[0].hostnames[1]: Invalid value: \"UPPER\"") }, "\(errs)")
        XCTAssertEqual(
            errors { $0.dnsConfig = PodDNSConfig(nameservers: ["1.1.1.1", "1.1.1.2", "1.1.1.3", "1.1.1.4"]) },
            ["spec.dnsConfig.nameservers: Invalid value: \"1.1.1.1 1.1.1.2 1.1.1.3 1.1.1.4\": must not have more than 3 nameservers"])
    }
}
