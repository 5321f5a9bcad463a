import SRIOVCore
import Foundation
import Reports
@testable import ReportServer
import XCTest

/// The parts of the server that need no process: tokens, database URLs, summaries, diffs.
final class ReportServerUnitTests: XCTestCase {
    func testTokensAre256RandomBitsAndCompareInConstantTimeShape() {
        let a = Tokens.generate(), b = Tokens.generate()
        XCTAssertNotEqual(a, b)
        XCTAssertTrue(a.hasPrefix("srs_"))
        XCTAssertEqual(a.dropFirst(4).count, 64)
        XCTAssertTrue(a.dropFirst(4).allSatisfy { $0.isHexDigit })
        XCTAssertEqual(Tokens.hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertTrue(Tokens.constantTimeEqual("abc", "abc"))
        XCTAssertFalse(Tokens.constantTimeEqual("abc", "abd"))
        XCTAssertFalse(Tokens.constantTimeEqual("abc", "abcd"))
        XCTAssertFalse(Tokens.constantTimeEqual("", "a"))
        let records = [TokenRecord(name: "x", role: .upload, hash: Tokens.hash(a), created: "t", revoked: nil),
                       TokenRecord(name: "y", role: .read, hash: Tokens.hash(b), created: "t", revoked: "t2")]
        XCTAssertEqual(Tokens.match(a, in: records)?.name, "x")
        XCTAssertNil(Tokens.match(b, in: records), "revoked")
        XCTAssertNil(Tokens.match("srs_nothing", in: records))
        XCTAssertTrue(Tokens.validName("desk-1.a_b"))
        XCTAssertFalse(Tokens.validName("desk 1"))
        XCTAssertFalse(Tokens.validName("<b>"))
        XCTAssertFalse(Tokens.validName(""))
    }

    func testSHA256MatchesTheFIPSVectorsAndCoreutils() {
        XCTAssertEqual(SHA256.hex([UInt8]()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hex([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        // Every length across the padding boundaries, against sha256sum.
        for n in [55, 56, 57, 63, 64, 65, 119, 120, 128] {
            let text = String(repeating: "x", count: n)
            XCTAssertEqual(SHA256.hex(Array(text.utf8)), tokenHash(text), "length \(n)")
        }
    }

    func testClockIsUTCWithMillisecondsFromManyThreads() {
        // The formatter is shared (made once, BENCHMARKS.md); calls from threads at once still
        // each get a well-formed time.
        let times = Shared<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 64) { _ in
            let t = ReportServer.Clock.now()
            times.update { $0.append(t) }
        }
        XCTAssertEqual(times.get().count, 64)
        for t in times.get() {
            XCTAssertNotNil(t.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"#, options: .regularExpression), t)
        }
        XCTAssertLessThan(ReportServer.Clock.now(offset: -60), ReportServer.Clock.now())
    }

    func testRoles() {
        XCTAssertTrue(Role.upload.allows(.upload))
        XCTAssertFalse(Role.upload.allows(.read))
        XCTAssertTrue(Role.admin.allows(.read))
        XCTAssertFalse(Role.admin.allows(.upload))
        XCTAssertFalse(Role.read.allows(.admin))
    }

    func testDatabaseLocations() throws {
        XCTAssertEqual(try DatabaseLocation("sqlite:/tmp/x.sqlite"), .sqlite(path: "/tmp/x.sqlite"))
        XCTAssertEqual(try DatabaseLocation("postgres://u:p@h:5432/d"), .postgres(url: "postgres://u:p@h:5432/d"))
        XCTAssertThrowsError(try DatabaseLocation("sqlite:"))
        XCTAssertThrowsError(try DatabaseLocation("/var/lib/x.sqlite")) { XCTAssertTrue("\($0)".contains("sqlite:PATH")) }
        XCTAssertThrowsError(try PostgresStore(url: "postgres://")) { XCTAssertTrue("\($0)".contains("postgres://USER")) }
    }

    func testPlaceholdersAreNumberedForPostgreSQL() {
        let st = SQLStatement("SELECT a FROM t WHERE b = ? AND c LIKE ? ESCAPE '\\' LIMIT ?", [.text("x"), .text("y"), .int(3)])
        XCTAssertEqual(st.numbered, "SELECT a FROM t WHERE b = $1 AND c LIKE $2 ESCAPE '\\' LIMIT $3")
        XCTAssertEqual(ListColumn.like("50%_a\\"), "50\\%\\_a\\\\")
    }

    func testSummaryOfARealReport() throws {
        let xml = try Paths.golden("lab-igb-maxvfs")
        let accepted = try ReportIntake.accept(Array(xml.utf8))
        let s = accepted.summary
        XCTAssertEqual(s.host, "sriov-lab")
        XCTAssertEqual(s.hostKey, "name:sriov-lab")
        XCTAssertNil(s.hostId)
        XCTAssertEqual(s.kernel, "6.12.95+deb12-amd64")
        XCTAssertEqual(s.boardVendor, "QEMU")
        XCTAssertEqual(s.boardModel, "Standard PC (Q35 + ICH9, 2009)")
        XCTAssertEqual(s.biosVersion, "1.16.3-debian-1.16.3-2~bpo12+1")
        XCTAssertEqual(s.devices, [.init(id: "8086:10c9", driver: "igb")])
        let report = try ReportXML.read(xml)
        XCTAssertEqual(s.level, report.level.rawValue)
        XCTAssertEqual(s.vfsEnabled, report.vfCounts.enabled)
        XCTAssertEqual(s.stages.count, report.stages.count)
        XCTAssertEqual(accepted.sha256.count, 64)
        // The report's host id (`<host id="...">`, written by `report`) is the identity.
        let id = SHA256.hex(Array("machine-id".utf8))
        let withID = xml.replacingOccurrences(of: "<host>", with: "<host id=\"\(id)\">")
        XCTAssertNotEqual(withID, xml)
        let identified = try ReportIntake.accept(Array(withID.utf8)).summary
        XCTAssertEqual(identified.hostId, id)
        XCTAssertEqual(identified.hostKey, id)
    }

    func testIntakeRefusesWithStatusAndReason() {
        func status(_ bytes: [UInt8]) -> Int? {
            do { _ = try ReportIntake.accept(bytes); return nil } catch { return error.status }
        }
        XCTAssertEqual(status([0xff, 0xfe]), 415)
        XCTAssertEqual(status(Array("plain text".utf8)), 415)
        XCTAssertEqual(status(Array("<a/>".utf8)), 400)
        XCTAssertEqual(status(Array("<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>".utf8)), 400)
    }

    func testDiffOfTwoLabReports() throws {
        let before = try ReportXML.read(try Paths.golden("lab-igb-noiommu"))
        let after = try ReportXML.read(try Paths.golden("lab-igb-maxvfs"))
        let d = ReportDiff(from: before, to: after, fromID: "a", toID: "b")
        XCTAssertFalse(d.checks.isEmpty)
        let iommu = d.checks.first { $0.id == "iommu-active" }
        XCTAssertEqual(iommu?.to, after.stages.flatMap(\.checks).first { $0.id == "iommu-active" }?.level.rawValue)
        XCTAssertNotEqual(iommu?.from, iommu?.to)
        XCTAssertEqual(d.vfsTo.enabled, after.vfCounts.enabled)
        let same = ReportDiff(from: after, to: after, fromID: "b", toID: "b")
        XCTAssertTrue(same.checks.isEmpty && same.devices.isEmpty && same.vfsAdded.isEmpty && same.vfsRemoved.isEmpty)
    }
}
