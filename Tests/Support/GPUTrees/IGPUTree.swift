import HostAccess
import SRIOVCore

/// Writes realistic host trees for each Intel iGPU SR-IOV state (test fixtures; also the
/// bundled `Resources/sample-host-igpu`). The PF's configuration space is built register by
/// register from real captures as lspci printed them (`../shared/corpus/gpu`):
/// - Lenovo Yoga 9 14IAP7, Alder Lake-P `8086:46a6` (lkml-iio-yoga9-adlp-46a6-noindent-1.txt):
///   BARs at 0x601c000000 / 0x4000000000, VF BARs at 0x4010000000 / 0x4020000000;
/// - Zycoo board, Alder Lake-P `8086:4626` (linuxhw-zycoo-adlp-4626-pf-vvnn-1.txt): VF BAR 2
///   `Memory at 0000000000000000` (unassigned);
/// - ADL-N `8086:46d0` for the xe state (dmesg "ALDERLAKE_P/ADL-N (device ID 46d0)").
/// Both captures: capabilities [40] vendor specific, [70] Express v2 Root Complex Integrated
/// Endpoint, [ac] MSI, [d0] PM v2, [100] PASID, [200] ATS, [300] PRI, [320] SR-IOV with
/// Initial/Total VFs 7, offset 1, stride 1, VF device ID = PF device ID.
/// Files are written through `TreeWriter` (HostAccess), sysfs links with the kernel's
/// relative targets, commands as `RecordedCommandRunner` replays them.
public enum IGPUTree {
    public enum State: String, CaseIterable, Sendable {
        case stockI915 = "stock-i915"
        case dkmsWithoutMaxVFs = "dkms-no-max-vfs"
        case dkmsNoVFs = "dkms-no-vfs"
        case vfsByHand = "vfs-by-hand"
        case vfsPersistent = "vfs-persistent"
        case vfsOnVFIO = "vfs-vfio"
        case pfInVM = "pf-in-vm"
        case adlnXe = "adln-xe"
        case vfBARsUnassigned = "vf-bars-unassigned"
    }

    /// Named offsets (include/uapi/linux/pci_regs.h).
    enum Reg {
        static let vendorID = 0x00, deviceID = 0x02, command = 0x04, status = 0x06, revision = 0x08, classProg = 0x09
        static let cacheLineSize = 0x0c, headerType = 0x0e, bar0 = 0x10, bar2 = 0x18, bar4 = 0x20
        static let subsystemVendorID = 0x2c, subsystemID = 0x2e, capabilityList = 0x34, interruptLine = 0x3c, interruptPin = 0x3d
        // PCI_EXP_*: flags +2, DEVCAP +4, DEVCTL +8
        static let expFlags = 2, expDevCap = 4, expDevCtl = 8, expDevCap2 = 0x24
        // PCI_SRIOV_*
        static let sriovCtrl = 0x08, sriovInitialVF = 0x0c, sriovTotalVF = 0x0e, sriovNumVF = 0x10, sriovVFOffset = 0x14
        static let sriovVFStride = 0x16, sriovVFDID = 0x1a, sriovSupPgSize = 0x1c, sriovSysPgSize = 0x20, sriovBAR = 0x24
    }
    static let sriovOffset = 0x320

    public struct Hardware: Sendable {
        public var deviceID: UInt16
        public var subsystem: (UInt16, UInt16)
        public var bar0: UInt64
        public var bar2: UInt64
        public var vfBar0: UInt64
        public var vfBar2: UInt64
        public var iommuGroup: Int
        public var irq: Int
    }
    /// Yoga 9 14IAP7 (Alder Lake-P 46a6).
    public static let yoga = Hardware(deviceID: 0x46a6, subsystem: (0x17aa, 0x3804), bar0: 0x60_1c00_0000, bar2: 0x40_0000_0000,
                                      vfBar0: 0x40_1000_0000, vfBar2: 0x40_2000_0000, iommuGroup: 1, irq: 125)
    /// Zycoo (Alder Lake-P 4626), VF BAR 2 unassigned.
    public static let zycoo = Hardware(deviceID: 0x4626, subsystem: (0x6688, 0x0790), bar0: 0x5000_0000, bar2: 0x4000_0000,
                                       vfBar0: 0x5200_0000, vfBar2: 0, iommuGroup: 0, irq: 128)
    /// ADL-N (N100, 46d0); BARs as on the Yoga layout.
    public static let adln = Hardware(deviceID: 0x46d0, subsystem: (0x8086, 0x7270), bar0: 0x60_1c00_0000, bar2: 0x40_0000_0000,
                                      vfBar0: 0x40_1000_0000, vfBar2: 0x40_2000_0000, iommuGroup: 0, irq: 146)

    public static let kernel = "6.14.11-2-pve"
    public static let vfBar0Size: UInt64 = 16 << 20, vfBar2Size: UInt64 = 512 << 20

    struct Image {
        var bytes = [UInt8](repeating: 0, count: 4096)
        mutating func u8(_ o: Int, _ v: UInt8) { bytes[o] = v }
        mutating func u16(_ o: Int, _ v: UInt16) { bytes[o] = UInt8(v & 0xff); bytes[o + 1] = UInt8(v >> 8) }
        mutating func u32(_ o: Int, _ v: UInt32) { u16(o, UInt16(v & 0xffff)); u16(o + 2, UInt16(v >> 16)) }
        mutating func bar64(_ o: Int, _ address: UInt64, prefetchable: Bool) {
            u32(o, UInt32(address & 0xffff_fff0) | 0x4 | (prefetchable ? 0x8 : 0))
            u32(o + 4, UInt32(address >> 32))
        }
        mutating func cap(_ o: Int, id: UInt8, next: UInt8) { u8(o, id); u8(o + 1, next) }
        mutating func ext(_ o: Int, id: UInt16, version: UInt8, next: Int) { u32(o, UInt32(id) | UInt32(version) << 16 | UInt32(next) << 20) }
    }

    /// The PF's 4096-byte configuration space.
    public static func pfConfig(_ hw: Hardware, numVFs: Int) -> [UInt8] {
        var c = Image()
        c.u16(Reg.vendorID, 0x8086); c.u16(Reg.deviceID, hw.deviceID)
        c.u16(Reg.command, 0x0407)      // I/O+ Mem+ BusMaster+ DisINTx+
        c.u16(Reg.status, 0x0010)       // Cap+
        c.u8(Reg.revision, 0x0c); c.u8(Reg.classProg + 2, 0x03)   // VGA compatible controller 0300, prog-if 00
        c.u8(Reg.cacheLineSize, 0x10)   // 64 bytes
        c.bar64(Reg.bar0, hw.bar0, prefetchable: false)
        c.bar64(Reg.bar2, hw.bar2, prefetchable: true)
        c.u32(Reg.bar4, 0x3001)         // I/O ports at 3000
        c.u16(Reg.subsystemVendorID, hw.subsystem.0); c.u16(Reg.subsystemID, hw.subsystem.1)
        c.u8(Reg.capabilityList, 0x40)
        c.u8(Reg.interruptLine, 0xff); c.u8(Reg.interruptPin, 1)
        c.cap(0x40, id: 0x09, next: 0x70); c.u8(0x42, 0x0c)                  // Vendor Specific, Len=0c
        c.cap(0x70, id: 0x10, next: 0xac)                                       // Express
        c.u16(0x70 + Reg.expFlags, 0x0092)                                      // v2, Root Complex Integrated Endpoint
        c.u32(0x70 + Reg.expDevCap, 0x1000_8000)                                // RBE+ FLReset+, MaxPayload 128
        c.cap(0xac, id: 0x05, next: 0xd0); c.u16(0xae, 0x0101)                  // MSI Enable+ Maskable+ 32-bit
        c.u32(0xb0, 0xfee0_0018)
        c.cap(0xd0, id: 0x01, next: 0x00); c.u16(0xd2, 0x0022)                  // PM v2, DSI+
        c.ext(0x100, id: 0x1b, version: 1, next: 0x200); c.u16(0x104, 0x0e00)   // PASID, width 14
        c.ext(0x200, id: 0x0f, version: 1, next: 0x300)                         // ATS
        c.ext(0x300, id: 0x13, version: 1, next: sriovOffset)                   // PRI
        c.u16(0x306, 0x0100); c.u32(0x308, 0x0000_8000)                         // Stopped+, capacity 8000
        let s = sriovOffset
        c.ext(s, id: 0x10, version: 1, next: 0)
        c.u16(s + Reg.sriovCtrl, numVFs > 0 ? 0x0009 : 0)                      // VF Enable + VF MSE
        c.u16(s + Reg.sriovInitialVF, 7); c.u16(s + Reg.sriovTotalVF, 7); c.u16(s + Reg.sriovNumVF, UInt16(numVFs))
        c.u16(s + Reg.sriovVFOffset, 1); c.u16(s + Reg.sriovVFStride, 1); c.u16(s + Reg.sriovVFDID, hw.deviceID)
        c.u32(s + Reg.sriovSupPgSize, 0x553); c.u32(s + Reg.sriovSysPgSize, 1)
        c.bar64(s + Reg.sriovBAR, hw.vfBar0, prefetchable: false)
        c.bar64(s + Reg.sriovBAR + 8, hw.vfBar2, prefetchable: true)
        return c.bytes
    }

    /// A VF's configuration space: same IDs (VF device ID = PF's), RCiEP, BARs read 0.
    public static func vfConfig(_ hw: Hardware) -> [UInt8] {
        var c = Image()
        c.u16(Reg.vendorID, 0x8086); c.u16(Reg.deviceID, hw.deviceID)
        c.u16(Reg.command, 0x0406); c.u16(Reg.status, 0x0010)
        c.u8(Reg.revision, 0x0c); c.u8(Reg.classProg + 2, 0x03)
        c.u16(Reg.subsystemVendorID, hw.subsystem.0); c.u16(Reg.subsystemID, hw.subsystem.1)
        c.u8(Reg.capabilityList, 0x70)
        c.cap(0x70, id: 0x10, next: 0xac); c.u16(0x70 + Reg.expFlags, 0x0092); c.u32(0x70 + Reg.expDevCap, 0x1000_8000)
        c.cap(0xac, id: 0x05, next: 0x00); c.u16(0xae, 0x0100)
        c.ext(0x100, id: 0x1b, version: 1, next: 0)
        return c.bytes
    }

    static func line(_ start: UInt64, _ size: UInt64, _ flags: UInt64) -> String {
        func h(_ v: UInt64) -> String { "0x" + String(v, radix: 16).leftPad(16) }
        return size == 0 ? "\(h(0)) \(h(0)) \(h(0))\n" : "\(h(start)) \(h(start + size - 1)) \(h(flags))\n"
    }
    static let mem64: UInt64 = 0x0014_0204, mem64Pref: UInt64 = 0x0014_220c, io: UInt64 = 0x0004_0101

    public static func pfResource(_ hw: Hardware) -> String {
        var text = line(hw.bar0, 16 << 20, mem64) + line(0, 0, 0) + line(hw.bar2, 256 << 20, mem64Pref) + line(0, 0, 0)
        text += line(0x3000, 64, io) + line(0, 0, 0) + line(0xc0000, 128 << 10, 0x0000_0212)
        text += line(hw.vfBar0, vfBar0Size * 7, mem64) + line(0, 0, 0)
        // An unassigned IOV resource keeps its size and flags, with start 0 (IORESOURCE_UNSET).
        text += hw.vfBar2 == 0 ? "0x0000000000000000 0x\(String(vfBar2Size * 7 - 1, radix: 16).leftPad(16)) 0x\(String(mem64Pref, radix: 16).leftPad(16))\n"
                               : line(hw.vfBar2, vfBar2Size * 7, mem64Pref)
        text += line(0, 0, 0) + line(0, 0, 0) + line(0, 0, 0)
        return text
    }

    static func vfResource(_ hw: Hardware, _ i: Int) -> String {
        line(hw.vfBar0 + UInt64(i) * vfBar0Size, vfBar0Size, mem64) + line(0, 0, 0)
            + line(hw.vfBar2 + UInt64(i) * vfBar2Size, vfBar2Size, mem64Pref) + String(repeating: line(0, 0, 0), count: 10)
    }

    /// What each state consists of.
    struct Plan {
        var hw: Hardware
        var driver = "i915"
        var dkms = true
        var maxVFs: Int? = 7
        var totalVFs = 7
        var numVFs = 0
        var vfDriver: String? = nil
        var cmdline = "BOOT_IMAGE=/boot/vmlinuz-\(kernel) root=/dev/mapper/pve-root ro quiet intel_iommu=on iommu=pt i915.enable_guc=3 i915.max_vfs=7 module_blacklist=xe"
        var sysfsConf = false
        var vmPassesPF = false
        var dmesg: [String] = []
    }

    static func plan(_ state: State) -> Plan {
        var p = Plan(hw: yoga)
        let pfMode = "i915 0000:00:02.0: Running in SR-IOV PF mode"
        switch state {
        case .stockI915:
            p.dkms = false; p.maxVFs = nil
            p.cmdline = "BOOT_IMAGE=/boot/vmlinuz-\(kernel) root=/dev/mapper/pve-root ro quiet intel_iommu=on iommu=pt"
        case .dkmsWithoutMaxVFs:
            p.maxVFs = 0; p.totalVFs = 0
            p.cmdline = "BOOT_IMAGE=/boot/vmlinuz-\(kernel) root=/dev/mapper/pve-root ro quiet intel_iommu=on iommu=pt i915.enable_guc=7"
            p.dmesg = ["i915: Incompatible option enable_guc=7 - undocumented flag"]
        case .dkmsNoVFs:
            p.dmesg = [pfMode]
        case .vfsByHand:
            p.numVFs = 7; p.vfDriver = "i915"; p.dmesg = [pfMode, "i915 0000:00:02.0: Enabled 7 VFs"]
        case .vfsPersistent:
            p.numVFs = 7; p.vfDriver = "i915"; p.sysfsConf = true; p.dmesg = [pfMode, "i915 0000:00:02.0: Enabled 7 VFs"]
        case .vfsOnVFIO:
            p.numVFs = 7; p.vfDriver = "vfio-pci"; p.sysfsConf = true; p.dmesg = [pfMode, "i915 0000:00:02.0: Enabled 7 VFs"]
        case .pfInVM:
            p.numVFs = 7; p.vfDriver = "vfio-pci"; p.sysfsConf = true; p.vmPassesPF = true
            p.dmesg = [pfMode, "i915 0000:00:02.0: Enabled 7 VFs"]
        case .adlnXe:
            p.hw = adln; p.driver = "xe"; p.maxVFs = 7; p.numVFs = 7; p.vfDriver = "vfio-pci"; p.sysfsConf = true
            p.cmdline = "BOOT_IMAGE=/boot/vmlinuz-\(kernel) root=/dev/mapper/pve-root ro quiet intel_iommu=on iommu=pt xe.max_vfs=7 xe.force_probe=46d0 module_blacklist=i915"
            p.dmesg = ["xe 0000:00:02.0: [drm] Running in SR-IOV PF mode", "xe 0000:00:02.0: Enabled 7 VFs"]
        case .vfBARsUnassigned:
            p.hw = zycoo; p.totalVFs = 0
            p.dmesg = ["i915 0000:00:02.0: [drm] *ERROR* VFs BAR not ready"]
        }
        return p
    }

    /// Writes the tree for a state under `root` (which must exist).
    public static func write(_ state: State, to root: String) throws(HostAccessError) {
        let p = plan(state)
        let w = try TreeWriter(root: root)
        let devices = "/sys/bus/pci/devices"
        let pf = "0000:00:02.0"
        let vfs = (1...7).map { "0000:00:02.\($0)" }.prefix(p.numVFs)
        for driver in Set([p.driver, p.vfDriver ?? p.driver]) { try w.makeDirectory("/sys/bus/pci/drivers/" + driver) }
        // Intel VT-d: an IOMMU unit (a link, as the kernel makes it) and the DMAR table
        // (ACPI header + host address width 38 + flags INTR_REMAP|X2APIC_OPT_OUT).
        try w.makeDirectory("/sys/devices/virtual/iommu/dmar0")
        try w.symlink("../../devices/virtual/iommu/dmar0", at: "/sys/class/iommu/dmar0")
        var dmar = [UInt8](repeating: 0, count: 48)
        for (i, b) in Array("DMAR".utf8).enumerated() { dmar[i] = b }
        dmar[4] = 48; dmar[8] = 1
        for (i, b) in Array("LENOVO".utf8).enumerated() { dmar[10 + i] = b }
        dmar[36] = 37; dmar[37] = 0x03
        try w.write(dmar, to: "/sys/firmware/acpi/tables/DMAR")
        for (name, value) in [("sys_vendor", "LENOVO"), ("board_vendor", "LENOVO"), ("product_name", "82LU"),
                              ("product_version", "Yoga 9 14IAP7"), ("bios_vendor", "LENOVO")] {
            try w.write(value + "\n", to: "/sys/class/dmi/id/" + name)
        }
        func function(_ name: String, config: [UInt8], resource: String, driver: String?, group: Int) throws(HostAccessError) {
            let d = devices + "/" + name
            try w.makeDirectory(d)
            try w.write("0x8086\n", to: d + "/vendor")
            try w.write("0x" + hex(p.hw.deviceID, 4) + "\n", to: d + "/device")
            try w.write("0x" + hex(p.hw.subsystem.0, 4) + "\n", to: d + "/subsystem_vendor")
            try w.write("0x" + hex(p.hw.subsystem.1, 4) + "\n", to: d + "/subsystem_device")
            try w.write("0x030000\n", to: d + "/class")
            try w.write("0x0c\n", to: d + "/revision")
            try w.write(name == pf ? "\(p.hw.irq)\n" : "0\n", to: d + "/irq")
            try w.write(resource, to: d + "/resource")
            try w.write(config, to: d + "/config")
            try w.write("pci:v00008086d0000\(hex(p.hw.deviceID, 4).uppercased())sv0000\(hex(p.hw.subsystem.0, 4).uppercased())sd0000\(hex(p.hw.subsystem.1, 4).uppercased())bc03sc00i00\n", to: d + "/modalias")
            try w.write("-1\n", to: d + "/numa_node")
            try w.write("1\n", to: d + "/enable")
            try w.write(driver == "vfio-pci" && name != pf ? "vfio-pci\n" : "(null)\n", to: d + "/driver_override")
            if let driver { try w.symlink("../../../../bus/pci/drivers/" + driver, at: d + "/driver") }
            try w.symlink("../../../../kernel/iommu_groups/\(group)", at: d + "/iommu_group")
            let g = "/sys/kernel/iommu_groups/\(group)"
            try w.makeDirectory(g + "/devices")
            try w.write("DMA\n", to: g + "/type")
            try w.symlink("../../../../bus/pci/devices/" + name, at: g + "/devices/" + name)
        }
        try function(pf, config: pfConfig(p.hw, numVFs: p.numVFs), resource: pfResource(p.hw), driver: p.driver, group: p.hw.iommuGroup)
        let d = devices + "/" + pf
        try w.write("\(p.totalVFs)\n", to: d + "/sriov_totalvfs")
        try w.write("\(p.numVFs)\n", to: d + "/sriov_numvfs")
        try w.write("1\n", to: d + "/sriov_offset")
        try w.write("1\n", to: d + "/sriov_stride")
        try w.write(hex(p.hw.deviceID, 4) + "\n", to: d + "/sriov_vf_device")
        try w.write("1\n", to: d + "/sriov_drivers_autoprobe")
        for (i, vf) in vfs.enumerated() {
            try function(vf, config: vfConfig(p.hw), resource: vfResource(p.hw, i), driver: p.vfDriver, group: 20 + i)
            try w.symlink("../" + pf, at: devices + "/" + vf + "/physfn")
            try w.symlink("../" + vf, at: d + "/virtfn\(i)")
        }
        // Module parameters as the driver holds them (only the dkms i915 has max_vfs).
        let params = "/sys/module/\(p.driver)/parameters"
        try w.makeDirectory(params)
        if p.driver == "i915" { try w.write(p.cmdline.contains("i915.enable_guc=7") ? "7\n" : "3\n", to: params + "/enable_guc") }
        if let maxVFs = p.maxVFs, p.dkms { try w.write("\(maxVFs)\n", to: params + "/max_vfs") }
        // /proc, /etc, boot loader
        try w.write(p.cmdline + "\n", to: "/proc/cmdline")
        try w.write(kernel + "\n", to: "/proc/sys/kernel/osrelease")
        try w.write("pve-igpu\n", to: "/proc/sys/kernel/hostname")
        try w.write("processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: 12th Gen Intel(R) Core(TM) i7-1260P\nflags\t\t: fpu vme de pse msr pae mce cx8 apic vmx ept\n", to: "/proc/cpuinfo")
        var modules = ["\(p.driver) 4194304 0 - Live 0x0000000000000000", "vfio_pci 16384 0 - Live 0x0000000000000000",
                       "vfio_pci_core 86016 1 vfio_pci, Live 0x0000000000000000", "vfio_iommu_type1 49152 0 - Live 0x0000000000000000",
                       "vfio 69632 3 vfio_pci_core,vfio_iommu_type1, Live 0x0000000000000000", "kvm_intel 401408 0 - Live 0x0000000000000000"]
        if p.dkms { modules[0] += " (OE)" }
        try w.write(modules.joined(separator: "\n") + "\n", to: "/proc/modules")
        try w.write("vfio\nvfio_iommu_type1\nvfio_pci\n", to: "/etc/modules")
        let grubLine = p.cmdline.split(separator: " ").dropFirst(3).joined(separator: " ")
        try w.write("GRUB_DEFAULT=0\nGRUB_TIMEOUT=5\nGRUB_DISTRIBUTOR=\"Proxmox VE\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"\(grubLine)\"\nGRUB_CMDLINE_LINUX=\"\"\n", to: "/etc/default/grub")
        try w.write("PRETTY_NAME=\"Debian GNU/Linux 13 (trixie)\"\nID=debian\nVERSION_ID=\"13\"\n", to: "/etc/os-release")
        if p.sysfsConf {
            try w.write("devices/pci0000:00/0000:00:02.0/sriov_numvfs = 7\n", to: "/etc/sysfs.d/sriov-wizard-igpu.conf")
            try w.write("[Unit]\nDescription=Set sysfs variables from /etc/sysfs.conf\n", to: "/usr/lib/systemd/system/sysfsutils.service")
        }
        try w.makeDirectory("/etc/pve/qemu-server")
        try w.write("name: win11\nostype: win11\nmachine: pc-q35-9.2\ncores: 4\nmemory: 8192\nbios: ovmf\n"
                    + (p.vmPassesPF ? "hostpci0: 0000:00:02,pcie=1,x-vga=1\n" : "hostpci0: 0000:00:02.1,pcie=1\n"), to: "/etc/pve/qemu-server/100.conf")
        // Recorded commands (RecordedCommandRunner).
        func command(_ argv: [String], _ stdout: String, status: Int = 0, stderr: String = "") throws(HostAccessError) {
            let base = RecordedCommandRunner.directory + "/" + RecordedCommandRunner.key(for: argv)
            try w.write(stdout, to: base + ".stdout")
            try w.write(stderr, to: base + ".stderr")
            try w.write("\(status)\n", to: base + ".status")
        }
        try command(["uname", "-r"], kernel + "\n")
        let dkmsLine = "i915-sriov-dkms/2026.03.05.1, \(kernel), x86_64: installed\n"
        try command(["dkms", "status"], p.dkms ? dkmsLine : "")
        let intree = "/lib/modules/\(kernel)/kernel/drivers/gpu/drm/"
        try command(["modinfo", "-n", "i915"], p.dkms && p.driver == "i915" ? "/lib/modules/\(kernel)/updates/dkms/i915.ko\n" : intree + "i915/i915.ko\n")
        try command(["modinfo", "-n", "xe"], p.dkms && p.driver == "xe" ? "/lib/modules/\(kernel)/updates/dkms/xe.ko\n" : intree + "xe/xe.ko\n")
        try command(["mokutil", "--sb-state"], "SecureBoot disabled\n")
        // kmod's modinfo: the dkms build (unsigned here, Secure Boot off) has max_vfs (its
        // description as i915-sriov-dkms' i915_params.c words it); the in-tree modules are
        // signed with the kernel's build key.
        let common = "license:        GPL and additional rights\ndescription:    Intel Graphics\nauthor:         Intel Corporation\n"
        let signed = "sig_id:         PKCS#7\nsigner:         Build time autogenerated kernel key\nsig_hashalgo:   sha512\n"
        let dkmsI915 = "filename:       /lib/modules/\(kernel)/updates/dkms/i915.ko\nversion:        2026.03.05.1\n" + common
            + "parm:           enable_guc:Enable GuC load for GuC submission and/or HuC load. (int)\n"
            + "parm:           max_vfs:Limit number of virtual functions to allocate. (default: no limit; N=limit to N, 0=no VFs) (uint)\n"
        let inTreeI915 = "filename:       \(intree)i915/i915.ko\n" + common + signed + "parm:           enable_guc:Enable GuC load for GuC submission and/or HuC load. (int)\n"
        try command(["modinfo", "i915"], p.dkms && p.driver == "i915" ? dkmsI915 : inTreeI915)
        let xe = p.dkms && p.driver == "xe" ? "filename:       /lib/modules/\(kernel)/updates/dkms/xe.ko\n" + common
            : "filename:       \(intree)xe/xe.ko\n" + common + signed
        try command(["modinfo", "xe"], xe + "parm:           max_vfs:Limit number of Virtual Functions (VFs) that could be managed. (uint)\n")
        var log = ["[    0.000000] Linux version \(kernel) (build@proxmox) #1 SMP PREEMPT_DYNAMIC PMX",
                   "[    0.000000] Command line: \(p.cmdline)",
                   "[    0.312345] DMAR: IOMMU enabled",
                   "[    0.412345] DMAR-IR: Enabled IRQ remapping in x2apic mode",
                   "[    2.100000] pci 0000:00:02.0: [8086:\(hex(p.hw.deviceID, 4))] type 00 class 0x030000 PCIe Root Complex Integrated Endpoint"]
        if p.dkms { log.append("[    4.000000] \(p.driver): module verification failed: signature and/or required key missing - tainting kernel") }
        for (i, line) in p.dmesg.enumerated() { log.append("[    \(5 + i).000000] " + line) }
        try command(["dmesg"], log.joined(separator: "\n") + "\n")
    }
}

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
