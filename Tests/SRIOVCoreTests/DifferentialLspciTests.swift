import XCTest
import HostAccess
import SRIOVCore
import SyntheticTreeSupport
#if canImport(Glibc)
import Glibc
#endif

/// Differential tests: our sysfs inventory and config-space decoder against pciutils' `lspci`
/// reading the very same tree (`lspci -A linux-sysfs -O sysfs.path=DIR/sys/bus/pci -D -nn -k -vvv`,
/// run through `Machine.run`), and against the `lspci -D -nn -k -vvv` the lab captured inside
/// the VM from the real kernel.
///
/// `-A linux-sysfs` forces the sysfs method: without it a tree lspci cannot use would make it
/// fall back to `/proc/bus/pci` and list this machine's devices instead. `-D -nn` give full
/// addresses and numeric IDs; `-k` matches the captured command line.
final class DifferentialLspciTests: XCTestCase {
    // MARK: - real kernel captures

    /// Every `captures/<scenario>/<phase>/sysfs` of the lab, through the host's lspci.
    func testCapturedSysfsTreesAgreeWithLspci() throws {
        let lspci = try requireLspci()
        let trees = try captureTrees()
        var summary: [String] = []
        for tree in trees {
            let root = try ScratchTree.make("capture-view")
            defer { ScratchTree.remove(root) }
            // lspci 3.9 dies on the capture's bookkeeping files in devices/ (sysfs_scan: "Couldn't
            // parse entry name _links.txt"): record that, then give it a view without them.
            let raw = try runLspci(lspci, sysfsPCI: tree.sysfs + "/bus/pci")
            let devices = try Machine(root: "/").list(tree.sysfs + "/bus/pci/devices")
            let bookkeeping = devices.filter { PCIAddress($0) == nil }
            if raw.status != 0 {
                XCTAssertTrue(bookkeeping.contains { raw.stderrText.contains("Couldn't parse entry name \($0)") },
                              "\(tree.name): lspci failed on the raw capture for another reason: \(raw.stderrText)")
            } else if !bookkeeping.isEmpty {
                XCTFail("\(tree.name): lspci accepted \(bookkeeping) in devices/; update this test")
            }
            try makeView(of: tree.sysfs, at: root, entries: devices.filter { PCIAddress($0) != nil })
            let result = try runLspci(lspci, sysfsPCI: root + "/sys/bus/pci")
            XCTAssertEqual(result.status, 0, "\(tree.name): lspci failed on the cleaned view: \(result.stderrText)")
            assertOnlyKnownStderr(result, tree.name)
            let parsed = ObservedLspciText.parse(result.stdoutText)
            XCTAssertEqual(parsed.errors, [], tree.name)

            // Our side reads the raw capture (bookkeeping files included: they must be skipped).
            let inventory = try loadCapture(tree.sysfs)
            XCTAssertEqual(inventory.functions.map(\.address.description), devices.filter { PCIAddress($0) != nil }, tree.name)
            let bookkeepingPaths = Set(bookkeeping.map { SysfsInventory.devicesPath + "/" + $0 })
            XCTAssertEqual(inventory.issues.filter { !bookkeepingPaths.contains($0.path) }, [], tree.name)
            let report = LspciDifferential.compare(parsed.functions, inventory, names: true, links: false)
            XCTAssertEqual(report.disagreements, [], "\(tree.name): our decoder and lspci disagree")
            // The capture keeps links as small text files: lspci (readlink + realpath) cannot see
            // them, we can. Say so instead of comparing nothing.
            XCTAssertTrue(parsed.functions.allSatisfy { $0.driver == nil && $0.iommuGroup == nil },
                          "\(tree.name): lspci resolved a flattened link")
            XCTAssertTrue(inventory.functions.contains { $0.driver != nil }, "\(tree.name): drivers from link files")
            summary.append("\(tree.name): \(report.summary)")
        }
        print("lspci over captured sysfs trees (raw trees refused by lspci: `_links.txt`; compared on a view without it):\n  "
              + summary.joined(separator: "\n  "))
    }

    /// The same captures against the lspci text recorded in the VM from the live kernel, where
    /// lspci also saw the real `driver` and `iommu_group` links. Needs no lspci on this machine.
    func testCapturedSysfsTreesAgreeWithInGuestLspci() throws {
        let trees = try captureTrees()
        var summary: [String] = []
        var compared = 0
        for tree in trees {
            let textPath = tree.phaseDirectory + "/lspci-D-nn-k-vvv.txt"
            guard let text = try? Machine(root: "/").readText(textPath) else { continue }
            let parsed = ObservedLspciText.parse(text)
            XCTAssertEqual(parsed.errors, [], tree.name)
            let inventory = try loadCapture(tree.sysfs)
            let report = LspciDifferential.compare(parsed.functions, inventory, names: true, links: true)
            XCTAssertEqual(report.disagreements, [], "\(tree.name): our decoder and the in-guest lspci disagree")
            summary.append("\(tree.name): \(report.summary)")
            compared += 1
        }
        XCTAssertGreaterThan(compared, 0, "no capture has lspci-D-nn-k-vvv.txt")
        print("in-guest lspci -D -nn -k -vvv vs our inventory of the same phase:\n  " + summary.joined(separator: "\n  "))
    }

    /// Documented in the lab README: igb allows 7 VFs although config space says 8.
    func testIgbCaptureTakesTotalVFsFromSysfs() throws {
        let trees = try captureTrees().filter { $0.name == "igb/after" }
        guard let tree = trees.first else { throw XCTSkip("captures/igb/after is not in this checkout") }
        let inventory = try loadCapture(tree.sysfs)
        let pf = try XCTUnwrap(inventory.function(try XCTUnwrap(PCIAddress("0000:01:00.0"))))
        let sriov = try XCTUnwrap(pf.sriov)
        XCTAssertEqual(sriov.totalVFs, 7, "sriov_totalvfs")
        XCTAssertEqual(sriov.configTotalVFs, 8, "TotalVFs in config space")
        XCTAssertEqual(sriov.capability?.totalVFs, 8)
        XCTAssertEqual(sriov.capability?.initialVFs, 8)
        XCTAssertEqual(sriov.numVFs, 7)
        XCTAssertEqual(sriov.vfDeviceID, 0x10ca)
        XCTAssertEqual(sriov.source, "sysfs")
        let expected = SRIOVCapability.vfAddresses(pf: pf.address, offset: 128, stride: 2, count: 7)
        XCTAssertEqual(pf.virtfns, expected)
        XCTAssertEqual(pf.virtfns.map(\.shortDescription), ["01:10.0", "01:10.2", "01:10.4", "01:10.6", "01:11.0", "01:11.2", "01:11.4"])
        XCTAssertEqual(pf.driver, "igb")
        XCTAssertEqual(pf.iommuGroup, 5)
        XCTAssertEqual(pf.netdevs, ["enp1s0"])
        XCTAssertEqual(inventory.functions.filter { $0.physfn == pf.address }.compactMap(\.driver), Array(repeating: "igbvf", count: 7))
    }

    // MARK: - generated trees

    func testSyntheticTreeAgreesWithLspci() throws {
        let lspci = try requireLspci()
        let dir = try ScratchTree.make("synthetic-lspci")
        defer { ScratchTree.remove(dir) }
        let layout = try SyntheticTree.write(to: dir, pfs: 2, vfsPerPF: 8)
        let result = try runLspci(lspci, sysfsPCI: dir + "/sys/bus/pci")
        XCTAssertEqual(result.status, 0, result.stderrText)
        assertOnlyKnownStderr(result, "synthetic 2x8")
        let parsed = ObservedLspciText.parse(result.stdoutText)
        XCTAssertEqual(parsed.errors, [])
        XCTAssertEqual(parsed.functions.count, layout.count, "lspci lists every generated function")
        let inventory = try SysfsInventory.load(Machine(root: dir))
        // Real symlinks here: lspci resolves driver and iommu_group too.
        let report = LspciDifferential.compare(parsed.functions, inventory, names: true, links: true)
        XCTAssertEqual(report.disagreements, [])
        XCTAssertEqual(parsed.functions.filter { $0.driver == "ixgbevf" }.count, 16)
        XCTAssertEqual(parsed.functions.filter { $0.sriov != nil }.count, 2)
        print("lspci vs SyntheticTree 2 PFs x 8 VFs: \(report.summary)")
    }

    /// 8 PFs x 128 VFs: VFs on two bus numbers per card.
    func testLargeSyntheticTreeAgreesWithLspci() throws {
        let lspci = try requireLspci()
        let dir = try ScratchTree.make("synthetic-lspci-large")
        defer { ScratchTree.remove(dir) }
        let layout = try SyntheticTree.write(to: dir, pfs: 8, vfsPerPF: 128)
        var result: CommandResult!
        let lspciTime = try ScratchTree.seconds { result = try runLspci(lspci, sysfsPCI: dir + "/sys/bus/pci") }
        XCTAssertEqual(result.status, 0, result.stderrText)
        let parsed = ObservedLspciText.parse(result.stdoutText)
        XCTAssertEqual(parsed.functions.count, layout.count)
        var inventory: Inventory!
        let loadTime = try ScratchTree.seconds { inventory = try SysfsInventory.load(Machine(root: dir)) }
        let report = LspciDifferential.compare(parsed.functions, inventory, names: true, links: true)
        XCTAssertEqual(report.disagreements, [])
        print("lspci vs SyntheticTree 8 PFs x 128 VFs: \(report.summary); lspci -vvv \(String(format: "%.2f", lspciTime)) s, "
              + "SysfsInventory.load \(String(format: "%.2f", loadTime)) s")
    }

    /// Odd configuration spaces that lspci can still read from a file: loops, broken chains,
    /// truncation, unknown header types, random bytes. Every difference is listed here with its
    /// reason; anything else fails.
    func testCraftedConfigSpacesAgreeWithLspci() throws {
        let lspci = try requireLspci()
        let dir = try ScratchTree.make("crafted-lspci")
        defer { ScratchTree.remove(dir) }
        let cases = CraftedConfig.all()
        let devices = dir + "/sys/bus/pci/devices"
        for (i, c) in cases.enumerated() {
            let d = devices + "/" + CraftedConfig.address(i).description
            try CraftedConfig.writeFunction(d, config: c.bytes)
        }
        let result = try runLspci(lspci, sysfsPCI: dir + "/sys/bus/pci")
        XCTAssertEqual(result.status, 0, result.stderrText)
        let parsed = ObservedLspciText.parse(result.stdoutText)
        XCTAssertEqual(parsed.errors, [])
        XCTAssertEqual(parsed.functions.count, cases.count)
        let inventory = try SysfsInventory.load(Machine(root: dir))
        let report = LspciDifferential.compare(parsed.functions, inventory, names: false, links: false)
        var unexplained: [String] = []
        var explained: [String] = []
        for line in report.disagreements {
            let index = cases.indices.first { line.hasPrefix(CraftedConfig.address($0).description + ":") }
            if let index, let reason = cases[index].expectedDifference {
                explained.append("\(cases[index].name): \(reason)")
            } else {
                unexplained.append(index.map { cases[$0].name + ": " } .map { $0 + line } ?? line)
            }
        }
        for (i, c) in cases.enumerated() where c.expectedDifference != nil {
            let address = CraftedConfig.address(i).description
            XCTAssertTrue(report.disagreements.contains { $0.hasPrefix(address + ":") },
                          "\(c.name): expected a known difference (\(c.expectedDifference!)), but lspci and we now agree")
        }
        XCTAssertEqual(unexplained, [], "unexplained differences between lspci and our decoder")
        print("lspci vs \(cases.count) crafted config spaces: \(report.summary); known differences:\n  "
              + Set(explained).sorted().joined(separator: "\n  "))
    }

    // MARK: - helpers

    struct CaptureTree {
        var name: String            // "igb/after"
        var phaseDirectory: String
        var sysfs: String
    }

    private func captureTrees() throws -> [CaptureTree] {
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(1)
        let captures = parts.joined(separator: "/") + "/../../../shared/lab/captures"
        let host = Machine(root: "/")
        guard host.isDirectory(captures) else {
            throw XCTSkip("no lab captures at \(captures) (../shared/lab/captures from the package root)")
        }
        var trees: [CaptureTree] = []
        for scenario in try host.list(captures) where host.isDirectory(captures + "/" + scenario) {
            for phase in try host.list(captures + "/" + scenario) {
                let sysfs = captures + "/" + scenario + "/" + phase + "/sysfs"
                if host.isDirectory(sysfs + "/bus/pci/devices") {
                    trees.append(CaptureTree(name: scenario + "/" + phase, phaseDirectory: captures + "/" + scenario + "/" + phase,
                                             sysfs: sysfs))
                }
            }
        }
        if trees.isEmpty { throw XCTSkip("no captures/*/*/sysfs trees under \(captures)") }
        return trees
    }

    /// A machine root whose `/sys` is the captured sysfs directory.
    private func loadCapture(_ sysfs: String) throws -> Inventory {
        let root = try ScratchTree.make("capture-root")
        defer { ScratchTree.remove(root) }
        // A copy, not a link: a link out of the root is not followed under --root.
        try FileManager.default.copyItem(atPath: sysfs, toPath: root + "/sys")
        return try SysfsInventory.load(Machine(root: root))
    }

    /// `ROOT/sys/bus/pci/devices/<addr>` -> the captured function directories.
    private func makeView(of sysfs: String, at root: String, entries: [String]) throws {
        let devices = root + "/sys/bus/pci/devices"
        for dir in [root + "/sys", root + "/sys/bus", root + "/sys/bus/pci", devices] where mkdir(dir, 0o755) != 0 {
            throw HostAccessError.io(path: dir, errno: errno)
        }
        for name in entries where symlink(sysfs + "/bus/pci/devices/" + name, devices + "/" + name) != 0 {
            throw HostAccessError.io(path: devices + "/" + name, errno: errno)
        }
    }

    private func requireLspci() throws -> String {
        guard let path = LiveCommandRunner.resolve("lspci") else {
            throw XCTSkip("lspci (pciutils) is not installed: nothing to compare against; apt-get install pciutils")
        }
        return path
    }

    private func runLspci(_ lspci: String, sysfsPCI: String) throws -> CommandResult {
        try Machine(root: "/").run([lspci, "-A", "linux-sysfs", "-O", "sysfs.path=" + sysfsPCI, "-D", "-nn", "-k", "-vvv"],
                                   timeout: 120)
    }

    /// lspci -k looks up kernel modules with libkmod, which has no /lib/modules here.
    private func assertOnlyKnownStderr(_ result: CommandResult, _ label: String) {
        let lines = result.stderrText.split(separator: "\n").filter { !$0.contains("Unable to load libkmod resources") }
        XCTAssertEqual(lines, [], "\(label): lspci complained")
    }
}

// MARK: - lspci -vvv text, minimally

struct ObservedLspciCapability: Equatable {
    var extended: Bool
    var offset: Int
    var version: Int?
    var text: String
}

struct ObservedLspciFunction {
    var address: PCIAddress
    var line: Int
    var classID: UInt16?
    var vendorID: UInt16?
    var deviceID: UInt16?
    var revision: UInt8?
    /// "Intel Corporation 82576 Gigabit Network Connection"
    var title = ""
    var capabilities: [ObservedLspciCapability] = []
    var looped = false
    var broken = false
    var accessDenied = false
    var unknownHeader = false
    var sriovCounts: [String: Int] = [:]   // "Initial VFs", "Total VFs", "Number of VFs", "VF offset", "stride"
    var sriovDeviceID: UInt16?
    var driver: String?
    var iommuGroup: String?

    var sriov: [String: Int]? { sriovCounts.isEmpty ? nil : sriovCounts }
}

enum ObservedLspciText {
    static func parse(_ text: String) -> (functions: [ObservedLspciFunction], errors: [String]) {
        var functions: [ObservedLspciFunction] = []
        var errors: [String] = []
        var inSRIOV = false
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.isEmpty { continue }
            if !line.hasPrefix("\t") && !line.hasPrefix(" ") {
                guard let f = header(line, n + 1) else { errors.append("line \(n + 1): not a device header: \(line)"); continue }
                functions.append(f)
                inSRIOV = false
                continue
            }
            guard !functions.isEmpty else { errors.append("line \(n + 1): detail before any device"); continue }
            let i = functions.count - 1
            if line.hasPrefix("\tCapabilities: ") {
                inSRIOV = false
                let rest = line.dropFirst("\tCapabilities: ".count)
                if rest.hasPrefix("<access denied>") { functions[i].accessDenied = true; continue }
                guard rest.hasPrefix("["), let close = rest.firstIndex(of: "]") else {
                    errors.append("line \(n + 1): capability without [offset]: \(line)"); continue
                }
                let inside = rest[rest.index(after: rest.startIndex)..<close].split(separator: " ")
                let body = rest[close...].dropFirst().drop { $0 == " " }
                guard let first = inside.first, let offset = Int(first, radix: 16) else {
                    errors.append("line \(n + 1): bad capability offset: \(line)"); continue
                }
                let version = inside.count > 1 && inside[1].hasPrefix("v") ? Int(inside[1].dropFirst()) : nil
                if body.hasPrefix("<chain looped>") { functions[i].looped = true; continue }
                if body.hasPrefix("<chain broken>") { functions[i].broken = true; continue }
                // Extended capabilities print 3 hex digits (and " vN" with -vv), standard ones 2.
                let extended = first.count == 3 || version != nil
                functions[i].capabilities.append(ObservedLspciCapability(extended: extended, offset: offset, version: version, text: String(body)))
                inSRIOV = extended && body.hasPrefix("Single Root I/O Virtualization")
            } else if line.hasPrefix("\tKernel driver in use: ") {
                functions[i].driver = String(line.dropFirst("\tKernel driver in use: ".count))
            } else if line.hasPrefix("\tIOMMU group: ") {
                functions[i].iommuGroup = String(line.dropFirst("\tIOMMU group: ".count))
            } else if line.hasPrefix("\t!!! Unknown header type") {
                functions[i].unknownHeader = true
            } else if inSRIOV, line.hasPrefix("\t\t") {
                // "Initial VFs: 8, Total VFs: 8, Number of VFs: 7, Function Dependency Link: 00"
                // "VF offset: 128, stride: 2, Device ID: 10ca"
                for field in line.dropFirst(2).split(separator: ",") {
                    let kv = field.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    guard kv.count == 2 else { continue }
                    switch kv[0] {
                    case "Initial VFs", "Total VFs", "Number of VFs", "VF offset", "stride":
                        if let v = Int(kv[1]) { functions[i].sriovCounts[kv[0]] = v }
                    case "Device ID":
                        functions[i].sriovDeviceID = UInt16(kv[1], radix: 16)
                    default: break
                    }
                }
            }
        }
        return (functions, errors)
    }

    /// `0000:01:00.0 Ethernet controller [0200]: Intel Corporation 82576 ... [8086:10c9] (rev 01) (prog-if 00 [...])`
    static func header(_ line: Substring, _ number: Int) -> ObservedLspciFunction? {
        guard let space = line.firstIndex(of: " "), let address = PCIAddress(line[..<space]) else { return nil }
        var f = ObservedLspciFunction(address: address, line: number)
        var rest = line[line.index(after: space)...]
        guard let classEnd = rest.range(of: "]: ") else { return f }
        if let open = rest[..<classEnd.lowerBound].lastIndex(of: "[") {
            f.classID = UInt16(rest[rest.index(after: open)..<classEnd.lowerBound], radix: 16)
        }
        rest = rest[classEnd.upperBound...]
        if let progIf = rest.range(of: " (prog-if ", options: .backwards) { rest = rest[..<progIf.lowerBound] }
        if let rev = rest.range(of: " (rev ", options: .backwards), rest.hasSuffix(")") {
            f.revision = UInt8(rest[rev.upperBound..<rest.index(before: rest.endIndex)], radix: 16)
            rest = rest[..<rev.lowerBound]
        }
        if rest.hasSuffix("]"), let open = rest.lastIndex(of: "[") {
            let ids = rest[rest.index(after: open)..<rest.index(before: rest.endIndex)].split(separator: ":")
            if ids.count == 2, ids[0].count == 4, ids[1].count == 4 {
                f.vendorID = UInt16(ids[0], radix: 16)
                f.deviceID = UInt16(ids[1], radix: 16)
                rest = rest[..<open]
            }
        }
        f.title = rest.trimmingCharacters(in: .whitespaces)
        return f
    }

    /// Capability IDs for the names lspci prints (pciutils ls-caps.c / ls-ecaps.c); nil for
    /// names that are ambiguous (Virtual Channel: 0x02 or 0x09) or not listed.
    static func capabilityID(_ c: ObservedLspciCapability) -> UInt16? {
        let table = c.extended ? extendedNames : standardNames
        for (prefix, id) in table where c.text.hasPrefix(prefix) { return id }
        // "Capability ID 0x.." / "Extended Capability ID 0x.." for unknown ones.
        if let r = c.text.range(of: "Capability ID 0x") {
            let digits = c.text[r.upperBound...].prefix { $0.isHexDigit }
            return UInt16(digits, radix: 16)
        }
        return nil
    }

    static let standardNames: [(String, UInt16)] = [
        ("Null", 0x00), ("Power Management version", 0x01), ("AGP version", 0x02), ("Vital Product Data", 0x03),
        ("Slot ID:", 0x04), ("MSI-X:", 0x11), ("MSI:", 0x05), ("CompactPCI hot-swap", 0x06), ("PCI-X", 0x07),
        ("HyperTransport", 0x08), ("Vendor Specific Information", 0x09), ("Debug port", 0x0a),
        ("CompactPCI central resource control", 0x0b), ("Hot-plug capable", 0x0c), ("Subsystem:", 0x0d),
        ("AGP3", 0x0e), ("Secure device", 0x0f), ("Express", 0x10), ("SATA HBA", 0x12),
        ("PCI Advanced Features", 0x13), ("Enhanced Allocation", 0x14),
    ]

    static let extendedNames: [(String, UInt16)] = [
        ("Null", 0x0000), ("Advanced Error Reporting", 0x0001), ("Device Serial Number", 0x0003),
        ("Power Budgeting", 0x0004), ("Root Complex Link", 0x0005), ("Root Complex Internal Link", 0x0006),
        ("Root Complex Event Collector", 0x0007), ("Multi-Function Virtual Channel", 0x0008),
        ("Root Complex Register Block", 0x000a), ("Vendor Specific Information", 0x000b),
        ("Access Control Services", 0x000d), ("Alternative Routing-ID Interpretation (ARI)", 0x000e),
        ("Address Translation Service (ATS)", 0x000f), ("Single Root I/O Virtualization (SR-IOV)", 0x0010),
        ("Multi-Root I/O Virtualization", 0x0011), ("Multicast", 0x0012), ("Page Request Interface (PRI)", 0x0013),
        ("Transaction Processing Hints", 0x0017), ("Latency Tolerance Reporting", 0x0018),
        ("Secondary PCI Express", 0x0019), ("Process Address Space ID (PASID)", 0x001b),
        ("Downstream Port Containment", 0x001d), ("L1 PM Substates", 0x001e), ("Precision Time Measurement", 0x001f),
        ("Designated Vendor-Specific", 0x0023), ("VF Resizable BAR", 0x0024), ("Data Link Feature", 0x0025),
        ("Physical Layer 16.0 GT/s", 0x0026), ("Lane Margining at the Receiver", 0x0027),
    ]
}

// MARK: - comparison

struct LspciDifferential {
    var disagreements: [String] = []
    var functions = 0
    var capabilities = 0
    var capabilityIDs = 0
    var unnamedCapabilities = 0
    var sriovPFs = 0
    var ariFunctions = 0
    var links = 0

    var summary: String {
        "\(functions) functions, \(capabilities) capability offsets (\(capabilityIDs) IDs by name, \(unnamedCapabilities) offset only), "
            + "\(ariFunctions) with ARI, \(sriovPFs) SR-IOV PFs, \(links) driver/IOMMU-group links; \(disagreements.count) disagreements"
    }

    static func compare(_ lspci: [ObservedLspciFunction], _ inventory: Inventory, names: Bool, links: Bool) -> LspciDifferential {
        var r = LspciDifferential()
        var functions = inventory.functions
        if names, let ids = PCIIDs.load(from: Machine(root: "/")) { ids.resolveNames(&functions) }
        let ours = Dictionary(functions.map { ($0.address, $0) }, uniquingKeysWith: { a, _ in a })
        let theirs = Dictionary(lspci.map { ($0.address, $0) }, uniquingKeysWith: { a, _ in a })
        for missing in Set(ours.keys).subtracting(theirs.keys).sorted() { r.disagreements.append("\(missing): not listed by lspci") }
        for extra in Set(theirs.keys).subtracting(ours.keys).sorted() { r.disagreements.append("\(extra): listed only by lspci") }
        for address in Set(ours.keys).intersection(theirs.keys).sorted() {
            r.compare(theirs[address]!, ours[address]!, names: names, links: links)
        }
        return r
    }

    private mutating func differ(_ f: PCIFunction, _ what: String, lspci: Any?, ours: Any?) {
        disagreements.append("\(f.address): \(what): lspci \(lspci.map { "\($0)" } ?? "-"), ours \(ours.map { "\($0)" } ?? "-")")
    }

    private mutating func compare(_ l: ObservedLspciFunction, _ f: PCIFunction, names: Bool, links: Bool) {
        functions += 1
        if l.vendorID != f.vendorID { differ(f, "vendor", lspci: l.vendorID.map { hex($0, 4) }, ours: f.vendorID.map { hex($0, 4) }) }
        if l.deviceID != f.deviceID { differ(f, "device", lspci: l.deviceID.map { hex($0, 4) }, ours: f.deviceID.map { hex($0, 4) }) }
        if l.classID != f.classCode.map({ UInt16($0 >> 8) }) {
            differ(f, "class", lspci: l.classID.map { hex($0, 4) }, ours: f.classCode.map { hex($0, 6) })
        }
        // lspci leaves out "(rev 00)".
        if (l.revision ?? 0) != f.revision { differ(f, "revision", lspci: l.revision, ours: f.revision) }
        if names, let vendor = f.vendorName, let device = f.deviceName, l.title != vendor + " " + device {
            differ(f, "name", lspci: l.title, ours: vendor + " " + device)
        }

        // Capability lists: same entries at the same offsets, in the same order.
        let mine = f.capabilities ?? []
        let theirLabels = l.capabilities.map { $0.extended ? "[\(hex($0.offset, 3))" + ($0.version.map { " v\($0)" } ?? "") + "]" : "[\(hex($0.offset, 2))]" }
        let myLabels = mine.map(\.label)
        if theirLabels != myLabels {
            differ(f, "capabilities", lspci: theirLabels.joined(separator: " "), ours: myLabels.joined(separator: " "))
        } else {
            capabilities += mine.count
            for (c, cap) in zip(l.capabilities, mine) {
                if let id = ObservedLspciText.capabilityID(c) {
                    capabilityIDs += 1
                    if id != cap.id { differ(f, "capability \(cap.label) ID", lspci: hex(id, 4) + " " + c.text, ours: hex(cap.id, 4)) }
                } else {
                    unnamedCapabilities += 1
                }
            }
        }
        if l.looped != f.capabilityChainLooped { differ(f, "chain looped", lspci: l.looped, ours: f.capabilityChainLooped) }

        let lspciARI = l.capabilities.contains { $0.extended && ObservedLspciText.capabilityID($0) == CapabilityID.ari }
        if lspciARI != (f.ari != nil) { differ(f, "ARI", lspci: lspciARI, ours: f.ari != nil) }
        if lspciARI { ariFunctions += 1 }

        let cap = f.sriov?.capability
        switch (l.sriov, cap) {
        case (nil, nil): break
        case (let s?, let c?):
            sriovPFs += 1
            let pairs: [(String, Int?)] = [("Initial VFs", c.initialVFs.map(Int.init)), ("Total VFs", c.totalVFs.map(Int.init)),
                                           ("Number of VFs", c.numVFs.map(Int.init)), ("VF offset", c.vfOffset.map(Int.init)),
                                           ("stride", c.vfStride.map(Int.init))]
            for (key, value) in pairs where s[key] != value { differ(f, "SR-IOV \(key)", lspci: s[key], ours: value) }
            if l.sriovDeviceID != c.vfDeviceID {
                differ(f, "SR-IOV VF Device ID", lspci: l.sriovDeviceID.map { hex($0, 4) }, ours: c.vfDeviceID.map { hex($0, 4) })
            }
        case (let s, let c):
            differ(f, "SR-IOV capability", lspci: s.map { "\($0)" }, ours: c.map { "at \(hex($0.offset, 3))" })
        }

        if links {
            if l.driver != f.driver { differ(f, "driver", lspci: l.driver, ours: f.driver) }
            if l.iommuGroup != f.iommuGroup.map(String.init) { differ(f, "IOMMU group", lspci: l.iommuGroup, ours: f.iommuGroup) }
            if l.driver != nil { self.links += 1 }
            if l.iommuGroup != nil { self.links += 1 }
        }
    }
}

// MARK: - crafted configuration spaces

struct CraftedConfig {
    var name: String
    var bytes: [UInt8]
    /// Why lspci and we are expected to differ, or nil when we must agree.
    var expectedDifference: String?

    static func address(_ i: Int) -> PCIAddress { PCIAddress(bus: 0x40 + UInt8(i / 256), device: UInt8((i / 8) % 32), function: UInt8(i % 8)) }

    /// A function directory with the attributes lspci needs (vendor, device, class, irq, resource).
    static func writeFunction(_ dir: String, config: [UInt8]) throws {
        try makeDirectories(dir)
        try write(dir + "/vendor", Array("0x8086\n".utf8))
        try write(dir + "/device", Array("0x10fb\n".utf8))
        try write(dir + "/class", Array("0x020000\n".utf8))
        try write(dir + "/revision", Array("0x01\n".utf8))
        try write(dir + "/irq", Array("0\n".utf8))
        try write(dir + "/resource", Array(String(repeating: "0x0000000000000000 0x0000000000000000 0x0000000000000000\n", count: 13).utf8))
        try write(dir + "/config", config)
    }

    static func makeDirectories(_ path: String) throws {
        var prefix = ""
        for part in path.split(separator: "/") {
            prefix += "/" + part
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST { throw HostAccessError.io(path: prefix, errno: errno) }
        }
    }

    static func write(_ path: String, _ bytes: [UInt8]) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw HostAccessError.io(path: path, errno: errno) }
        defer { close(fd) }
        let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard n == bytes.count else { throw HostAccessError.io(path: path, errno: errno) }
    }

    /// A valid 82599 PF image from `SyntheticTree`, the base for the mutations.
    static func pf() -> [UInt8] {
        let layout = try! SyntheticTree.layout(pfs: 1, vfsPerPF: 4)
        return SyntheticTree.config(for: layout.functions.first { $0.kind == .pf }!, layout: layout)
    }

    static func all() -> [CraftedConfig] {
        var cases: [CraftedConfig] = []
        let base = pf()
        func mutate(_ name: String, expected: String? = nil, _ change: (inout [UInt8]) -> Void) {
            var b = base
            change(&b)
            cases.append(CraftedConfig(name: name, bytes: b, expectedDifference: expected))
        }
        mutate("valid PF") { _ in }
        mutate("standard chain loops to itself") { $0[0x71] = 0x70 }
        mutate("standard chain loops back to the first") { $0[0xa1] = 0x40 }
        mutate("standard pointer with low bits set") { $0[0x34] = 0x43; $0[0x41] = 0x53 }
        mutate("standard ID 0xff (broken)") { $0[0x70] = 0xff }
        mutate("standard pointer past 0xff") { $0[0xa1] = 0xfc; $0[0xfc] = 0x09; $0[0xfd] = 0x00 }
        mutate("no capability list bit") { $0[0x06] = 0x00 }
        mutate("extended chain loops to itself") { $0[0x152] = 0x50; $0[0x153] = 0x15 }
        mutate("extended chain loops to 0x100") { set32(&$0, 0x160, 0x0001_0010 | 0x100 << 20) }
        mutate("extended header 0xffffffff") { set32(&$0, 0x150, 0xffff_ffff) }
        mutate("extended header 0") { set32(&$0, 0x150, 0) }
        mutate("extended next below 0x100") { set32(&$0, 0x160, 0x0001_0010 | 0x040 << 20) }
        mutate("extended next with low bits set") { set32(&$0, 0x100, 0x0002_0001 | 0x153 << 20) }
        mutate("extended without PCIe capability") { $0[0x71] = 0x00 }
        mutate("unknown header type 0x05") { $0[0x0e] = 0x05 }
        mutate("CardBus header (capabilities at 0x14)") { $0[0x0e] = 0x02; $0[0x14] = 0x40 }
        mutate("bridge header") { $0[0x0e] = 0x01 }
        cases.append(CraftedConfig(name: "config of 64 bytes (non-root read)", bytes: Array(base.prefix(64)), expectedDifference: nil))
        cases.append(CraftedConfig(name: "config of 256 bytes (lspci -xxx)", bytes: Array(base.prefix(256)), expectedDifference: nil))
        cases.append(CraftedConfig(name: "config of 300 bytes", bytes: Array(base.prefix(300)), expectedDifference: nil))
        cases.append(CraftedConfig(name: "config of 100 bytes", bytes: Array(base.prefix(100)),
                                   expectedDifference: "lspci walks the capabilities that fit in a short file; we need the full 256-byte header first"))
        var rng = DeterministicRandom(seed: 0x5eed_1234)
        for i in 0..<24 {
            var b = (0..<4096).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            // Half of them with a plausible header so the walkers get going.
            if i % 2 == 0 { b[0x06] |= 0x10; b[0x0e] = UInt8(i % 3); b[0x34] = 0x40; b[0x40] = 0x10 }
            cases.append(CraftedConfig(name: "random bytes #\(i)", bytes: b, expectedDifference: nil))
        }
        return cases
    }

    static func set32(_ b: inout [UInt8], _ o: Int, _ v: UInt32) {
        for i in 0..<4 { b[o + i] = UInt8((v >> (8 * UInt32(i))) & 0xff) }
    }
}
