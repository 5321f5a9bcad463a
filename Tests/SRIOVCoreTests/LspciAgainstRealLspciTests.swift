import XCTest
import HostAccess
import SRIOVCore

/// The host's own lspci (pciutils) renders every hex dump of the corpus (`lspci -F FILE`) with
/// the flags people use; reading that text back must agree with decoding the dump directly
/// through `ConfigSpace`: same functions, same PFs and TotalVFs, same Express port types, ARI
/// and ACS. Skipped where pciutils is not installed (CI installs it).
final class LspciAgainstRealLspciTests: XCTestCase {
    static let flagSets: [[String]] = [
        ["-vv"], ["-vvv", "-nn"], ["-v"], ["-v", "-n"], ["-D", "-vvv", "-k"], ["-nnk"], ["-vvv", "-xxxx"], ["-xxx"],
    ]

    func testTextFromRealLspciAgreesWithTheHexDumps() throws {
        guard let lspci = LiveCommandRunner.resolve("lspci") else {
            throw XCTSkip("lspci (pciutils) is not installed: nothing to compare against; apt-get install pciutils")
        }
        let files = try LspciCorpus.files().filter { $0.hasPrefix("hexdump/") }
        var compared = 0
        for file in files {
            let reference = try LspciTextParser.parse(Self.dumpOnly(LspciCorpus.text(file)))
            guard reference.functions.contains(where: { $0.capabilities != nil }) else { continue }
            for flags in Self.flagSets {
                let result = try Machine(root: "/").run([lspci, "-F", LspciCorpus.directory + "/" + file] + flags, timeout: 60)
                XCTAssertEqual(result.status, 0, "\(file) \(flags): \(result.stderrText)")
                // Pasted as people do: stderr first (`lspci: Unable to load libkmod resources`).
                let text = result.stderrText + result.stdoutText
                let label = "\(file) lspci \(flags.joined(separator: " "))"
                do {
                    compare(try LspciTextParser.parse(text), with: reference, flags: flags, label: label)
                    compared += 1
                } catch {
                    XCTFail("\(label): \(error)")
                }
            }
        }
        XCTAssertGreaterThan(compared, 50)
    }

    /// lspci prints extended IDs 0x0002 and 0x0009 both as "Virtual Channel" (`cap_vc`).
    static func ids(_ capabilities: [Capability]) -> Set<String> {
        Set(capabilities.map { "\($0.space) \($0.space == .extended && $0.id == 0x09 ? 0x02 : $0.id)" })
    }

    /// Device lines and hex lines only: what `ConfigSpace` alone makes of the file.
    static func dumpOnly(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !($0.first == "\t" || $0.first == " ") }
            .joined(separator: "\n")
    }

    func compare(_ parsed: Inventory, with reference: Inventory, flags: [String], label: String) {
        XCTAssertEqual(Set(parsed.functions.map(\.address)), Set(reference.functions.map(\.address)), label)
        let verbose = flags.contains { $0.hasPrefix("-v") }
        let details = flags.contains { $0.hasPrefix("-vv") }
        let numeric = flags.contains { $0.hasPrefix("-n") || $0.hasPrefix("-x") }
        let pfs = { (inventory: Inventory) in Set(inventory.functions.filter { $0.role == .pf }.map(\.address)) }
        for expected in reference.functions {
            guard let f = parsed.function(expected.address) else { continue }
            // Names-only device lines carry no vendor ID (and the device ID only when pci.ids
            // lacks the name); -n, -nn and the dumps carry both.
            if numeric || f.vendorID != nil { XCTAssertEqual(f.vendorID, expected.vendorID, "\(label) \(f.address) vendor") }
            if numeric || f.deviceID != nil { XCTAssertEqual(f.deviceID, expected.deviceID, "\(label) \(f.address) device") }
            if verbose { compareCapabilities(f, expected, details: details, label: label) }
        }
        if verbose {
            XCTAssertEqual(pfs(parsed), pfs(reference), label)
        } else if !flags.contains(where: { $0.hasPrefix("-x") }) {
            XCTAssertEqual(pfs(parsed), [], "\(label): without -v nothing tells SR-IOV")
        }
    }

    func compareCapabilities(_ f: PCIFunction, _ expected: PCIFunction, details: Bool, label: String) {
        let where_ = "\(label) \(f.address)"
        XCTAssertEqual(f.express?.portTypeValue, expected.express?.portTypeValue, where_)
        XCTAssertEqual(f.ari?.offset, expected.ari?.offset, where_)
        XCTAssertEqual(f.acs?.offset, expected.acs?.offset, where_)
        XCTAssertEqual(f.sriov?.capability?.offset, expected.sriov?.capability?.offset, where_)
        if expected.extendedCapabilitiesKnown == true { XCTAssertEqual(f.hasSRIOV, expected.hasSRIOV, where_) }
        guard details else { return }
        XCTAssertEqual(f.sriov?.totalVFs, expected.sriov?.totalVFs, where_)
        XCTAssertEqual(f.sriov?.numVFs, expected.sriov?.numVFs, where_)
        XCTAssertEqual(f.sriov?.vfOffset, expected.sriov?.vfOffset, where_)
        XCTAssertEqual(f.sriov?.vfStride, expected.sriov?.vfStride, where_)
        XCTAssertEqual(f.sriov?.vfDeviceID, expected.sriov?.vfDeviceID, where_)
        XCTAssertEqual(f.sriov?.capability?.vfEnable, expected.sriov?.capability?.vfEnable, where_)
        XCTAssertEqual(f.sriov?.capability?.ariHierarchy, expected.sriov?.capability?.ariHierarchy, where_)
        XCTAssertEqual(f.ari?.nextFunction, expected.ari?.nextFunction, where_)
        XCTAssertEqual(f.acs?.capabilities, expected.acs?.capabilities, where_)
        XCTAssertEqual(f.acs?.control, expected.acs?.control, where_)
        XCTAssertEqual(f.express?.version, expected.express?.version, where_)
        // lspci prints FLReset only for endpoints.
        if f.express?.functionLevelReset != nil {
            XCTAssertEqual(f.express?.functionLevelReset, expected.express?.functionLevelReset, where_)
        }
        if expected.express?.portType?.isDownstreamFacing == true {
            XCTAssertEqual(f.express?.ariForwardingSupported, expected.express?.ariForwardingSupported, where_)
            XCTAssertEqual(f.express?.ariForwardingEnabled, expected.express?.ariForwardingEnabled, where_)
        }
        XCTAssertEqual(f.capabilities?.map(\.offset).sorted(), expected.capabilities?.map(\.offset).sorted(), where_)
        XCTAssertEqual(f.capabilities.map(Self.ids), expected.capabilities.map(Self.ids), where_)
    }
}
