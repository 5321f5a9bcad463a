import HostAccess

/// What one VF of a PF occupies in MMIO: the VF BARs of the SR-IOV capability (PCIe Base
/// Spec 9.3.3.14, VF BAR0..5). The kernel sizes them when it enumerates the PF and lists
/// them in sysfs `resource` as the IOV resources (include/linux/pci.h `PCI_IOV_RESOURCES`,
/// lines 7..12 after the six BARs and the ROM), each as one window of `VF BAR size x
/// TotalVFs` (drivers/pci/iov.c `sriov_init`, where TotalVFs is the config-space value).
public struct VFResources: Sendable, Equatable {
    /// Bytes of each VF BAR that one VF uses, in BAR order (empty BARs left out).
    public var barSizes: [UInt64]

    public var total: UInt64 { barSizes.reduce(0, +) }

    public static let firstIOVLine = 7
    public static let iovLines = 6

    /// From `/sys/bus/pci/devices/ADDR/resource`; nil when the file is missing (a tree from
    /// lspci text), unreadable, has no IOV lines, or the TotalVFs of config space is unknown.
    public static func read(_ pf: PCIFunction, machine: Machine) -> VFResources? {
        guard let total = pf.sriov?.configTotalVFs ?? pf.sriov?.totalVFs, total > 0,
              let text = try? machine.readText(SysfsInventory.devicesPath + "/\(pf.address)/resource", limit: 16 * 1024)
        else { return nil }
        return parse(text, totalVFs: total)
    }

    /// Each line is `start end flags` in hex (pci-sysfs.c `resource_show`); a line that is
    /// not three hex numbers makes the whole file unknown rather than guessed.
    public static func parse(_ text: String, totalVFs: Int) -> VFResources? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0).trimmedSpace() }.filter { !$0.isEmpty }
        guard totalVFs > 0, lines.count >= firstIOVLine + iovLines else { return nil }
        var sizes: [UInt64] = []
        for line in lines[firstIOVLine..<(firstIOVLine + iovLines)] {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count == 3, let start = hex(fields[0]), let end = hex(fields[1]), hex(fields[2]) != nil else { return nil }
            guard end > start else { continue }
            let (window, overflow) = (end - start).addingReportingOverflow(1)
            guard !overflow else { return nil }
            sizes.append(window / UInt64(totalVFs))
        }
        return sizes.isEmpty ? nil : VFResources(barSizes: sizes)
    }

    static func hex(_ s: Substring) -> UInt64? {
        let digits = s.hasPrefix("0x") ? s.dropFirst(2) : s
        return digits.isEmpty ? nil : UInt64(digits, radix: 16)
    }

    /// `16 KiB`, `1 MiB`: binary units, as lspci prints BAR sizes.
    public static func size(_ bytes: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = bytes
        var unit = 0
        while value >= 1024, value % 1024 == 0, unit < units.count - 1 { value /= 1024; unit += 1 }
        return "\(value) \(units[unit])"
    }
}

extension VFResources {
    public static let reads = HostReads("VFResources", paths: [.file(SysfsInventory.devicesPath + "/{pci}/resource", limit: 64 * 1024, quiet: false)])
}
