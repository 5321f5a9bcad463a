import Foundation
import XCTest
import HostAccess
@testable import SRIOVCore
#if canImport(Glibc)
import Glibc
#endif

/// Hand-made root trees and real captures for the stage 1 (prerequisites) and stage 2 (bios)
/// check tests.
enum StageTrees {
    static var packageRoot: String { CheckTrees.packageDirectory }

    static var sampleHost: String { packageRoot + "/Resources/sample-host" }
    static var sampleHostVFs: String { packageRoot + "/Resources/sample-host-vfs" }
    static func labFixture(_ scenario: String, _ phase: String) -> String { packageRoot + "/Tests/Fixtures/lab/\(scenario)/\(phase)" }
    static var labCaptures: String { packageRoot + "/../shared/lab/captures" }

    /// A context over a root; the inventory is loaded when the tree has PCI devices.
    static func context(_ root: String, commands: (any CommandRunner)? = nil) -> CheckContext {
        let machine = Machine(root: root, commands: commands)
        let inventory = (try? SysfsInventory.load(machine)) ?? Inventory(functions: [], source: "sysfs")
        return CheckContext(machine: machine, inventory: inventory)
    }

    /// Runs one check and returns its only result (fails the test when there are several).
    static func single<C: Check>(_ check: C.Type, _ context: CheckContext, file: StaticString = #filePath, line: UInt = #line) -> CheckResult? {
        CheckTrees.single(check, context, file: file, line: line)
    }

    /// Every result has an English and a Spanish summary, and a hint in both or in neither
    /// (CheckTrees), and here also: the Spanish texts are translations, not copies.
    static func assertBilingual(_ results: [CheckResult], file: StaticString = #filePath, line: UInt = #line) {
        CheckTrees.assertBilingual(results, file: file, line: line)
        for r in results {
            XCTAssertNotEqual(r.summary.en, r.summary.es, "\(r.id): Spanish summary is the English one", file: file, line: line)
            if !r.hint.isEmpty { XCTAssertNotEqual(r.hint.en, r.hint.es, "\(r.id): hint not translated", file: file, line: line) }
        }
    }
}

/// A scratch root tree written through HostAccess' TreeWriter, removed at deinit.
final class HandMadeRoot {
    let path: String
    let writer: TreeWriter

    init(_ label: String) throws {
        path = try ScratchTree.make(label)
        writer = try TreeWriter(root: path)
    }

    deinit { ScratchTree.remove(path) }

    func file(_ hostPath: String, _ text: String) throws { try writer.write(text, to: hostPath) }
    func directory(_ hostPath: String) throws { try writer.makeDirectory(hostPath) }
    func link(_ hostPath: String, to target: String) throws { try writer.symlink(target, at: hostPath) }
    func remove(_ hostPath: String) { unlink(path + hostPath) }

    /// A recorded command for the RecordedCommandRunner (ROOT/sriov-wizard/commands/<key>.*).
    func command(_ argv: [String], stdout: String, status: Int32 = 0, stderr: String = "") throws {
        let base = RecordedCommandRunner.directory + "/" + RecordedCommandRunner.key(for: argv)
        try file(base + ".stdout", stdout)
        try file(base + ".stderr", stderr)
        try file(base + ".status", "\(status)\n")
    }

    /// An Intel (or AMD) host: /proc/cmdline, /proc/cpuinfo, DMAR/IVRS and, when active,
    /// an IOMMU unit with three groups.
    func intelHost(cmdline: String = "BOOT_IMAGE=/boot/vmlinuz-6.8.12-4-pve root=/dev/mapper/pve-root ro quiet intel_iommu=on iommu=pt",
                   iommuActive: Bool = true, vendor: String = "GenuineIntel", flags: String = "fpu vme vmx") throws {
        try file("/proc/cmdline", cmdline + "\n")
        try file("/proc/cpuinfo", "processor\t: 0\nvendor_id\t: \(vendor)\nmodel name\t: Test CPU\nflags\t\t: \(flags)\n\n")
        try directory("/sys/class/iommu")
        try directory("/sys/kernel/iommu_groups")
        try directory("/sys/firmware/acpi/tables")
        try directory("/sys/bus/pci/devices")
        try file("/sys/firmware/acpi/tables/" + (vendor == "AuthenticAMD" ? "IVRS" : "DMAR"), "table")
        try file("/sys/firmware/acpi/tables/APIC", "table")
        if iommuActive {
            try link("/sys/class/iommu/" + (vendor == "AuthenticAMD" ? "ivhd0" : "dmar0"), to: "../../devices/virtual/iommu/dmar0")
            for g in 0..<3 { try directory("/sys/kernel/iommu_groups/\(g)/devices") }
        }
    }
}

/// A root laid out like a snapshot, made from a lab capture folder (`sysfs/`, `proc-cmdline.txt`,
/// `dmesg.txt`, ...; ../shared/lab/README.md "Captures"): sysfs parts are linked, the rest is
/// converted into the files and recorded commands the checks read.
final class CaptureRoot {
    let root: HandMadeRoot
    var path: String { root.path }

    init?(_ captureDirectory: String) throws {
        let host = Machine(root: "/")
        guard host.isDirectory(captureDirectory + "/sysfs") else { return nil }
        root = try HandMadeRoot("capture")
        let sysfs = captureDirectory + "/sysfs"
        // Copies, not links: a link out of the root is not followed under --root.
        try root.directory("/sys/class")
        for part in ["bus", "module", "kernel"] where host.isDirectory(sysfs + "/" + part) {
            try FileManager.default.copyItem(atPath: sysfs + "/" + part, toPath: root.path + "/sys/" + part)
        }
        for part in ["dmi", "net"] where host.isDirectory(sysfs + "/class/" + part) {
            try FileManager.default.copyItem(atPath: sysfs + "/class/" + part, toPath: root.path + "/sys/class/" + part)
        }
        // class/iommu holds capture notes (_links.txt) next to the unit names: link the units only.
        try root.directory("/sys/class/iommu")
        for name in (try? host.list(sysfs + "/class/iommu")) ?? [] where !name.hasPrefix("_") {
            try root.link("/sys/class/iommu/" + name, to: "../../devices/virtual/iommu/" + name)
        }
        // acpi-tables.txt is an `ls -l` of the tables directory.
        if let listing = try? host.readText(captureDirectory + "/acpi-tables.txt") {
            try root.directory("/sys/firmware/acpi/tables")
            for line in listing.split(separator: "\n") where line.hasPrefix("-") {
                if let name = line.split(separator: " ").last { try root.file("/sys/firmware/acpi/tables/" + name, "") }
            }
        }
        func copy(_ name: String, to hostPath: String) throws {
            if let text = try? host.readText(captureDirectory + "/" + name, limit: 16 << 20) { try root.file(hostPath, text) }
        }
        try copy("proc-cmdline.txt", to: "/proc/cmdline")
        try copy("cpuinfo-cpu0.txt", to: "/proc/cpuinfo")
        try copy("proc-interrupts.txt", to: "/proc/interrupts")
        if let dmesg = try? host.readText(captureDirectory + "/dmesg.txt", limit: 16 << 20) {
            try root.command(["dmesg"], stdout: dmesg)
        }
        if let uname = try? host.readText(captureDirectory + "/uname-a.txt") {
            let words = uname.split(separator: " ")
            if words.count > 2 { try root.file("/proc/sys/kernel/osrelease", String(words[2]) + "\n") }
        }
        // lsmod.txt -> /proc/modules (name size users deps state address).
        if let lsmod = try? host.readText(captureDirectory + "/lsmod.txt") {
            let lines = lsmod.split(separator: "\n").dropFirst().compactMap { line -> String? in
                let w = line.split(separator: " ", omittingEmptySubsequences: true)
                guard w.count >= 3 else { return nil }
                return "\(w[0]) \(w[1]) \(w[2]) \(w.count > 3 ? String(w[3]) : "-") Live 0x0"
            }
            try root.file("/proc/modules", lines.joined(separator: "\n") + "\n")
        }
    }
}
