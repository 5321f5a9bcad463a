import HostAccess
import SRIOVCore

/// An NVIDIA A-series host after `/usr/lib/nvidia/sriov-manage -e ALL`: a GA102GL PF behind a
/// root port that forwards ARI, VFs starting at function 4 and running into device 01
/// (virtfn0 = 51:00.4, virtfn10 = 51:01.6, corpus/gpu nvgpuubuntu-a6000-virtfn-sysfs-2.txt),
/// all on the `nvidia` driver, and `pve-nvidia-sriov@ALL.service` enabled. The card is an A40
/// (10de:2235) with Total VFs 32 and ARIHierarchy+ as in the A40 notes of the fact sheet
/// ([B-A40]); the VF device ID is not in the captures, so the PF's is used (an assumption).
public enum NVIDIATree {
    public static let pf = PCIAddress("0000:51:00.0")!
    public static let rootPort = PCIAddress("0000:50:01.0")!
    public static let deviceID: UInt16 = 0x2235
    public static let totalVFs = 32
    public static let vfOffset = 4

    struct Image {
        var bytes = [UInt8](repeating: 0, count: 4096)
        mutating func u8(_ o: Int, _ v: UInt8) { bytes[o] = v }
        mutating func u16(_ o: Int, _ v: UInt16) { bytes[o] = UInt8(v & 0xff); bytes[o + 1] = UInt8(v >> 8) }
        mutating func u32(_ o: Int, _ v: UInt32) { u16(o, UInt16(v & 0xffff)); u16(o + 2, UInt16(v >> 16)) }
        mutating func ext(_ o: Int, id: UInt16, version: UInt8, next: Int) { u32(o, UInt32(id) | UInt32(version) << 16 | UInt32(next) << 20) }
    }

    /// PCI_EXP_DEVCAP2_ARI / PCI_EXP_DEVCTL2_ARI (bit 5), at Express + 0x24 / + 0x28.
    static func rootPortConfig() -> [UInt8] {
        var c = Image()
        c.u16(0x00, 0x8086); c.u16(0x02, 0x6f08); c.u16(0x04, 0x0407); c.u16(0x06, 0x0010)
        c.u8(0x0b, 0x06); c.u8(0x0a, 0x04); c.u8(0x0e, 0x01)                   // bridge, type 1 header
        c.u8(0x18, 0x50); c.u8(0x19, 0x51); c.u8(0x1a, 0x52)                   // primary, secondary, subordinate
        c.u8(0x34, 0x90)
        c.u8(0x90, 0x10); c.u8(0x91, 0x00); c.u16(0x92, 0x0042)                // Express v2, Root Port
        c.u32(0x90 + 0x24, 0x0000_0020); c.u16(0x90 + 0x28, 0x0020)            // ARI forwarding supported + enabled
        return c.bytes
    }

    static func pfConfig(numVFs: Int) -> [UInt8] {
        var c = Image()
        c.u16(0x00, 0x10de); c.u16(0x02, deviceID); c.u16(0x04, 0x0406); c.u16(0x06, 0x0010)
        c.u8(0x08, 0xa1); c.u8(0x0b, 0x03); c.u8(0x0a, 0x02)                   // 3D controller 0302
        c.u16(0x2c, 0x10de); c.u16(0x2e, 0x145a)
        c.u8(0x34, 0x60)
        c.u8(0x60, 0x01); c.u8(0x61, 0x78); c.u16(0x62, 0x0003)               // PM
        c.u8(0x78, 0x10); c.u8(0x79, 0x00); c.u16(0x7a, 0x0002)               // Express v2, Endpoint
        c.ext(0x100, id: 0x0e, version: 1, next: 0xbc0)                        // ARI
        c.ext(0xbc0, id: 0x10, version: 1, next: 0)                            // SR-IOV
        let s = 0xbc0
        c.u16(s + 0x08, numVFs > 0 ? 0x0019 : 0x0010)                          // ARIHierarchy+ (+ VF Enable, MSE)
        c.u16(s + 0x0c, UInt16(totalVFs)); c.u16(s + 0x0e, UInt16(totalVFs)); c.u16(s + 0x10, UInt16(numVFs))
        c.u16(s + 0x14, UInt16(vfOffset)); c.u16(s + 0x16, 1); c.u16(s + 0x1a, deviceID)
        c.u32(s + 0x1c, 0x553); c.u32(s + 0x20, 1)
        return c.bytes
    }

    static func vfConfig() -> [UInt8] {
        var c = Image()
        c.u16(0x00, 0x10de); c.u16(0x02, deviceID); c.u16(0x06, 0x0010)
        c.u8(0x08, 0xa1); c.u8(0x0b, 0x03); c.u8(0x0a, 0x02)
        c.u8(0x34, 0x78); c.u8(0x78, 0x10); c.u16(0x7a, 0x0002)
        c.ext(0x100, id: 0x0e, version: 1, next: 0)
        return c.bytes
    }

    public static func vfAddresses(_ count: Int) -> [PCIAddress] {
        (0..<count).map { i in
            let rid = vfOffset + i
            return PCIAddress(domain: 0, bus: 0x51, device: UInt8(rid >> 3), function: UInt8(rid & 7))
        }
    }

    public static func write(to root: String, numVFs: Int = totalVFs) throws(HostAccessError) {
        let w = try TreeWriter(root: root)
        let devices = "/sys/bus/pci/devices"
        for driver in ["nvidia", "pcieport"] { try w.makeDirectory("/sys/bus/pci/drivers/" + driver) }
        func function(_ a: PCIAddress, vendor: UInt16, device: UInt16, cls: String, config: [UInt8], driver: String, group: Int) throws(HostAccessError) {
            let d = devices + "/" + a.description
            try w.makeDirectory(d)
            try w.write("0x" + hex(vendor, 4) + "\n", to: d + "/vendor")
            try w.write("0x" + hex(device, 4) + "\n", to: d + "/device")
            try w.write(cls + "\n", to: d + "/class")
            try w.write("0\n", to: d + "/irq")
            try w.write(String(repeating: "0x0000000000000000 0x0000000000000000 0x0000000000000000\n", count: 13), to: d + "/resource")
            try w.write(config, to: d + "/config")
            try w.write("1\n", to: d + "/ari_enabled")
            try w.symlink("../../../../bus/pci/drivers/" + driver, at: d + "/driver")
            try w.symlink("../../../../kernel/iommu_groups/\(group)", at: d + "/iommu_group")
            try w.makeDirectory("/sys/kernel/iommu_groups/\(group)/devices")
            try w.symlink("../../../../bus/pci/devices/" + a.description, at: "/sys/kernel/iommu_groups/\(group)/devices/" + a.description)
        }
        try function(rootPort, vendor: 0x8086, device: 0x6f08, cls: "0x060400", config: rootPortConfig(), driver: "pcieport", group: 40)
        try w.write("81\n", to: devices + "/" + rootPort.description + "/secondary_bus_number")
        try function(pf, vendor: 0x10de, device: deviceID, cls: "0x030200", config: pfConfig(numVFs: numVFs), driver: "nvidia", group: 41)
        let d = devices + "/" + pf.description
        try w.write("\(totalVFs)\n", to: d + "/sriov_totalvfs")
        try w.write("\(numVFs)\n", to: d + "/sriov_numvfs")
        try w.write("\(vfOffset)\n", to: d + "/sriov_offset")
        try w.write("1\n", to: d + "/sriov_stride")
        try w.write(hex(deviceID, 4) + "\n", to: d + "/sriov_vf_device")
        try w.write("1\n", to: d + "/sriov_drivers_autoprobe")
        for (i, vf) in vfAddresses(numVFs).enumerated() {
            try function(vf, vendor: 0x10de, device: deviceID, cls: "0x030200", config: vfConfig(), driver: "nvidia", group: 42 + i)
            try w.symlink("../" + pf.description, at: devices + "/" + vf.description + "/physfn")
            try w.symlink("../" + vf.description, at: d + "/virtfn\(i)")
        }
        try w.write("BOOT_IMAGE=/boot/vmlinuz-6.8.12-4-pve root=/dev/mapper/pve-root ro quiet intel_iommu=on iommu=pt\n", to: "/proc/cmdline")
        try w.write("6.8.12-4-pve\n", to: "/proc/sys/kernel/osrelease")
        try w.write("nvidia 1\n", to: "/usr/lib/nvidia/sriov-manage")
        try w.write("[Unit]\nDescription=Enable NVIDIA SR-IOV for %i\n[Service]\nType=oneshot\nExecStart=/usr/lib/nvidia/sriov-manage -e %i\n",
                    to: "/usr/lib/systemd/system/pve-nvidia-sriov@.service")
        try w.symlink("/usr/lib/systemd/system/pve-nvidia-sriov@.service", at: "/etc/systemd/system/multi-user.target.wants/pve-nvidia-sriov@ALL.service")
        try w.makeDirectory("/etc/pve/qemu-server")
        try w.write("name: ml\nmachine: q35\nhostpci0: 0000:51:00.4,mdev=nvidia-558\n", to: "/etc/pve/qemu-server/101.conf")
    }
}
