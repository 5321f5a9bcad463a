import Foundation
import XCTest

/// Issue 13, "Spanish everywhere": every command, run with `--lang es` on every bundled sample
/// host and every lab fixture, prints no English sentence. The detector is an allow-list one:
/// it strips what is not prose (paths, `commands`, quoted names, options, addresses, values,
/// product/package/driver names and known technical terms), then flags the words left that
/// are common English words.
///
/// Check evidence is covered too (the `·` lines of `check --details` and the walkthrough, the
/// report's per-check evidence): its words are Spanish, its record is verbatim, so quoted kernel
/// messages (`· dmesg: …`) are let through like any other quotation.
/// Not covered, on purpose: the report's raw-evidence section (dmesg lines as captured) and
/// swift-argument-parser's own framing of a usage error ("Usage:", "See '… --help' for more
/// information.").
final class SpanishEverywhereTests: XCTestCase {
    /// Bundled samples and the lab fixtures (captured hosts, before and after the lab run).
    static var hosts: [String] {
        let fm = FileManager.default
        var hosts = ["sample-host", "sample-host-vfs", "sample-host-igpu"].map(CLI.resource)
        let lab = CLI.repository + "/Tests/Fixtures/lab"
        for fixture in ((try? fm.contentsOfDirectory(atPath: lab)) ?? []).sorted() {
            for side in ["before", "after"] where fm.fileExists(atPath: "\(lab)/\(fixture)/\(side)/sys/bus/pci/devices") {
                hosts.append("\(lab)/\(fixture)/\(side)")
            }
        }
        return hosts
    }

    /// sample-host-vfs with Proxmox VMs (a running Windows VM on i440fx, a stopped Linux VM on
    /// q35, one `qm list` does not know, one with a VF already) and a resource mapping: the
    /// passthrough plans' notes and steps.
    static func hostWithVMs() throws -> String {
        let root = CLI.temporaryDirectory() + "-vms"
        try FileManager.default.copyItem(atPath: CLI.resource("sample-host-vfs"), toPath: root)
        let files = [
            "/etc/pve/qemu-server/101.conf": "name: win11\nostype: win11\nmachine: pc-i440fx-8.1\nbios: ovmf\n",
            "/etc/pve/qemu-server/102.conf": "name: debian\nostype: l26\nmachine: q35\n",
            "/etc/pve/qemu-server/103.conf": "name: spare\nostype: l26\n",
            "/etc/pve/qemu-server/104.conf": "name: router\nostype: l26\nmachine: q35\nhostpci0: 0000:01:10.0,pcie=1\n",
            "/etc/pve/mapping/pci.cfg": "igb-vfs\n\tmap id=8086:10ca,iommugroup=7,node=sriov-lab,path=0000:01:10.2\n",
            "/sriov-wizard/commands/qm_list.stdout": """
                      VMID NAME                 STATUS     MEM(MB)    BOOTDISK(GB) PID
                       101 win11                running    8192              64.00 4242
                       102 debian               stopped    2048              32.00 0
                       104 router               running    1024              8.00 4343

                """,
            "/sriov-wizard/commands/qm_list.stderr": "",
            "/sriov-wizard/commands/qm_list.status": "0\n",
        ]
        for (path, text) in files {
            try FileManager.default.createDirectory(atPath: root + (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: root + path, atomically: true, encoding: .utf8)
        }
        return root
    }

    func testEveryCommandPrintsSpanishOnEverySampleAndFixture() throws {
        let vms = try Self.hostWithVMs()
        defer { try? FileManager.default.removeItem(atPath: vms) }
        let hosts = Self.hosts + [vms]
        XCTAssertGreaterThanOrEqual(hosts.count, 10, "\(hosts)")
        var findings: [String] = []
        var ran = 0
        for host in hosts {
            let root = CLI.temporaryDirectory()
            try FileManager.default.copyItem(atPath: host, toPath: root)
            defer { try? FileManager.default.removeItem(atPath: root) }
            let name = host.replacingOccurrences(of: CLI.repository + "/", with: "")
            func check(_ arguments: [String], _ text: String) {
                ran += 1
                for finding in EnglishDetector.findings(text) {
                    findings.append("\(name): sriov-wizard \(arguments.joined(separator: " ")): \(finding)")
                }
            }
            func run(_ arguments: [String]) throws {
                let r = try CLI.run(arguments + ["--lang", "es", "--root", root], environment: ["NO_COLOR": "1"])
                check(arguments, r.stdoutText + "\n" + r.stderrText)
            }
            try run(["check"])
            try run(["check", "--details", "--width", "1000"])
            try run(["check", "--brief"])
            try run(["devices"])
            try run(["devices", "--all"])
            try run(["wizard", "--walkthrough", "--width", "1000"])
            let out = root + "-report"
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: out) }
            let report = try CLI.run(["report", "--lang", "es", "--root", root, "--xml", out + "/r.xml", "--html", out + "/r.html"])
            check(["report"], report.stdoutText + "\n" + report.stderrText)
            if let html = try? String(contentsOfFile: out + "/r.html", encoding: .utf8) { check(["report", "--html"], EnglishDetector.htmlText(html)) }
            else { findings.append("\(name): report wrote no HTML: \(report.stderrText)") }
            // The fleet view of that report (text and HTML) and a snapshot of the host, with and
            // without an archive.
            let collect = try CLI.run(["collect", "--lang", "es", out + "/r.xml", "--html", out + "/fleet.html"], environment: ["NO_COLOR": "1"])
            check(["collect"], collect.stdoutText + "\n" + collect.stderrText)
            if let html = try? String(contentsOfFile: out + "/fleet.html", encoding: .utf8) { check(["collect", "--html"], EnglishDetector.htmlText(html)) }
            else { findings.append("\(name): collect wrote no HTML: \(collect.stderrText)") }
            let snapshot = try CLI.run(["snapshot", "--lang", "es", "--root", root, "--output", out + "/snap", "--archive", out + "/snap.tar.gz"])
            check(["snapshot"], snapshot.stdoutText + "\n" + snapshot.stderrText)

            // Every plan that applies to this host, as a dry run; then one applied for real
            // (to the copy), so that history and rollback have a journal to show.
            let pfs = Self.physicalFunctions(root)
            var plans: [[String]] = [["--vfio"], ["--iommu"], ["--iommu", "--vfio"], []]
            for (pf, total) in pfs {
                plans += [["--device", pf, "--vfs", String(total)], ["--device", pf, "--vfs", "2", "--vf-mac", "auto"],
                          ["--device", pf, "--vfs", String(total), "--method", "modprobe"], ["--device", pf, "--vfs", "0"],
                          ["--device", pf, "--vfs", String(total + 1)], ["--mapping", "sriov-vfs", "--device", pf]]
                for vm in Self.virtualMachines(root) {
                    plans += [["--passthrough", vm, "--vf", "auto", "--device", pf], ["--passthrough", vm, "--mapping", "sriov-vfs", "--device", pf],
                              ["--passthrough", vm, "--mapping", "igb-vfs"], ["--passthrough", vm, "--vf", "0000:01:10.0"],
                              ["--passthrough", vm, "--vf", pf], ["--passthrough", vm, "--vf", "01:10"]]
                }
                plans += [["--mapping", "igb-vfs", "--device", pf], ["--passthrough", "999", "--vf", "auto", "--device", pf]]
            }
            if FileManager.default.fileExists(atPath: root + "/sys/bus/pci/devices/0000:00:02.0") { plans += [["--igpu"], ["--iommu", "--igpu"]] }
            for plan in plans { try run(["apply"] + plan + ["--dry-run"]) }
            try run(["history"])
            try run(["rollback", "--last", "--dry-run"])
            if let (pf, total) = pfs.first {
                try run(["apply", "--vfio", "--device", pf, "--vfs", String(total)])   // no terminal, no --yes: refused
                try run(["apply", "--vfio", "--device", pf, "--vfs", String(total), "--yes"])
                try run(["apply", "--vfio", "--device", pf, "--vfs", String(total), "--yes"])   // already applied
            }
            try run(["history"])
            let applied = try CLI.run(["report", "--lang", "es", "--root", root, "--html", out + "/applied.html"])
            if let html = try? String(contentsOfFile: out + "/applied.html", encoding: .utf8) { check(["report", "(after apply)"], EnglishDetector.htmlText(html)) }
            else { findings.append("\(name): report wrote no HTML: \(applied.stderrText)") }
            try run(["rollback", "--last", "--dry-run"])
            try run(["rollback", "--last"])   // no terminal, no --yes: refused
            try run(["rollback", "--last", "--yes"])
            try run(["rollback", "--last", "--yes"])   // nothing (left) to roll back
            try run(["rollback", "--id", "20000101-000000-1", "--dry-run"])
            try run(["history"])
        }
        XCTAssertGreaterThan(ran, 100)
        XCTAssertEqual(findings, [], "English in --lang es output (\(findings.count)):\n" + findings.joined(separator: "\n"))
    }

    /// The confirmation prompts on a terminal: asked in Spanish, and "s"/"sí" is yes.
    func testConfirmationPromptsAreSpanishAndTakeASpanishYes() throws {
        let root = CLI.temporaryDirectory()
        try FileManager.default.copyItem(atPath: CLI.resource("sample-host"), toPath: root)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let apply = try CLI.runInTerminal(["apply", "--lang", "es", "--root", root, "--device", "0000:01:00.0", "--vfs", "4"],
                                          input: "sí\n", environment: ["NO_COLOR": "1"])
        XCTAssertTrue(apply.contains("¿Aplicar estos cambios? [s/N]"), apply)
        XCTAssertTrue(apply.contains("Aplicado; diario "), apply)
        XCTAssertEqual(EnglishDetector.findings(apply), [], apply)
        let rollback = try CLI.runInTerminal(["rollback", "--lang", "es", "--root", root, "--last"], input: "s\n", environment: ["NO_COLOR": "1"])
        XCTAssertTrue(rollback.contains("¿Deshacer estos cambios? [s/N]"), rollback)
        XCTAssertEqual(EnglishDetector.findings(rollback), [], rollback)
    }

    /// The wizard's `[a]` runs apply in the wizard's language: plan, question, outcome, re-check.
    func testTheWizardAppliesInSpanish() throws {
        let root = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.copyItem(atPath: CLI.resource("sample-host"), toPath: root)
        // Skip stage 1 ([o] omitir), continue through 2 and 3, apply at 4 with the defaults (VF count,
        // persistence, MACs), confirm with "s", quit.
        let screen = try CLI.runInTerminal(["--root", root, "--lang", "es"], input: "o\n\n\na\n\n\n\ns\nq\n", environment: ["NO_COLOR": "1"])
        XCTAssertTrue(screen.contains("Plan: 7 VFs en 0000:01:00.0 (igb) con sriov_numvfs en sysfs y una regla udev"), screen)
        XCTAssertTrue(screen.contains("¿Aplicar estos cambios? [s/N]"), screen)
        XCTAssertTrue(screen.contains("Aplicado; diario "), screen)
        XCTAssertEqual(EnglishDetector.findings(screen), [], screen)
    }

    /// `--help` of every command, ArgumentParser's own words in it and its usage errors, and
    /// the messages of the commands' `validate()`, in Spanish with `--lang es` or a Spanish
    /// LANG; in English otherwise.
    func testHelpAndUsageErrorsAreSpanish() throws {
        var findings: [String] = []
        let commands = ["", "wizard", "check", "devices", "snapshot", "report", "collect", "schema", "apply", "rollback", "history"]
        for command in commands {
            let arguments = command.isEmpty ? [] : [command]
            for (extra, environment) in [(["--lang", "es"], ["LC_ALL": "C"]), ([], ["LC_ALL": "es_ES.UTF-8"])] {
                let r = try CLI.run(arguments + ["--help"] + extra, environment: environment)
                let shown = "sriov-wizard \((arguments + ["--help"] + extra).joined(separator: " ")) (LC_ALL=\(environment["LC_ALL"]!))"
                XCTAssertEqual(r.status, 0, "\(shown): \(r.stderrText)")
                XCTAssertTrue(r.stdoutText.hasPrefix("RESUMEN: "), "\(shown): \(r.stdoutText.prefix(200))")
                for header in ["USO: ", "OPCIONES:", "Muestra esta ayuda."] {
                    XCTAssertTrue(r.stdoutText.contains(header), "\(shown) lacks \(header)")
                }
                XCTAssertTrue(r.stdoutText.contains("EJEMPLOS:") || command == "", "\(shown) has no examples")
                for finding in EnglishDetector.findings(Self.helpProse(r.stdoutText)) { findings.append("\(shown): \(finding)") }
            }
            let english = try CLI.run(arguments + ["--help"], environment: ["LC_ALL": "C"])
            XCTAssertTrue(english.stdoutText.hasPrefix("OVERVIEW: ") && english.stdoutText.contains("OPTIONS:"), english.stdoutText)
            XCTAssertFalse(english.stdoutText.contains("OPCIONES"), english.stdoutText)
        }
        let usage: [([String], String)] = [
            (["check", "--frob"], "Opción desconocida «--frob». ¿Quiso decir «--root»?"),
            (["devices", "--format", "xml"], "El valor «xml» no es válido para «--format <format>». Indique uno de «text» y «json»."),
            (["check", "--brief", "--details"], "--brief y --details no van juntas"),
            (["collect"], "Indique al menos un informe XML"),
            (["check", "--device", "zz"], "no es una dirección PCI"),
            (["report", "--upload", "ftp://x", "--token-file", "/dev/null"], "solo se admite https://"),
        ]
        for (arguments, expected) in usage {
            let r = try CLI.run(arguments + ["--lang", "es"], environment: ["LC_ALL": "C"])
            XCTAssertEqual(r.status, 64, "\(arguments): \(r.stderrText)")
            XCTAssertTrue(r.stderrText.contains(expected), "\(arguments): \(r.stderrText)")
            XCTAssertTrue(r.stderrText.contains("Vea «sriov-wizard"), "\(arguments): \(r.stderrText)")
            for finding in EnglishDetector.findings(Self.helpProse(r.stderrText)) { findings.append("\(arguments.joined(separator: " ")): \(finding)") }
        }
        let english = try CLI.run(["check", "--frob"], environment: ["LC_ALL": "C"])
        XCTAssertTrue(english.stderrText.contains("Unknown option '--frob'. Did you mean '--root'?"), english.stderrText)
        XCTAssertEqual(findings, [], "\(findings.count) English findings:\n" + findings.prefix(40).joined(separator: "\n"))
    }

    /// A help text without what stays as typed: value names (`<FILE>`), the values options take
    /// (stage ids, levels) and the command names of the root's list.
    static func helpProse(_ text: String) -> String {
        var text = text.replacingOccurrences(of: "<[^>\\n]*>", with: " ", options: .regularExpression)
        text = text.replacingOccurrences(of: "(?m)^  (wizard|check|devices|snapshot|report|collect|schema|apply|rollback|history) ", with: " ", options: .regularExpression)
        for value in ["prerequisites", "bios", "device", "activation", "fail", "warn", "note", "snapshot", "now", "none"] {
            text = text.replacingOccurrences(of: "\\b\(value)\\b", with: " ", options: .regularExpression)
        }
        return text
    }

    /// The detector itself: it must see English prose and let Spanish with technical words through.
    func testTheDetectorFlagsEnglishAndNotSpanish() {
        XCTAssertEqual(EnglishDetector.findings("Plan: 4 VFs en 0000:01:00.0 (igb) con sriov_numvfs en sysfs y una regla udev\n" +
            "  1. escribir 4 en /sys/bus/pci/devices/0000:01:00.0/sriov_numvfs  (anotado en la instantánea)\n" +
            "  2. ejecutar update-initramfs -u -k all  (se ejecutaría en el equipo)\n" +
            "Ejecute `update-initramfs -u -k all` y reinicie. «Above 4G Decoding» = Enabled. Use --method sysfs.\n" +
            "OK     iommu-active   Hay una IOMMU activa: dmar0 con 13 grupos IOMMU."), [])
        XCTAssertEqual(EnglishDetector.findings("Plan: vfio modules at boot (/etc/modules-load.d/vfio.conf)").count, 1)
        XCTAssertEqual(EnglishDetector.findings("  done   crear /etc/x\nStill to do:\n").count, 2)
        XCTAssertEqual(EnglishDetector.findings("  1. editar /etc/default/grub\n     --- a/etc/default/grub\n     +++ b/etc/default/grub\n      # If you change this file, run update-grub\n  2. ejecutar update-grub"), [], "diffs quote files")
        XCTAssertFalse(EnglishDetector.findings("vfio, vfio_pci is listed to load at boot").isEmpty)
        XCTAssertFalse(EnglishDetector.findings("Apply these changes? [y/N]").isEmpty)
        XCTAssertFalse(EnglishDetector.findings("  2. run update-initramfs -u -k all  (would run on the host)").isEmpty)
        XCTAssertFalse(EnglishDetector.findings("  PASS  iommu-active  Hay una IOMMU activa.").isEmpty, "level labels")
        XCTAssertEqual(EnglishDetector.htmlText("<p>Hola <code>the cat</code></p><section id=\"evidence\"><li>not read</li></section><b>Adiós</b>"), "Hola Adiós")
        let evidence = EnglishDetector.htmlText("<details class=\"evidence\"><ul><li><code>/proc/cpuinfo: not readable</code></li><li><code>dmesg: DMAR: IOMMU enabled</code></li></ul></details>")
        XCTAssertEqual(EnglishDetector.findings(evidence).count, 1, "evidence words are checked, quoted kernel messages are not: \(evidence)")
        XCTAssertEqual(EnglishDetector.findings("    · /proc/cpuinfo: flags contiene vmx\n    · dmesg: DMAR: IOMMU enabled"), [])
        XCTAssertEqual(EnglishDetector.findings("    · /sys/class/net/x: not readable").count, 1, "evidence lines are checked")
    }

    /// `ADDRESS -> sriov_totalvfs` of the SR-IOV PFs of a root.
    static func physicalFunctions(_ root: String) -> [(String, Int)] {
        let devices = root + "/sys/bus/pci/devices"
        return ((try? FileManager.default.contentsOfDirectory(atPath: devices)) ?? []).sorted().compactMap { address in
            guard let text = try? String(contentsOfFile: "\(devices)/\(address)/sriov_totalvfs", encoding: .utf8),
                  let total = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), total > 0 else { return nil }
            return (address, total)
        }
    }

    static func virtualMachines(_ root: String) -> [String] {
        let dir = root + "/etc/pve/qemu-server"
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".conf") }.map { String($0.dropLast(5)) }.sorted()
    }
}

/// Finds English prose in text meant to be Spanish.
enum EnglishDetector {
    /// Common English words that are not Spanish words too (no "a", "no", "me", "he", "use",
    /// "plan", "host", "kernel", "via", "final", "total" ...).
    static let english: Set<String> = Set("""
        the is are was were be been being not to of and or with without for from on in at by this that these those it its
        run runs found enabled disabled missing already every each after before then now here there when which what who
        can cannot could would should will must may do does did done nothing something all any some none only also more less
        than into out up down off yes if but so because need needs needed add remove create edit write read load loaded loads
        show shows give see set sets get gets make makes change changes changed reboot file files step steps stage stages verified
        warning warnings failed applied recorded still next first last new old one two your you how why where while until
        listed built configured uses used using allows supported enable disable restart start stop undo undoes rolled back
        has have had keep keeps takes take such other another both either neither whether over under between about against per
        pass warn fail skip note nor unknown absent readable applies journal snapshot
        driver drivers device module modules running stopped available installed shown line lines value values setting settings
        """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))

    /// Words and phrases that stay as they are in Spanish text: names of products, firmware
    /// menus and settings, kernel messages quoted by name.
    static let allowedPhrases = [
        "Secure Boot", "Above 4G Decoding", "All Functions", "Resource Mappings", "Datacenter", "Root Complex Integrated Endpoint",
        "SR-IOV Support", "Resizable BAR", "Intel Virtual Technology", "Virtual Function", "Gigabit Network Connection",
        // strerror(3) texts inside an error, as every other tool of the system prints them.
        "no such file or directory", "permission denied", "not a directory", "file exists", "is a directory",
        // File names in evidence.
        "modules.builtin",
    ]

    /// Product and package names from the knowledge (`drivers.json`: the Windows VF driver
    /// packages, named as their vendor names them).
    static let packageNames: [String] = {
        guard let data = FileManager.default.contents(atPath: CLI.resource("knowledge/drivers.json")),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let drivers = object["drivers"] as? [[String: Any]] else { return [] }
        return drivers.compactMap { ($0["windowsDriver"] as? [String: Any])?["name"] as? String }.sorted { $0.count > $1.count }
    }()

    /// The flagged sentences, each with its English words: `[the, is] in "…"`.
    static func findings(_ text: String) -> [String] {
        var prose = text.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
        // Quoted kernel messages in evidence and argument-parser framing: see the test's comment.
        // A diff (apply's plan, rollback's) quotes file contents: from its `--- ` line to the
        // first line indented less than the diff.
        var kept: [Substring] = []
        var diffIndent: Int?
        for line in prose.split(separator: "\n", omittingEmptySubsequences: false) {
            let t = line.trimmingCharacters(in: .whitespaces)
            let indent = line.prefix { $0 == " " }.count
            if let d = diffIndent, indent >= d, !t.isEmpty { continue }
            diffIndent = nil
            if t.hasPrefix("--- ") { diffIndent = indent; continue }
            if t.hasPrefix("· dmesg: ") { continue }
            kept.append(line)
        }
        prose = kept.joined(separator: "\n")
        // Names may be wrapped over two lines: any run of blanks matches a blank.
        for phrase in packageNames + allowedPhrases {
            let pattern = NSRegularExpression.escapedPattern(for: phrase).replacingOccurrences(of: " ", with: "\\s+")
            prose = prose.replacingOccurrences(of: pattern, with: " ", options: [.regularExpression, .caseInsensitive])
        }
        // `check --brief`: the stage column holds stage ids.
        prose = prose.replacingOccurrences(of: "(?m)^(OK|NOTA|AVISO|FALLO|OMIT) +(prerequisites|bios|device|activation) ", with: " ", options: .regularExpression)
        // Commands (quoted, or after `ejecutar` in a plan's step, up to the step's remark) and
        // quoted names, also across a wrapped line; BIOS values (`» = Enabled`); PCI names from pci.ids.
        for pattern in ["`[^`]*`", "«[^»]*»", "\"[^\"]{0,300}\"", "'[^'\\n]*'", "= [A-Za-z]+", "Intel Corporation[^\\n]*",
                        "(ejecutar|ejecute usted:) [^\\n]*?(?=  |$|\\n)"] {
            prose = prose.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
        }
        var result: [String] = []
        for sentence in prose.components(separatedBy: CharacterSet(charactersIn: "\n.;")) {
            var hits: [String] = []
            for token in sentence.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
                let word = token.trimmingCharacters(in: CharacterSet(charactersIn: ",:()[]{}!?¿¡…→<>*"))
                // Paths, options, addresses, values, ids, file names: not prose.
                if word.isEmpty || word.contains("/") || word.contains("=") || word.contains("_") || word.hasPrefix("-")
                    || word.contains(where: \.isNumber) || word.contains(".") || word.contains("@") { continue }
                if english.contains(word.lowercased()) { hits.append(word) }
            }
            if !hits.isEmpty { result.append("[\(hits.joined(separator: ", "))] in \"\(sentence.trimmingCharacters(in: .whitespaces))\"") }
        }
        return result
    }

    /// The visible text of an HTML page, without scripts, styles, code, preformatted text and
    /// the raw-evidence section; a check's evidence items (`<li><code>…</code></li>`) are kept,
    /// one a line, each read as the terminal's `·` lines are.
    static func htmlText(_ html: String) -> String {
        var text = html.replacingOccurrences(of: "<li><code>([^<]*)</code></li>", with: "\n· $1\n", options: .regularExpression)
        for pattern in ["<script[\\s\\S]*?</script>", "<style[\\s\\S]*?</style>", "<pre[\\s\\S]*?</pre>", "<code[\\s\\S]*?</code>",
                        "<section id=\"evidence\"[\\s\\S]*?</section>", "<[^>]*>"] {
            text = text.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
        }
        for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            text = text.replacingOccurrences(of: entity, with: character)
        }
        return text.replacingOccurrences(of: "[ \\t]+", with: " ", options: .regularExpression).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
