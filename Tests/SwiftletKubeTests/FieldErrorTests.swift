import SwiftletKube
import XCTest

final class FieldErrorTests: XCTestCase {
    func testDescriptionMatchesAPIServerWording() {
        let cases: [(FieldError, String)] = [
            (.required("spec.containers[0].image"), "spec.containers[0].image: Required value"),
            (.required("metadata.name", "name or generateName is required"),
             "metadata.name: Required value: name or generateName is required"),
            (.duplicate("spec.containers[1].name", .string("web")), #"spec.containers[1].name: Duplicate value: "web""#),
            (.notSupported("spec.restartPolicy", .string("Sometimes"), supported: ["Always", "Never", "OnFailure"]),
             #"spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "Never", "OnFailure""#),
            (.invalid("spec.containers[0].ports[0].containerPort", .int(70000), "must be between 1 and 65535, inclusive"),
             "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive"),
            (.forbidden("spec.containers[0].restartPolicy", "may not be set for non-init containers"),
             "spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers"),
            (.tooLong("metadata.annotations", maxLength: 262144),
             "metadata.annotations: Too long: may not be more than 262144 bytes"),
            (.invalid("metadata.labels", .string("a\"b\n"), "x"), #"metadata.labels: Invalid value: "a\"b\n": x"#),
            (FieldError(.typeInvalid(expected: "array", actual: "string \"sleep 1\""), field: "spec.containers[0].command"),
             #"spec.containers[0].command: Invalid type: expected array, got string "sleep 1""#),
        ]
        for (error, expected) in cases {
            XCTAssertEqual(error.description, expected)
        }
    }

    func testListAggregatesLikeUtilErrors() {
        let a = FieldError.required("spec.containers")
        let b = FieldError.required("metadata.name")
        XCTAssertEqual(FieldErrorList([a]).description, "spec.containers: Required value")
        XCTAssertEqual(
            FieldErrorList([a, b, a]).description, "[spec.containers: Required value, metadata.name: Required value]")
        XCTAssertEqual(FieldErrorList([a, b]).lines, "spec.containers: Required value\nmetadata.name: Required value")
        XCTAssertEqual(
            FieldErrorList([a]).statusMessage(kind: "Pod", name: "web"),
            #"Pod "web" is invalid: spec.containers: Required value"#)
        XCTAssertThrowsError(try FieldErrorList([a]).throwIfAny())
        XCTAssertNoThrow(try FieldErrorList([]).throwIfAny())
    }
}
