import Foundation
import XCTest
import HostAccess
@testable import SRIOVCore
#if canImport(Glibc)
import Glibc
#endif

/// Roots for the stage 3 (device) and stage 4 (activation) check tests: the lab-made sample
/// hosts, copies of them changed by a test, and lab captures (`sysfs/` linked as `/sys`).
enum VFCheckTrees {
    static var sampleHost: String { CheckTrees.sampleHost }
    static var sampleHostVFs: String { CheckTrees.sampleHostVFs }
    static var labCaptures: String { CheckTrees.labCaptures }
    static var labFixtures: String { CheckTrees.packageDirectory + "/Tests/Fixtures/lab" }

    /// A writable copy of a root tree; removed with `ScratchTree.remove`.
    static func copy(_ source: String, label: String) throws -> String {
        let root = try ScratchTree.make(label)
        let result = try Machine(root: "/").run(["cp", "-a", source + "/.", root], timeout: 120)
        guard result.status == 0 else { throw HostAccessError.io(path: root, errno: EIO) }
        return root
    }

    /// A root whose `/sys` is a lab capture phase's `sysfs/`; nil when the capture is absent.
    static func labRoot(_ capturePhase: String, label: String) throws -> String? {
        guard Machine(root: "/").isDirectory(capturePhase + "/sysfs") else { return nil }
        let root = try ScratchTree.make(label)
        // A copy, not a link: a link out of the root is not followed under --root.
        try FileManager.default.copyItem(atPath: capturePhase + "/sysfs", toPath: root + "/sys")
        return root
    }

    static func context(_ root: String, knowledge: Knowledge = .embedded, device: String? = nil) throws -> CheckContext {
        let machine = Machine(root: root)
        return CheckContext(machine: machine, inventory: try SysfsInventory.load(machine), knowledge: knowledge,
                            selectedDevice: device.flatMap { PCIAddress($0) })
    }

    /// An in-memory inventory on an empty root (for config-space edge cases).
    static func context(functions: [PCIFunction], source: String = "sysfs", knowledge: Knowledge = .embedded,
                        device: String? = nil, root: String = "/nonexistent-sriov-wizard-root") -> CheckContext {
        var functions = functions
        SysfsInventory.linkRoles(&functions)
        return CheckContext(machine: Machine(root: root), inventory: Inventory(functions: functions, source: source),
                            knowledge: knowledge, selectedDevice: device.flatMap { PCIAddress($0) })
    }

    /// Knowledge with only the given drivers.json text.
    /// The file's `checked` date is added when the text has none (the tests are about drivers).
    static func knowledge(drivers: String) throws -> Knowledge {
        let dated = drivers.contains(#""checked""#) ? drivers
            : drivers.replacingOccurrences(of: "{", with: #"{"checked": "2026-12-02", "#, options: [], range: drivers.range(of: "{"))
        return try Knowledge(biosJSON: Array(#"{"checked": "2026-12-02", "vendors": []}"#.utf8), driversJSON: Array(dated.utf8))
    }

    static func write(_ root: String, _ hostPath: String, _ text: String) throws {
        try TreeWriter(root: root).write(text, to: hostPath)
    }

    static func link(_ root: String, _ hostPath: String, _ target: String) throws {
        try TreeWriter(root: root).symlink(target, at: hostPath)
    }

    static func remove(_ root: String, _ hostPath: String) { _ = unlink(root + hostPath) }

    /// A PF like the lab's 82576 (offset 128, stride 2, 7 VFs), described in memory.
    static func pf(_ address: String = "0000:01:00.0", driver: String? = "igb", total: Int = 7, numVFs: Int = 0,
                   offset: Int = 128, stride: Int = 2, ari: Bool? = true, extendedKnown: Bool = true) -> PCIFunction {
        var f = PCIFunction(address: PCIAddress(address)!)
        f.vendorID = 0x8086
        f.deviceID = 0x10c9
        f.classCode = 0x020000
        f.driver = driver
        f.extendedCapabilitiesKnown = extendedKnown
        var caps: [Capability] = [Capability(space: .standard, id: CapabilityID.express, offset: 0xa0)]
        var state = SRIOVState(capability: extendedKnown ? SRIOVCapability(offset: 0x160, version: 1) : nil, source: "sysfs")
        if extendedKnown {
            caps.append(Capability(space: .extended, id: CapabilityID.aer, offset: 0x100, version: 1))
            if ari == true {
                caps.append(Capability(space: .extended, id: CapabilityID.ari, offset: 0x150, version: 1))
                f.ari = ARICapability(offset: 0x150, nextFunction: 0)
            }
            caps.append(Capability(space: .extended, id: CapabilityID.sriov, offset: 0x160, version: 1))
            f.capabilities = caps
        }
        state.totalVFs = total
        state.numVFs = numVFs
        state.vfOffset = offset
        state.vfStride = stride
        state.vfDeviceID = 0x10ca
        state.driversAutoprobe = true
        f.sriov = state
        return f
    }

    /// The single result for a device (or the only result), failing the test otherwise.
    static func only(_ results: [CheckResult], _ device: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> CheckResult {
        let matching = device.map { d in results.filter { $0.device == PCIAddress(d) } } ?? results
        XCTAssertEqual(matching.count, 1, "expected one result\(device.map { " for \($0)" } ?? ""), got \(results.map { "\($0.device?.description ?? "-") \($0.level) \($0.summary.en)" })", file: file, line: line)
        return try XCTUnwrap(matching.first, file: file, line: line)
    }

    /// Both languages everywhere; warn/fail say what to do; evidence names what was read.
    static func assertComplete(_ results: [CheckResult], file: StaticString = #filePath, line: UInt = #line) {
        for r in results {
            XCTAssertFalse(r.summary.en.isEmpty, "\(r.id): English summary missing", file: file, line: line)
            XCTAssertFalse(r.summary.es.isEmpty, "\(r.id): Spanish summary missing", file: file, line: line)
            XCTAssertNotEqual(r.summary.en, r.summary.es, "\(r.id): summary not translated", file: file, line: line)
            if r.level == .warn || r.level == .fail {
                XCTAssertFalse(r.hint.en.isEmpty, "\(r.id) \(r.level): English hint missing: \(r.summary.en)", file: file, line: line)
            }
            XCTAssertEqual(r.hint.en.isEmpty, r.hint.es.isEmpty, "\(r.id): hint in one language only", file: file, line: line)
            if !r.hint.en.isEmpty { XCTAssertNotEqual(r.hint.en, r.hint.es, "\(r.id): hint not translated", file: file, line: line) }
        }
    }

    static func assertEvidence(_ result: CheckResult, _ part: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(result.evidence.text(.en).contains { $0.contains(part) }, "expected «\(part)» in evidence \(result.evidence)", file: file, line: line)
    }

    static func assertContains(_ text: String, _ part: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(text.contains(part), "expected «\(part)» in «\(text)»", file: file, line: line)
    }

    static let deviceChecks: [any Check.Type] = [SRIOVCapabilityCheck.self, ARICapabilityCheck.self, VFCapacityCheck.self, DriverSupportCheck.self]
    static let activationChecks: [any Check.Type] = [VFsEnabledCheck.self, VFDriverBoundCheck.self, VFsPersistentCheck.self,
                                                     VFIOMMUGroupsCheck.self, VFMACAddressesCheck.self, VFPassthroughCheck.self]

    /// check id -> levels of its results for one device (or device-less results).
    static func levels(_ context: CheckContext, device: String? = nil) -> [String: CheckLevel] {
        var levels: [String: CheckLevel] = [:]
        for check in deviceChecks + activationChecks {
            let results = check.run(context).filter { device == nil || $0.device == PCIAddress(device!) }
            assertComplete(results)
            levels[check.id] = CheckLevel.worst(results.map(\.level))
        }
        return levels
    }
}

extension XCTestCase {
    /// A copy of sample-host-vfs (7 VFs bound to igbvf, groups 6..12, nothing persistent),
    /// removed after the test.
    func vfsHost(_ label: String) throws -> String {
        let root = try VFCheckTrees.copy(VFCheckTrees.sampleHostVFs, label: label)
        addTeardownBlock { ScratchTree.remove(root) }
        return root
    }

    /// The one result of `check` for the sample hosts' PF 0000:01:00.0, checked complete.
    func run<C: Check>(_ check: C.Type, _ root: String, file: StaticString = #filePath, line: UInt = #line) throws -> CheckResult {
        let results = check.run(try VFCheckTrees.context(root))
        VFCheckTrees.assertComplete(results, file: file, line: line)
        return try VFCheckTrees.only(results, "0000:01:00.0", file: file, line: line)
    }
}
