import SRIOVCore

/// Builds a `HostReport` from what `check` computed and from the machine (through the one
/// host seam, so a snapshot gives the same report as the live host).
public enum ReportBuilder {
    /// The CPU flags a passthrough report is about: hardware virtualisation (vmx/svm), second
    /// level address translation (ept/npt), x2apic (interrupt remapping goes with it), and
    /// `hypervisor` (the "host" is itself a VM, as in the lab).
    public static let relevantCPUFlags: Set<String> = ["vmx", "svm", "ept", "npt", "x2apic", "hypervisor"]
    /// dmesg lines kept as raw evidence; the rest of the kernel log is not about SR-IOV.
    static let dmesgKeywords = ["DMAR", "IOMMU", "iommu", "AMD-Vi", "SR-IOV", "sriov", "VF", "vfio", "ACS", "ARI",
                                "Command line", "Kernel command line", "PCI-DMA", "x2apic", "remapping"]
    static let maxEvidenceLines = 400
    static let maxLineLength = 1000

    public static func build(context: CheckContext, stages: [StageReport], language: Language, time: String?) -> HostReport {
        let machine = context.machine
        let summary = HostSummary.read(machine)
        let cpu = CPUInfo.read(machine)
        let pfs = context.targetPFs
        var devices = pfs.map { pf in device(pf, vfs: context.vfs(of: pf), context: context) }
        if context.selectedDevice == nil {
            // VFs whose PF is not in the inventory still belong in the report.
            let shown = Set(pfs.flatMap { [$0.address] + $0.virtfns })
            for f in context.inventory.functions where f.role == .vf && !shown.contains(f.address) {
                devices.append(device(f, vfs: [], context: context))
            }
        }
        let facts = HostFacts(
            hostname: name(summary.hostname), kernel: name(summary.kernel), cmdline: summary.cmdline,
            os: name(OSRelease.prettyName(machine)), proxmox: name(ProxmoxVersion.read(machine)), bootLoader: BootLoaderKind(BootLoaderDetection.detect(machine).loader),
            cpuVendor: summary.cpuVendor, cpuModel: summary.cpuModel,
            cpuFlags: (cpu?.flags ?? []).intersection(relevantCPUFlags).sorted(),
            dmi: dmiFields(summary.dmi), hostID: HostIdentity.read(machine)?.id)
        return HostReport(
            language: language, time: time, host: facts,
            stages: stages.map { stage($0, language: language) },
            devices: devices,
            iommuGroups: iommuGroups(context),
            guestDrivers: pfs.map { guestDriver($0, context: context, language: language) },
            changes: changes(context, language: language),
            issues: context.inventory.issues.map { ReportIssue(path: $0.path, message: $0.message) },
            evidence: kernelMessages(context, pfs: pfs).map { [$0] } ?? [])
    }

    /// What `apply` recorded in the machine's journals (nil: no journal).
    static func changes(_ context: CheckContext, language: Language) -> [ChangeRecord]? {
        AppliedChanges.read(context.machine)?.map {
            ChangeRecord(id: $0.id, state: $0.applied ? .applied : .planned, time: $0.time, file: $0.file.flatMap(name),
                         command: $0.commandLine, description: $0.description.text(language))
        }
    }

    static func stage(_ report: StageReport, language: Language) -> ReportStage {
        ReportStage(id: report.id, title: Stage.named(report.id).title.text(language), checks: report.checks.map {
            ReportCheck(id: $0.id, level: $0.level, device: $0.device?.description, summary: $0.summary.text(language),
                        hint: $0.hint.text(language), evidence: $0.evidence.text(language))
        })
    }

    static func device(_ f: PCIFunction, vfs: [PCIFunction], context: CheckContext) -> ReportDevice {
        let sriov = f.sriov.map {
            ReportSRIOV(totalVFs: $0.totalVFs, numVFs: $0.numVFs, initialVFs: $0.initialVFs, vfOffset: $0.vfOffset,
                        vfStride: $0.vfStride, vfDeviceID: $0.vfDeviceID.map { hex($0) }, configTotalVFs: $0.configTotalVFs)
        }
        return ReportDevice(
            address: f.address.description, role: f.role, vendorID: f.vendorID.map { hex($0) },
            deviceID: f.deviceID.map { hex($0) }, vendorName: name(f.vendorName), deviceName: name(f.deviceName), driver: name(f.driver),
            iommuGroup: f.iommuGroup, ari: f.hasARI, ariEnabled: f.ariEnabled, sriov: f.role == .pf ? sriov : nil,
            netdevs: f.netdevs.sorted().compactMap { n in name(n).map { ReportNetdev(name: $0, mac: name(SysfsInventory.macAddress(context.machine, f, netdev: n))) } },
            vfs: vfs.sorted { $0.address < $1.address }.map { device($0, vfs: [], context: context) })
    }

    /// /sys/kernel/iommu_groups/N/devices (Documentation/ABI/testing/sysfs-kernel-iommu_groups);
    /// without that directory, the groups the inventory read from each device's link.
    static func iommuGroups(_ context: CheckContext) -> [IOMMUGroupEntry] {
        if let members = IOMMUSysfs.groupMembers(context.machine) {
            return members.map { IOMMUGroupEntry(number: $0.group, devices: $0.devices) }
        }
        var groups: [Int: [String]] = [:]
        for f in context.inventory.functions { if let g = f.iommuGroup { groups[g, default: []].append(f.address.description) } }
        return groups.keys.sorted().map { IOMMUGroupEntry(number: $0, devices: groups[$0]!.sorted()) }
    }

    static func guestDriver(_ pf: PCIFunction, context: CheckContext, language: Language) -> GuestDriverEntry {
        let vfDrivers = context.vfs(of: pf).compactMap(\.driver)
        let knowledge = pf.driver.flatMap { context.knowledge.driver($0) }
            ?? vfDrivers.lazy.compactMap { context.knowledge.driverForVF($0) }.first
        let windows = knowledge?.windowsDriver.map {
            WindowsDriverEntry(package: $0.name, url: $0.url, note: $0.note?.localized.text(language))
        }
        return GuestDriverEntry(
            device: pf.address.description, deviceName: [pf.vendorName, pf.deviceName].compactMap { $0 }.joined(separator: " ").nilIfEmpty,
            pfDriver: pf.driver ?? knowledge?.name, linuxDriver: knowledge?.vfDriver ?? vfDrivers.first, windows: windows)
    }

    static func dmiFields(_ dmi: DMIInfo) -> [DMIField] {
        let fields: [(String, String?)] = [
            ("sys_vendor", dmi.systemVendor), ("product_name", dmi.productName), ("board_vendor", dmi.boardVendor),
            ("board_name", dmi.boardName), ("bios_vendor", dmi.biosVendor), ("bios_version", dmi.biosVersion),
            ("bios_date", dmi.biosDate),
        ]
        return fields.compactMap { field, value in name(value).map { DMIField(name: field, value: $0) } }
    }

    /// Kernel messages about the IOMMU, SR-IOV and the SR-IOV devices.
    static func kernelMessages(_ context: CheckContext, pfs: [PCIFunction]) -> RawEvidence? {
        guard case .success(let text) = KernelLog.readText(context.machine) else { return nil }
        let needles = dmesgKeywords + pfs.map(\.address.description) + pfs.compactMap(\.driver).map { $0 + " " }
        var lines: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            guard needles.contains(where: { line.contains($0) }) else { continue }
            lines.append(line.count > maxLineLength ? String(line.prefix(maxLineLength)) + "…" : String(line))
            if lines.count == maxEvidenceLines { break }
        }
        return lines.isEmpty ? nil : RawEvidence(source: "dmesg", lines: lines)
    }

    /// A short value from the host for a `name` field of the schema (1 to 1024 characters): a
    /// crafted snapshot may hold an empty or a megabyte-long host name, DMI string or link
    /// name; empty becomes absent, long is cut with "…", so the report stays valid.
    static func name(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value.count > maxNameLength ? String(value.prefix(maxNameLength)) + "…" : value
    }
    static let maxNameLength = 1000

    static func hex(_ value: UInt16) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
