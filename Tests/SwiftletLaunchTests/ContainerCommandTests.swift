import SwiftletImages
import SwiftletKube
import SwiftletRuntime
import XCTest

/// How command, args and env combine with the image config (Kubernetes' documented rules).
final class ContainerCommandTests: XCTestCase {
    func testCommandAndArgsAgainstEntrypointAndCmd() {
        let image = ImageConfig(entrypoint: ["/entry"], cmd: ["--default"], env: nil, workingDir: nil, user: nil)
        let rows: [(command: [String]?, args: [String]?, expected: [String])] = [
            (nil, nil, ["/entry", "--default"]),  // image as is
            (["/cmd"], nil, ["/cmd"]),  // command replaces ENTRYPOINT and drops CMD
            (nil, ["--arg"], ["/entry", "--arg"]),  // args replace CMD
            (["/cmd"], ["--arg"], ["/cmd", "--arg"]),
            ([], nil, ["/entry", "--default"]),  // an empty command is no command
        ]
        for row in rows {
            var c = Container(name: "c", image: "x", command: row.command, args: row.args)
            c.env = nil
            XCTAssertEqual(ContainerCommand.argv(container: c, image: image, environment: []), row.expected, "\(row)")
        }
    }

    func testEnvironmentOrderDefaultsAndOverrides() {
        let image = ImageConfig(entrypoint: nil, cmd: nil, env: ["PATH=/image/bin", "FROM_IMAGE=1"], workingDir: nil, user: nil)
        var c = Container(name: "c", image: "x")
        c.env = [EnvVar(name: "FROM_IMAGE", value: "2"), EnvVar(name: "GREETING", value: "hi $(FROM_IMAGE) $(NOPE)")]
        let env = ContainerCommand.environment(container: c, image: image, hostname: "pod-a")
        XCTAssertEqual(env, ["PATH=/image/bin", "HOSTNAME=pod-a", "FROM_IMAGE=2", "GREETING=hi 2 $(NOPE)"])
        let plain = ContainerCommand.environment(container: Container(name: "c", image: "x"), image: ImageConfig(), hostname: "h")
        XCTAssertEqual(plain, ["PATH=\(ContainerCommand.defaultPath)", "HOSTNAME=h"])
    }

    func testDollarExpansionRules() {
        let values = ["A": "x", "EMPTY": ""]
        let rows: [(String, String)] = [
            ("$(A)", "x"), ("$$(A)", "$(A)"), ("$$$$", "$$"), ("$(B)", "$(B)"), ("$(EMPTY)!", "!"),
            ("a$b", "a$b"), ("$", "$"), ("$(A", "$(A"), ("pre-$(A)-post", "pre-x-post"), ("echo $$", "echo $"),
        ]
        for (input, expected) in rows { XCTAssertEqual(ContainerCommand.expand(input, values), expected, input) }
    }
}
