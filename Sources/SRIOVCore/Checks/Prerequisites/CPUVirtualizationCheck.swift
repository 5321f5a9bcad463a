/// `cpu-virtualization`: the CPU offers hardware virtualization (vmx on Intel, svm on AMD)
/// to the host; without it KVM cannot run VMs at all. Read from /proc/cpuinfo `flags`,
/// where the kernel lists vmx/svm only when the firmware has left it enabled.
public enum CPUVirtualizationCheck: Check {
    public static let id = "cpu-virtualization"
    public static let stage = StageID.prerequisites

    public static func run(_ context: CheckContext) -> [CheckResult] {
        guard let cpu = CPUInfo.read(context.machine) else {
            return [result(.warn, LocalizedText(en: "/proc/cpuinfo could not be read.", es: "No se pudo leer /proc/cpuinfo."),
                           evidence: [.unreadable(CPUInfo.path)])]
        }
        let model = cpu.modelName.map { ", model name \($0)" } ?? ""
        var evidence = [Evidence(en: "\(CPUInfo.path): vendor_id \(cpu.vendorID ?? "unknown vendor")" + model,
                                 es: "\(CPUInfo.path): vendor_id \(cpu.vendorID ?? "fabricante desconocido")" + model)]
        let flag = cpu.vendor == .amd ? "svm" : "vmx"
        if cpu.flags.contains("vmx") || cpu.flags.contains("svm") {
            let present = cpu.flags.contains("vmx") ? "vmx" : "svm"
            evidence.append(.fact(CPUInfo.path, en: "flags contain \(present)", es: "flags contiene \(present)"))
            return [result(.pass, LocalizedText(
                en: "The CPU offers hardware virtualization (\(present)).",
                es: "La CPU ofrece virtualización por hardware (\(present))."), evidence: evidence)]
        }
        let guest = cpu.flags.contains("hypervisor")
        evidence.append(.fact(CPUInfo.path, en: "flags contain neither vmx nor svm" + (guest ? " (flag hypervisor: this host is itself a VM)" : ""),
                              es: "flags no contiene ni vmx ni svm" + (guest ? " (flag hypervisor: este host es a su vez una VM)" : "")))
        let setting = cpu.vendor == .amd ? "SVM Mode" : "Intel Virtualization Technology (VT-x)"
        let menu = context.knowledge.biosVendor(DMIInfo.read(context.machine))?
            .setting("virtualization", cpu: cpu.vendor)?.pathText()
        let where_en = menu.map { " (\($0))" } ?? ""
        let nested = cpu.flags.contains("hypervisor")
        return [result(.fail, LocalizedText(
            en: "The CPU does not offer hardware virtualization (no \(flag) flag): VMs cannot be started with KVM.",
            es: "La CPU no ofrece virtualización por hardware (sin el indicador \(flag)): no se pueden arrancar VMs con KVM."),
            evidence: evidence,
            hint: nested
                ? LocalizedText(
                    en: "This host is a virtual machine: enable nested virtualization on its hypervisor (e.g. CPU type `host`), or run on bare metal.",
                    es: "Este host es una máquina virtual: active la virtualización anidada en su hipervisor (p. ej. tipo de CPU `host`) o use una máquina física.")
                : LocalizedText(
                    en: "Enable \(setting) in the BIOS/UEFI setup\(where_en), save and reboot.",
                    es: "Active \(setting) en la configuración de la BIOS/UEFI\(where_en), guarde y reinicie."))]
    }
}
