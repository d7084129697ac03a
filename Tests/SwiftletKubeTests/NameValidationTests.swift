import SwiftletKube
import XCTest

final class NameValidationTests: XCTestCase {
    static let labelMsg =
        #"a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"#
    static let subdomainMsg =
        #"a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"#
    static let qualifiedMsg =
        #"must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"#
    static let envMsg =
        #"a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')"#

    func testDNS1123Label() {
        let cases: [(String, [String])] = [
            ("web", []), ("a", []), ("0-9", []), (String(repeating: "a", count: 63), []),
            ("Web", [Self.labelMsg]), ("-a", [Self.labelMsg]), ("a-", [Self.labelMsg]), ("a.b", [Self.labelMsg]),
            ("", [Self.labelMsg]),
            (String(repeating: "a", count: 64), ["must be no more than 63 characters"]),
        ]
        for (value, expected) in cases {
            XCTAssertEqual(NameValidation.isDNS1123Label(value), expected, value)
        }
    }

    func testDNS1123Subdomain() {
        let cases: [(String, [String])] = [
            ("example.com", []), ("a.b-c.d", []),
            ("Web", [Self.subdomainMsg]), ("a..b", [Self.subdomainMsg]), (".a", [Self.subdomainMsg]),
            ("a_b", [Self.subdomainMsg]),
            (String(repeating: "a", count: 254), ["must be no more than 253 characters"]),
        ]
        for (value, expected) in cases {
            XCTAssertEqual(NameValidation.isDNS1123Subdomain(value), expected, value)
        }
    }

    func testQualifiedName() {
        let cases: [(String, [String])] = [
            ("app", []), ("example.com/App_1", []), ("a.b", []),
            ("-bad", ["name part " + Self.qualifiedMsg]),
            ("/x", ["prefix part must be non-empty"]),
            ("x/", ["name part must be non-empty", "name part " + Self.qualifiedMsg]),
            ("Example.com/x", ["prefix part " + Self.subdomainMsg]),
            ("a/b/c", ["a qualified name " + Self.qualifiedMsg
                + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]),
            (String(repeating: "a", count: 64), ["name part must be no more than 63 characters"]),
        ]
        for (value, expected) in cases {
            XCTAssertEqual(NameValidation.isQualifiedName(value), expected, value)
        }
    }

    func testLabelValue() {
        let msg =
            #"a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"#
        XCTAssertEqual(NameValidation.isValidLabelValue(""), [])
        XCTAssertEqual(NameValidation.isValidLabelValue("v1.2_x"), [])
        XCTAssertEqual(NameValidation.isValidLabelValue("bad value"), [msg])
        XCTAssertEqual(NameValidation.isValidLabelValue(String(repeating: "a", count: 64)), ["must be no more than 63 characters"])
    }

    func testEnvVarName() {
        let cases: [(String, [String])] = [
            ("PATH", []), ("my.env-name", []), ("_x1", []),
            ("1BAD", [Self.envMsg]), ("A=B", [Self.envMsg]), ("", [Self.envMsg]),
            (".", ["must not be '.'"]), ("..", ["must not be '..'"]), ("..x", ["must not start with '..'"]),
        ]
        for (value, expected) in cases {
            XCTAssertEqual(NameValidation.isEnvVarName(value), expected, value)
        }
    }

    func testCIdentifier() {
        XCTAssertEqual(NameValidation.isCIdentifier("MY_NAME"), [])
        XCTAssertEqual(NameValidation.isCIdentifier("1x").count, 1)
    }

    func testPortNameAndNumber() {
        let cases: [(String, [String])] = [
            ("http", []), ("web-8080", []),
            ("HTTP", ["must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
                      "must contain at least one letter (a-z)"]),
            ("8080", ["must contain at least one letter (a-z)"]),
            ("a--b", ["must not contain consecutive hyphens"]),
            ("-ab", ["must not begin or end with a hyphen"]),
            ("abcdefghijklmnop", ["must be no more than 15 characters"]),
        ]
        for (value, expected) in cases {
            XCTAssertEqual(NameValidation.isValidPortName(value), expected, value)
        }
        XCTAssertEqual(NameValidation.isValidPortNum(1), [])
        XCTAssertEqual(NameValidation.isValidPortNum(65535), [])
        XCTAssertEqual(NameValidation.isValidPortNum(0), ["must be between 1 and 65535, inclusive"])
        XCTAssertEqual(NameValidation.isValidPortNum(65536), ["must be between 1 and 65535, inclusive"])
    }
}
