import Foundation
import Reports
import SRIOVCore
import XCTest

/// A hand-made report whose XML and HTML are compared byte for byte with files in Golden/:
/// the rendering is pinned without depending on the checks, which grow on their own.
/// Regenerate after an intended change with `SRIOV_UPDATE_GOLDEN=1 swift test --filter Golden`.
enum GoldenReport {
    static let model = HostReport(
        language: .en, time: "2026-01-31T12:00:00Z",
        host: HostFacts(hostname: "pve-01", kernel: "6.8.12-4-pve", cmdline: "BOOT_IMAGE=/boot/vmlinuz-6.8.12-4-pve root=/dev/mapper/pve-root ro quiet",
                        os: "Debian GNU/Linux 12 (bookworm)", proxmox: "pve-manager/8.2.7/3e0176e6bb2ade3b (running kernel: 6.8.12-4-pve)",
                        bootLoader: .grub, cpuVendor: "GenuineIntel", cpuModel: "Intel(R) Xeon(R) E-2146G CPU @ 3.50GHz",
                        cpuFlags: ["ept", "vmx", "x2apic"], dmi: [DMIField(name: "board_vendor", value: "Supermicro"), DMIField(name: "board_name", value: "X11SCH-F")]),
        stages: [
            ReportStage(id: .prerequisites, title: "Passthrough prerequisites", checks: [
                ReportCheck(id: "cpu-virtualization", level: .pass, summary: "The CPU offers VT-x (vmx).", evidence: ["/proc/cpuinfo: flags contain vmx"]),
                ReportCheck(id: "iommu-kernel-cmdline", level: .fail, summary: "The kernel command line lacks `intel_iommu=on`.",
                            hint: "Add `intel_iommu=on iommu=pt` to GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, run `update-grub` & reboot.",
                            evidence: ["/proc/cmdline: BOOT_IMAGE=/boot/vmlinuz-6.8.12-4-pve root=/dev/mapper/pve-root ro quiet", "<none> & \"quotes\""]),
            ]),
            ReportStage(id: .bios, title: "BIOS / UEFI settings", checks: [
                ReportCheck(id: "sriov-bios-setting", level: .warn, device: "0000:01:00.0", summary: "SR-IOV may be off in the firmware.",
                            hint: "«Advanced» >> «PCIe/PCI/PnP Configuration» >> «SR-IOV Support»: Enabled"),
            ]),
            ReportStage(id: .device, title: "Device compatibility", checks: []),
            ReportStage(id: .activation, title: "Activation in the OS", checks: [
                ReportCheck(id: "vfs-created", level: .note, device: "0000:01:00.0", summary: "No VFs yet (año: ñ).", evidence: []),
            ]),
        ],
        devices: [ReportDevice(
            address: "0000:01:00.0", role: .pf, vendorID: "8086", deviceID: "1521", vendorName: "Intel Corporation",
            deviceName: "I350 Gigabit Network Connection", driver: "igb", iommuGroup: 14, ari: true, ariEnabled: true,
            sriov: ReportSRIOV(totalVFs: 7, numVFs: 1, initialVFs: 8, vfOffset: 128, vfStride: 4, vfDeviceID: "1520", configTotalVFs: 8),
            netdevs: [ReportNetdev(name: "eno1", mac: "ac:1f:6b:00:00:01")],
            vfs: [ReportDevice(address: "0000:01:10.0", role: .vf, vendorID: "8086", deviceID: "1520", driver: "igbvf", iommuGroup: 40,
                               netdevs: [ReportNetdev(name: "eno1v0", mac: "02:00:00:00:00:01")])])],
        iommuGroups: [IOMMUGroupEntry(number: 1, devices: ["0000:00:01.0", "0000:00:01.1"]), IOMMUGroupEntry(number: 14, devices: ["0000:01:00.0"]),
                      IOMMUGroupEntry(number: 40, devices: ["0000:01:10.0"])],
        guestDrivers: [GuestDriverEntry(device: "0000:01:00.0", deviceName: "Intel Corporation I350 Gigabit Network Connection", pfDriver: "igb",
                                        linuxDriver: "igbvf", windows: WindowsDriverEntry(package: "Intel Ethernet Adapter Complete Driver Pack",
                                                                                        url: "https://www.intel.com/content/www/us/en/download/15084/intel-ethernet-adapter-complete-driver-pack.html"))],
        changes: nil,
        issues: [ReportIssue(path: "/sys/bus/pci/devices/0000:00:1f.4/config", message: "permission denied")],
        evidence: [RawEvidence(source: "dmesg", lines: ["[    0.000000] DMAR: IOMMU enabled", "[    1.234567] pci 0000:01:00.0: [8086:1521] type 00 <tag>"])])

    static var directory: String { ReportFixture.repository + "/Tests/ReportsTests/Golden" }
}

final class ReportGoldenTests: XCTestCase {
    func testGoldenXMLAndHTML() throws {
        let outputs = [("model.xml", try ReportXML.render(GoldenReport.model)), ("model.html", try ReportHTML.render(GoldenReport.model))]
        for (name, text) in outputs {
            let path = GoldenReport.directory + "/" + name
            if ProcessInfo.processInfo.environment["SRIOV_UPDATE_GOLDEN"] == "1" {
                try FileManager.default.createDirectory(atPath: GoldenReport.directory, withIntermediateDirectories: true)
                try text.write(toFile: path, atomically: true, encoding: .utf8)
            }
            let golden = try String(contentsOfFile: path, encoding: .utf8)
            XCTAssertEqual(text, golden, "\(name) differs from Tests/ReportsTests/Golden/\(name); if intended, regenerate with SRIOV_UPDATE_GOLDEN=1")
        }
        try ReportFixture.assertXmllintValid(outputs[0].1)
    }
}

/// Golden reports of real trees: the bundled sample and lab snapshots (no vIOMMU, max_vfs at
/// boot), rendered from the real checks. They change when a check's wording changes: review the
/// diff, then regenerate with `SRIOV_UPDATE_GOLDEN=1 swift test --filter ReportRealTreeGoldenTests`.
final class ReportRealTreeGoldenTests: XCTestCase {
    static let trees = [
        ("sample-host", "/Resources/sample-host"),
        ("sample-host-vfs", "/Resources/sample-host-vfs"),
        ("lab-igb-noiommu", "/Tests/Fixtures/lab/igb-noiommu/after"),
        ("lab-igb-maxvfs", "/Tests/Fixtures/lab/igb-maxvfs/before"),
    ]

    func testGoldenReportsOfRealTrees() throws {
        for (name, relative) in ReportRealTreeGoldenTests.trees {
            let model = try ReportFixture.report(root: ReportFixture.repository + relative, time: nil)
            let outputs = [(name + ".xml", try ReportXML.render(model)), (name + ".html", try ReportHTML.render(model))]
            for (file, text) in outputs {
                let path = GoldenReport.directory + "/" + file
                if ProcessInfo.processInfo.environment["SRIOV_UPDATE_GOLDEN"] == "1" {
                    try text.write(toFile: path, atomically: true, encoding: .utf8)
                }
                let golden = try String(contentsOfFile: path, encoding: .utf8)
                XCTAssertEqual(text, golden, "\(file) differs from Tests/ReportsTests/Golden/\(file); if intended, regenerate with SRIOV_UPDATE_GOLDEN=1")
            }
            try ReportFixture.assertXmllintValid(outputs[0].1)
            // The HTML re-rendered from the XML is the same as the direct one.
            XCTAssertEqual(try ReportHTML.render(try ReportXML.read(outputs[0].1)), outputs[1].1, name)
        }
    }
}
