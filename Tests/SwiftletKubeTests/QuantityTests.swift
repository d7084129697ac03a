import Foundation
import SwiftletKube
import XCTest

/// Tables from apimachinery's quantity_test.go (TestQuantityParse, TestQuantityString,
/// TestQuantityParseEmit) plus the accessors the kubelet uses.
final class QuantityTests: XCTestCase {
    /// input → canonical string, format.
    let parseTable: [(String, String, Quantity.Format)] = [
        ("0", "0", .decimalSI), ("0n", "0", .decimalSI), ("0m", "0", .decimalSI), ("0Ki", "0", .binarySI),
        ("0Mi", "0", .binarySI), ("0G", "0", .decimalSI), ("1", "1", .decimalSI),
        ("1Ki", "1Ki", .binarySI), ("8Ki", "8Ki", .binarySI), ("7Mi", "7Mi", .binarySI), ("6Gi", "6Gi", .binarySI),
        ("5Ti", "5Ti", .binarySI), ("4Pi", "4Pi", .binarySI), ("3Ei", "3Ei", .binarySI), ("100Ti", "100Ti", .binarySI),
        ("5n", "5n", .decimalSI), ("4u", "4u", .decimalSI), ("3m", "3m", .decimalSI), ("8k", "8k", .decimalSI),
        ("50k", "50k", .decimalSI), ("7M", "7M", .decimalSI), ("6G", "6G", .decimalSI), ("40T", "40T", .decimalSI),
        ("300T", "300T", .decimalSI), ("2P", "2P", .decimalSI), ("1E", "1E", .decimalSI),
        ("1E-3", "1e-3", .decimalExponent), ("1e3", "1e3", .decimalExponent), ("1E6", "1e6", .decimalExponent),
        ("1e14", "100e12", .decimalExponent), ("1e13", "10e12", .decimalExponent),
        ("100.035k", "100035", .decimalSI), ("0.001", "1m", .decimalSI), ("0.0005k", "500m", .decimalSI),
        ("0.5", "500m", .decimalSI), ("0.00050k", "500m", .decimalSI), ("0.5e0", "500e-3", .decimalExponent),
        ("0.5e-2", "5e-3", .decimalExponent), ("10.035M", "10035k", .decimalSI), ("1.2e3", "1200", .decimalExponent),
        ("1.3E+6", "1300e3", .decimalExponent), ("1.7E18", "1700e15", .decimalExponent), ("9.01", "9010m", .decimalSI),
        ("8.1k", "8100", .decimalSI), ("7.123456M", "7123456", .decimalSI), ("6.987654321G", "6987654321", .decimalSI),
        ("2.5P", "2500T", .decimalSI), ("1.01E", "1010P", .decimalSI),
        // Rounding away from zero below a nano.
        ("3.001n", "4n", .decimalSI), ("1.1E-9", "2e-9", .decimalExponent), ("0.0000000001", "1n", .decimalSI),
        ("0.9n", "1n", .decimalSI), ("0.00000012345", "124n", .decimalSI),
        // Binary values are capped at 2^63-1; decimal ones are not.
        ("9Ei", "9223372036854775807", .binarySI), ("9223372036854775807Ki", "9223372036854775807", .binarySI),
        ("12E", "12E", .decimalSI), ("1000E", "1e21", .decimalSI),
        // Fractional binary.
        ("100.035Ki", "102435840m", .binarySI), ("0.5Mi", "512Ki", .binarySI), ("0.05Gi", "53687091200m", .binarySI),
        ("0.000000000001Ki", "2n", .decimalSI), (".001", "1m", .decimalSI), (".0001k", "100m", .decimalSI),
        ("1.", "1", .decimalSI), ("1.G", "1G", .decimalSI), (".5", "500m", .decimalSI),
        // TestQuantityString / TestQuantityParseEmit.
        ("1024Mi", "1Gi", .binarySI), ("1000Mi", "1000Mi", .binarySI), ("1.5Gi", "1536Mi", .binarySI),
        ("307200Ki", "300Mi", .binarySI), ("1025024Mi", "1001Gi", .binarySI), ("1024Gi", "1Ti", .binarySI),
        ("1000M", "1G", .decimalSI), ("0.001T", "1G", .decimalSI), ("1000u", "1m", .decimalSI),
        ("1.08", "1080m", .decimalSI), ("1080000000n", "1080m", .decimalSI), (".001e12", "1e9", .decimalExponent),
        ("0.001e0", "1e-3", .decimalExponent), ("1000e-12", "1e-9", .decimalExponent), ("1025", "1025", .decimalSI),
        ("00", "0", .decimalSI), (".001Ki", "1024m", .binarySI), (".000001Ki", "1024u", .decimalSI),
        ("1Ki", "1Ki", .binarySI), ("1536", "1536", .decimalSI), ("128974848", "128974848", .decimalSI),
        ("129e6", "129e6", .decimalExponent), ("123Mi", "123Mi", .binarySI),
    ]

    func testParseAndCanonicalForm() throws {
        for (input, canonical, format) in parseTable {
            let q = try Quantity(parsing: input)
            XCTAssertEqual(q.canonicalString, canonical, input)
            if !q.isZero { XCTAssertEqual(q.format, format, input) }
            // The canonical form parses back to the same value and prints the same.
            let again = try Quantity(parsing: canonical)
            XCTAssertEqual(again, q, input)
            XCTAssertEqual(again.canonicalString, canonical, input)
            // Signs: "+" changes nothing, "-" negates the printed form.
            XCTAssertEqual(try Quantity(parsing: "+" + input).canonicalString, canonical, "+" + input)
            XCTAssertEqual(
                try Quantity(parsing: "-" + input).canonicalString, q.isZero ? "0" : "-" + canonical, "-" + input)
        }
    }

    func testInvalid() {
        let table: [(String, QuantityError.Reason)] = [
            ("", .formatWrong), ("1.1.M", .formatWrong), ("1+1.0M", .formatWrong), ("0.1mi", .suffix),
            ("0.1am", .formatWrong), ("aoeu", .formatWrong), (".5i", .suffix), ("1i", .suffix), ("-3.01i", .suffix),
            ("-3.01e-", .suffix), (" 1", .formatWrong), ("1 ", .formatWrong), ("1Mb", .formatWrong), ("1ki", .suffix),
            ("1e", .suffix), ("1e1000", .numeric), (String(repeating: "9", count: 40), .numeric),
        ]
        for (input, reason) in table {
            XCTAssertThrowsError(try Quantity(parsing: input), input) { error in
                XCTAssertEqual((error as? QuantityError)?.reason, reason, input)
            }
        }
        XCTAssertEqual(
            QuantityError(.formatWrong, input: "x").description,
            "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
    }

    func testValueAndMilliValueRoundAwayFromZero() throws {
        let table: [(String, Int64, Int64)] = [
            ("100m", 1, 100), ("0.5", 1, 500), ("1", 1, 1000), ("1.5", 2, 1500), ("128Mi", 134_217_728, 134_217_728_000),
            ("1n", 1, 1), ("1500u", 1, 2), ("-1500u", -1, -2), ("-9.01", -10, -9010), ("0", 0, 0),
            ("9223372036854775807m", 9_223_372_036_854_776, 9_223_372_036_854_775_807),
            ("9Ei", Int64.max, Int64.max), ("20E", Int64.max, Int64.max),
        ]
        for (input, value, milli) in table {
            let q = try Quantity(parsing: input)
            XCTAssertEqual(q.value, value, input)
            XCTAssertEqual(q.milliValue, milli, input)
        }
    }

    func testComparisonAndArithmetic() throws {
        XCTAssertEqual(try Quantity(parsing: "+1").canonicalString, "1")
        XCTAssertEqual(try Quantity(parsing: "1Ki"), try Quantity(parsing: "1024"))
        XCTAssertLessThan(try Quantity(parsing: "999m"), try Quantity(parsing: "1"))
        XCTAssertLessThan(try Quantity(parsing: "-1"), Quantity.zero)
        XCTAssertEqual((try Quantity(parsing: "1Gi") + Quantity(parsing: "512Mi")).canonicalString, "1536Mi")
        XCTAssertEqual((try Quantity(parsing: "500m") + Quantity(parsing: "1")).canonicalString, "1500m")
        XCTAssertEqual((try Quantity.zero + Quantity(parsing: "1Ki")).format, .binarySI)
        XCTAssertEqual((try Quantity(parsing: "1") - Quantity(parsing: "1500m")).canonicalString, "-500m")
        XCTAssertEqual(Quantity(milli: 250).canonicalString, "250m")
        XCTAssertEqual(Quantity(2048, format: .binarySI).canonicalString, "2Ki")
    }

    struct Box: Codable, Equatable { var q: Quantity }

    func testJSONAcceptsStringsAndNumbersAndEncodesCanonicalStrings() throws {
        let table: [(String, String)] = [
            (#"{"q":"0.5"}"#, #"{"q":"500m"}"#), (#"{"q":1}"#, #"{"q":"1"}"#), (#"{"q":0.25}"#, #"{"q":"250m"}"#),
            (#"{"q":" 2Gi "}"#, #"{"q":"2Gi"}"#), (#"{"q":1e3}"#, #"{"q":"1k"}"#), (#"{"q":null}"#, #"{"q":"0"}"#),
        ]
        for (input, output) in table {
            let box = try JSONDecoder().decode(Box.self, from: Data(input.utf8))
            XCTAssertEqual(String(decoding: try JSONEncoder().encode(box), as: UTF8.self), output, input)
        }
        XCTAssertThrowsError(try JSONDecoder().decode(Box.self, from: Data(#"{"q":"abc"}"#.utf8))) { error in
            guard case DecodingError.dataCorrupted(let context)? = error as? DecodingError else {
                return XCTFail("\(error)")
            }
            XCTAssertTrue(context.debugDescription.hasPrefix("quantities must match"))
        }
        XCTAssertThrowsError(try JSONDecoder().decode(Box.self, from: Data(#"{"q":true}"#.utf8)))
    }
}
