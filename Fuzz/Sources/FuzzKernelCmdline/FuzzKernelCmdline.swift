import SRIOVCore
import CFuzzDriver

/// Hands the process to libFuzzer (see CFuzzDriver.h for why not libFuzzer's `main`).
@_cdecl("FuzzKernelCmdline_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var argc = argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return LLVMFuzzerRunDriver(&argc, &argv, fuzzKernelCmdline)
}

/// libFuzzer entry: the same bytes as a kernel command line (`/proc/cmdline`,
/// `/etc/kernel/cmdline`) and as `/etc/default/grub`, then through the queries and the
/// GRUB evaluation and rewrite the checks and `apply` use.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKernelCmdline(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)

    let cmdline = KernelCommandLine(text)
    _ = cmdline.description
    _ = cmdline.value("intel_iommu")
    _ = cmdline.lastOption("iommu", among: ["pt", "on", "off"])
    if let first = cmdline.parameters.first { _ = cmdline.all(first.key) }

    let grub = GrubDefaults(text: text)
    _ = grub.text
    var environment: [String: String] = [:]
    grub.evaluate(into: &environment)
    let configuration = GrubConfiguration(files: [grub])
    _ = configuration.kernelCommandLine.description
    _ = configuration.lastAssignment("GRUB_CMDLINE_LINUX_DEFAULT")
    for line in grub.lines { _ = line.replacingValue(with: ["intel_iommu=on", "iommu=pt"]) }
    return 0
}
