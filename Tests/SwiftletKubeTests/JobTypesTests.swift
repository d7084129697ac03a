import Foundation
import SwiftletKube
import SwiftletManifests
import XCTest

/// batch/v1 Job decoding, defaulting, the generated selector and the API server's messages.
final class JobTypesTests: XCTestCase {
    /// The decoded Job, or the field errors (or the whole error) the decoder reports.
    func decode(_ spec: String) throws -> (job: Job?, errors: [String]) {
        let text = "apiVersion: batch/v1\nkind: Job\nmetadata: {name: pi}\nspec:\n" + spec
        let docs = try ManifestDecoder.decode(Data(text.utf8), fileName: "job.yaml")
        switch docs.first?.result {
        case .success(.object(let object)): return (object.value as? Job, [])
        case .failure(let e): return (nil, e.fieldErrors.map(\.description) + (e.fieldErrors.isEmpty ? ["\(e)"] : []))
        default: return (nil, ["nothing decoded"])
        }
    }

    func template(_ restartPolicy: String = "Never") -> String {
        """
          template:
            spec:
              restartPolicy: \(restartPolicy)
              containers: [{name: c, image: busybox}]
        """
    }

    func testDefaults() throws {
        guard let job = try decode(template()).job else { return XCTFail("not a Job") }
        XCTAssertEqual(job.spec.completions, 1)
        XCTAssertEqual(job.spec.parallelism, 1)
        XCTAssertEqual(job.spec.backoffLimit, 6)
        XCTAssertEqual(job.spec.completionMode, .nonIndexed)
        XCTAssertEqual(job.spec.suspend, false)
        XCTAssertEqual(job.spec.podReplacementPolicy, "TerminatingOrFailed")
        guard let q = try decode("  parallelism: 3\n" + template()).job else { return XCTFail("not a Job") }
        XCTAssertNil(q.spec.completions)
    }

    func testGeneratedSelectorOnceTheUIDIsKnown() throws {
        var job = Job(
            metadata: ObjectMeta(name: "pi", uid: "1234"),
            spec: .init(template: PodTemplateSpec(spec: PodSpec(containers: [Container(name: "c", image: "busybox")], restartPolicy: .never))))
        job.applyDefaults()
        XCTAssertEqual(job.spec.selector, WorkloadSelector(matchLabels: ["batch.kubernetes.io/controller-uid": "1234"]))
        XCTAssertEqual(
            job.spec.template?.metadata?.labels,
            ["batch.kubernetes.io/controller-uid": "1234", "batch.kubernetes.io/job-name": "pi", "controller-uid": "1234", "job-name": "pi"])
        XCTAssertEqual(job.validate(), [])
        var foreign = job
        foreign.spec.selector = WorkloadSelector(matchLabels: ["app": "x"])
        XCTAssertEqual(
            foreign.validate().map(\.description),
            [
                #"spec.selector: Invalid value: "map[app:x]": `selector` not auto-generated"#,
                #"spec.template.metadata.labels: Invalid value: "map[batch.kubernetes.io/controller-uid:1234 batch.kubernetes.io/job-name:pi controller-uid:1234 job-name:pi]": `selector` does not match template `labels`"#,
            ])
    }

    func testValidationMessages() throws {
        let cases: [(String, String, [String])] = [
            ("restartPolicy Always", template("Always"),
             [#"spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never""#]),
            ("Indexed without completions", "  completionMode: Indexed\n  parallelism: 2\n" + template(),
             ["spec.completions: Required value: when completion mode is Indexed"]),
            ("negative backoffLimit", "  backoffLimit: -1\n" + template(), ["spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0"]),
            ("failure policy with OnFailure",
             "  podFailurePolicy: {rules: [{action: FailJob, onExitCodes: {operator: In, values: [42]}}]}\n" + template("OnFailure"),
             [#"spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified"#]),
            ("exit code 0 under In",
             "  podFailurePolicy: {rules: [{action: Ignore, onExitCodes: {operator: In, values: [0, 1]}}]}\n" + template(),
             ["spec.podFailurePolicy.rules[0].onExitCodes.values[0]: Invalid value: 0: must not be 0 for the In operator"]),
            ("unknown action",
             "  podFailurePolicy: {rules: [{action: Retry, onExitCodes: {operator: In, values: [1]}}]}\n" + template(),
             [#"spec.podFailurePolicy.rules[0].action: Unsupported value: "Retry": supported values: "Count", "FailIndex", "FailJob", "Ignore""#]),
        ]
        for (name, spec, expected) in cases {
            XCTAssertEqual(try decode(spec).errors, expected, name)
        }
    }

    func testTemplateIsImmutableUnlessSuspendedAndNeverStarted() {
        var old = Job(
            metadata: ObjectMeta(name: "pi", uid: "u"),
            spec: .init(template: PodTemplateSpec(spec: PodSpec(containers: [Container(name: "c", image: "busybox")], restartPolicy: .never))))
        old.applyDefaults()
        var new = old
        new.spec.template?.spec.containers[0].image = "alpine"
        XCTAssertEqual(new.validateUpdate(from: old).map(\.description), [#"spec.template: Invalid value: "": field is immutable"#])
        old.spec.suspend = true
        XCTAssertEqual(new.validateUpdate(from: old), [])
    }
}
