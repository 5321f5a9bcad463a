import HostAccess

/// The host facts shown at the top of `check` output and reports.
public struct HostSummary: Sendable, Equatable {
    public var root: String
    public var hostname: String?
    public var kernel: String?
    public var cmdline: String?
    public var cpuVendor: String?
    public var cpuModel: String?
    public var dmi: DMIInfo

    public static func read(_ machine: Machine) -> HostSummary {
        let cpu = CPUInfo.read(machine)
        var kernel = machine.attribute("/proc/sys/kernel/osrelease")
        if kernel == nil, let result = try? machine.run(["uname", "-r"], timeout: 5), result.status == 0 {
            kernel = result.stdoutText.trimmedSpace()
        }
        return HostSummary(
            root: machine.root,
            hostname: machine.attribute("/proc/sys/kernel/hostname") ?? machine.attribute("/etc/hostname"),
            kernel: kernel,
            cmdline: machine.attribute("/proc/cmdline"),
            cpuVendor: cpu?.vendorID, cpuModel: cpu?.modelName,
            dmi: DMIInfo.read(machine))
    }

    public var json: JSONValue {
        .object([
            ("root", .string(root)),
            ("hostname", .optional(hostname)),
            ("kernel", .optional(kernel)),
            ("cmdline", .optional(cmdline)),
            ("cpuVendor", .optional(cpuVendor)),
            ("cpuModel", .optional(cpuModel)),
            ("systemVendor", .optional(dmi.systemVendor)),
            ("productName", .optional(dmi.productName)),
            ("boardVendor", .optional(dmi.boardVendor)),
            ("boardName", .optional(dmi.boardName)),
            ("biosVendor", .optional(dmi.biosVendor)),
            ("biosVersion", .optional(dmi.biosVersion)),
        ])
    }
}

extension HostSummary {
    public static let reads = HostReads("HostSummary", paths: [
        .file("/proc/sys/kernel/osrelease"), .file("/proc/sys/kernel/hostname"), .file("/etc/hostname"),
    ], commands: [["uname", "-r"]])
}
