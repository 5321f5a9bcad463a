import Foundation
import HostAccess
import XCTest

/// `report`, `collect` and `schema`, run as a user would.
final class ReportCommandTests: XCTestCase {
    let time = "2026-01-31T12:00:00Z"

    func directory() throws -> String {
        let dir = CLI.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    func xmllint(_ path: String) throws {
        guard let xmllint = LiveCommandRunner.resolve("xmllint") else { throw XCTSkip("xmllint is not installed (libxml2-utils)") }
        let result = try LiveCommandRunner().run([xmllint, "--noout", "--nonet", "--schema", CLI.resource("report/report.xsd"), path],
                                                 timeout: 60, outputLimit: 1 << 20)
        XCTAssertEqual(result.status, 0, result.stderrText)
    }

    func testWritesValidXMLAndHTMLAndRerendersTheSameHTML() throws {
        let dir = try directory()
        let made = try CLI.run(["report", "--root", CLI.resource("sample-host-vfs"), "--xml", dir + "/r.xml", "--html", dir + "/r.html", "--time", time])
        XCTAssertEqual(made.status, 0, made.stderrText)
        try xmllint(dir + "/r.xml")
        let html = try read(dir + "/r.html")
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        XCTAssertTrue(html.contains("sriov-lab"))
        let again = try CLI.run(["report", "--from", dir + "/r.xml", "--html", dir + "/again.html"])
        XCTAssertEqual(again.status, 0, again.stderrText)
        XCTAssertEqual(try read(dir + "/again.html"), html, "XML -> HTML equals the direct HTML")
        // Same host, same time: the same bytes.
        let twice = try CLI.run(["report", "--root", CLI.resource("sample-host-vfs"), "--xml", "-", "--time", time])
        XCTAssertEqual(twice.stdoutText, try read(dir + "/r.xml"))
    }

    func testStandardOutputLanguageAndNoTime() throws {
        let result = try CLI.run(["report", "--root", CLI.resource("sample-host"), "--html", "-", "--lang", "es", "--time", "none"])
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertTrue(result.stdoutText.contains("<html lang=\"es\">"))
        XCTAssertTrue(result.stdoutText.contains("Informe SR-IOV"))
        let xml = try CLI.run(["report", "--root", CLI.resource("sample-host"), "--xml", "-", "--time", "none"])
        XCTAssertFalse(xml.stdoutText.contains(" time="))
    }

    func testRedactLeavesNoHostnameOrMAC() throws {
        let root = CLI.resource("sample-host-vfs")
        let machine = Machine(root: root)
        var originals = ["sriov-lab"]
        for dir in try machine.list("/sys/bus/pci/devices") {
            for net in (try? machine.list("/sys/bus/pci/devices/\(dir)/net")) ?? [] {
                if let mac = machine.attribute("/sys/bus/pci/devices/\(dir)/net/\(net)/address") { originals.append(mac) }
            }
        }
        let dir = try directory()
        let result = try CLI.run(["report", "--root", root, "--redact", "--xml", dir + "/r.xml", "--html", dir + "/r.html", "--time", time])
        XCTAssertEqual(result.status, 0, result.stderrText)
        try xmllint(dir + "/r.xml")
        let output = (try read(dir + "/r.xml") + read(dir + "/r.html")).lowercased()
        for value in originals { XCTAssertFalse(output.contains(value.lowercased()), "\(value) remains") }
        XCTAssertTrue(output.contains("host-1"))
    }

    func testHostileAndInvalidFilesExitTwoNamingTheFile() throws {
        let dir = try directory()
        let cases: [(String, String, String)] = [
            ("laughs.xml", "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]><report xmlns=\"urn:sriov-wizard:report:1\">&b;</report>", "refused"),
            ("xxe.xml", "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><report>&x;</report>", "refused"),
            ("other.xml", "<report xmlns=\"urn:example\"/>", "not an sriov-wizard report"),
            ("text.xml", "hello", "not well-formed"),
        ]
        for (name, content, expected) in cases {
            try content.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
            let result = try CLI.run(["report", "--from", dir + "/" + name, "--html", dir + "/out.html"])
            XCTAssertEqual(result.status, 2, name)
            XCTAssertTrue(result.stderrText.contains(dir + "/" + name), result.stderrText)
            XCTAssertTrue(result.stderrText.contains(expected), result.stderrText)
            XCTAssertFalse(result.stderrText.contains("root:x:0"), "nothing of /etc/passwd is ever read")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/out.html"))
        let missing = try CLI.run(["report", "--from", dir + "/nope.xml", "--html", "-"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderrText.contains("nope.xml"), missing.stderrText)
    }

    func testUsageErrors() throws {
        for args in [["report", "--xml", "-", "--html", "-"],
                     ["report", "--from", "x.xml", "--root", CLI.resource("sample-host"), "--html", "-"],
                     ["report", "--from", "x.xml", "--lang", "es", "--html", "-"],
                     ["report", "--root", CLI.resource("sample-host"), "--xml", "-", "--time", "yesterday"],
                     ["collect"],
                     ["collect", "a.xml", "--format", "json", "--html", "-"]] {
            let result = try CLI.run(args)
            XCTAssertEqual(result.status, 64, "\(args): \(result.stderrText)")
        }
        let unwritable = try CLI.run(["report", "--root", CLI.resource("sample-host"), "--xml", "/nonexistent-dir/r.xml"])
        XCTAssertEqual(unwritable.status, 73)
        XCTAssertTrue(unwritable.stderrText.contains("/nonexistent-dir/r.xml"), unwritable.stderrText)
    }

    /// `report` with neither --xml, --html nor --upload writes both files in the current
    /// directory, named after the host and the time, and says where.
    func testWithoutOutputsBothFilesAreWrittenInTheCurrentDirectory() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let runner = LiveCommandRunner(environment: CLI.sanitizerEnvironment)
        var r = try runner.run(["/usr/bin/env", "-C", dir, CLI.binary, "report", "--root", CLI.resource("sample-host"),
                                "--time", "2026-12-02T06:53:00Z", "--lang", "en"], timeout: 120, outputLimit: 16 << 20)
        XCTAssertEqual(r.status, 0, r.stderrText)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        XCTAssertEqual(names.count, 2, "\(names)")
        XCTAssertTrue(names.allSatisfy { $0.hasPrefix("sriov-report-") && $0.contains("-20261202-065300Z.") }, "\(names)")
        XCTAssertEqual(Set(names.map { ($0 as NSString).pathExtension }), ["xml", "html"])
        let xml = try read(dir + "/" + names.first { $0.hasSuffix(".xml") }!)
        XCTAssertTrue(xml.contains("<report"), xml)
        XCTAssertTrue(r.stdoutText.contains("Report written to "), r.stdoutText)
        XCTAssertTrue(r.stdoutText.contains(dir), r.stdoutText)
        // Spanish, redacted, no time: the host name is a placeholder, the name has no time.
        r = try runner.run(["/usr/bin/env", "-C", dir, CLI.binary, "report", "--root", CLI.resource("sample-host"),
                            "--time", "none", "--redact", "--lang", "es"], timeout: 120, outputLimit: 16 << 20)
        XCTAssertEqual(r.status, 0, r.stderrText)
        XCTAssertTrue(r.stdoutText.contains("Informe escrito en "), r.stdoutText)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/sriov-report-host-1.xml"), "\((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])")
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/sriov-report-host-1.html"))
    }

    func testSchemaCommandPrintsTheEmbeddedSchema() throws {
        let result = try CLI.run(["schema"])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stdoutText, try read(CLI.resource("report/report.xsd")))
    }

    /// Every documentation element of report.xsd is in both languages, one element per line
    /// (what `schema --lang` relies on), and `schema --lang es|en` keeps one language and still
    /// validates a report as the whole schema does.
    func testSchemaLangKeepsTheDocumentationOfOneLanguage() throws {
        let whole = try read(CLI.resource("report/report.xsd"))
        let lines = whole.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let documentation = lines.filter { $0.contains("<xs:documentation") }
        XCTAssertFalse(documentation.isEmpty)
        for line in documentation {
            XCTAssertTrue(line.hasPrefix("<xs:documentation xml:lang=\"en\">") || line.hasPrefix("<xs:documentation xml:lang=\"es\">"), line)
            XCTAssertTrue(line.hasSuffix("</xs:documentation>"), "one element per line: \(line)")
        }
        let english = documentation.filter { $0.contains("xml:lang=\"en\"") }.count
        XCTAssertEqual(english * 2, documentation.count, "each English documentation has its Spanish sibling")

        let dir = try directory()
        let report = try CLI.run(["report", "--root", CLI.resource("sample-host-vfs"), "--xml", dir + "/r.xml", "--time", time])
        XCTAssertEqual(report.status, 0, report.stderrText)
        for (language, kept, dropped) in [("es", "Resultado de una comprobación", "Outcome of a check"), ("en", "Outcome of a check", "Resultado de una comprobación")] {
            let result = try CLI.run(["schema", "--lang", language])
            XCTAssertEqual(result.status, 0, result.stderrText)
            XCTAssertTrue(result.stdoutText.contains(kept), language)
            XCTAssertFalse(result.stdoutText.contains(dropped), language)
            XCTAssertEqual(result.stdoutText.components(separatedBy: "<xs:documentation").count - 1, english, language)
            let schema = dir + "/report-\(language).xsd"
            try result.stdoutText.write(toFile: schema, atomically: true, encoding: .utf8)
            guard let xmllint = LiveCommandRunner.resolve("xmllint") else { throw XCTSkip("xmllint is not installed (libxml2-utils)") }
            let valid = try LiveCommandRunner().run([xmllint, "--noout", "--nonet", "--schema", schema, dir + "/r.xml"], timeout: 60, outputLimit: 1 << 20)
            XCTAssertEqual(valid.status, 0, valid.stderrText)
        }
        let bad = try CLI.run(["schema", "--lang", "fr"])
        XCTAssertEqual(bad.status, 64, bad.stderrText)
    }

    func testCollectTableJSONXMLAndHTML() throws {
        let dir = try directory()
        for name in ["sample-host", "sample-host-vfs"] {
            let r = try CLI.run(["report", "--root", CLI.resource(name), "--xml", "\(dir)/\(name).xml", "--time", time])
            XCTAssertEqual(r.status, 0, r.stderrText)
        }
        let files = ["\(dir)/sample-host.xml", "\(dir)/sample-host-vfs.xml"]
        let text = try CLI.run(["collect"] + files)
        XCTAssertEqual(text.status, 0, text.stderrText)
        XCTAssertTrue(text.stdoutText.hasPrefix("HOST"), text.stdoutText)
        XCTAssertTrue(text.stdoutText.contains("7/7"), text.stdoutText)
        let json = try CLI.json(["collect", "--format", "json"] + files)
        let hosts = try XCTUnwrap(json["hosts"] as? [[String: Any]])
        XCTAssertEqual(hosts.count, 2)
        XCTAssertEqual(hosts[1]["vfsEnabled"] as? Int, 7)
        let out = try CLI.run(["collect", "--html", dir + "/fleet.html", "--xml", dir + "/fleet.xml"] + files)
        XCTAssertEqual(out.status, 0, out.stderrText)
        XCTAssertEqual(out.stdoutText, "", "files only: nothing on standard output")
        try xmllint(dir + "/fleet.xml")
        let html = try read(dir + "/fleet.html")
        XCTAssertTrue(html.contains("href=\"#host-2\"") && html.contains("id=\"host-2\""))
        // A bad report is named, the good ones still shown, exit 2.
        try "<nope/>".write(toFile: dir + "/bad.xml", atomically: true, encoding: .utf8)
        let mixed = try CLI.run(["collect"] + files + [dir + "/bad.xml"])
        XCTAssertEqual(mixed.status, 2)
        XCTAssertTrue(mixed.stderrText.contains(dir + "/bad.xml"), mixed.stderrText)
        XCTAssertEqual(mixed.stdoutText.split(separator: "\n").count, 3, mixed.stdoutText)
    }

    /// End to end on a real kernel: the binary runs inside the lab VM (../shared/lab) and its
    /// report is validated here. Minutes long, so only with SRIOV_LAB=1.
    func testReportInTheLabVM() throws {
        guard ProcessInfo.processInfo.environment["SRIOV_LAB"] == "1" else { throw XCTSkip("set SRIOV_LAB=1 to run the lab VM") }
        let vm = CLI.repository + "/../shared/lab/vm.sh"
        guard FileManager.default.isExecutableFile(atPath: vm) else { throw XCTSkip("no lab at \(vm)") }
        let out = try directory()
        let result = try LiveCommandRunner().run([vm, "run", "igb", "--out", out, "--",
                                                  "\(CLI.binary) report --xml /lab/out/lab.xml --html /lab/out/lab.html --time \(time)"],
                                                 timeout: 900, outputLimit: 16 << 20)
        XCTAssertEqual(result.status, 0, result.stderrText)
        let xmlPath = out + "/lab.xml"
        XCTAssertTrue(FileManager.default.fileExists(atPath: xmlPath), "the VM wrote no report; see \(out)/cmd.stderr")
        try xmllint(xmlPath)
        let xml = try read(xmlPath)
        XCTAssertTrue(xml.contains("<kernel>"), xml)
        XCTAssertTrue(xml.contains("role=\"pf\""), "the emulated 82576 is in the report")
    }
}
