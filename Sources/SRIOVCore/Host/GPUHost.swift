import Foundation
import HostAccess

/// What the wizard reads about a GPU that can do SR-IOV, all through `Machine`:
/// - Intel integrated graphics: Intel (8086), display class 03xx, `0000:00:02.0`, a Root
///   Complex Integrated Endpoint with its SR-IOV capability at 0x320; the platform from the
///   device ID (gpu.json, from the kernel's `include/drm/intel/pciids.h`).
/// - whether the bound `i915`/`xe` is the dkms build: `modinfo -n DRIVER` names a file under
///   `/lib/modules/<release>/updates/dkms/`, or the module file exists there; for i915 also
///   `/sys/module/i915/parameters/max_vfs`, which only the dkms i915 defines;
/// - `dkms status` lines for the running kernel, `mokutil --sb-state`;
/// - the module parameters `max_vfs` and `enable_guc` as the driver holds them;
/// - the SR-IOV VF BARs (config space at capability + 0x24, PCI_SRIOV_BAR) and the sysfs
///   `resource` lines 7-12 (the kernel's PCI_IOV_RESOURCES): unassigned means ENOMEM ahead.
/// Every command here is also in `Snapshot.commands`, every file is copied by `snapshot`.
public struct GPUHost: Sendable, Equatable {
    /// Commands this reader runs (recorded by `snapshot`).
    public static let commands: [[String]] = [
        ["dkms", "status"], ["modinfo", "-n", "i915"], ["modinfo", "-n", "xe"], ["mokutil", "--sb-state"],
        // The module's own record (file, version, signer, parameters), so `check --root
        // SNAPSHOT` sees which i915/xe build the live host would load and whether it is signed.
        ["modinfo", "i915"], ["modinfo", "xe"],
    ]
    public static let igpuAddress = PCIAddress("0000:00:02.0")!
    public static let dkmsDirectory = "updates/dkms"

    public enum Kind: String, Sendable, Equatable { case intelIGPU, intelDiscrete, nvidia, amd }
    public enum Build: String, Sendable, Equatable { case dkms, inTree, unknown }

    public var address: PCIAddress
    public var kind: Kind
    public var platform: GPUKnowledge.Platform?
    public var dataCenter: GPUKnowledge.DataCenterGPU?
    public var driver: String?
    public var build: Build = .unknown
    /// Evidence lines for `build` (the module path, the parameter file).
    public var buildEvidence: [Evidence] = []
    /// `modinfo <driver>`: whether the module file the kernel would load carries a signature
    /// (`signer:` / `sig_id:` lines, kernel scripts/sign-file); nil when modinfo gave nothing.
    public var moduleSigned: Bool?
    public var kernelRelease: String?
    /// `dkms status` lines naming i915-sriov / xe (nil: not run or not installed).
    public var dkmsStatus: [String]?
    /// Whether `dkms status` lists an installed build for the running kernel.
    public var dkmsInstalledForKernel: Bool?
    public var secureBoot: Bool?
    /// `/sys/module/<driver>/parameters/max_vfs` (nil when the driver has no such parameter).
    public var maxVFsParameter: Int?
    public var enableGuC: Int?
    /// Indices (0-5) of VF BARs that have a size but no address.
    public var unassignedVFBARs: [Int] = []
    public var vfBAREvidence: [Evidence] = []
    /// Kernel log lines that match a GPU SR-IOV signature (gpu.json `kernelLog`).
    public var logFindings: [LogFinding] = []

    public struct LogFinding: Sendable, Equatable {
        public var line: String
        public var signature: GPUKnowledge.LogSignature
    }

    /// Whether the function is the Intel iGPU PF.
    public static func isIntelIGPU(_ f: PCIFunction) -> Bool {
        guard f.vendorID == 0x8086, let cls = f.classCode, cls >> 16 == 0x03 else { return false }
        guard f.address == igpuAddress else { return false }
        if let type = f.express?.portType { return type == .rootComplexIntegratedEndpoint }
        return true
    }

    /// Whether a function is a GPU the GPU checks speak about: the Intel iGPU, or a display
    /// class PF of Intel, NVIDIA or AMD.
    public static func kind(_ f: PCIFunction) -> Kind? {
        guard let cls = f.classCode, cls >> 16 == 0x03, let vendor = f.vendorID else { return nil }
        if isIntelIGPU(f) { return .intelIGPU }
        switch vendor {
        case 0x8086: return .intelDiscrete
        case 0x10de: return .nvidia
        case 0x1002: return .amd
        default: return nil
        }
    }

    /// The GPU facts of a PF; nil when it is not a GPU.
    public static func read(_ machine: Machine, _ f: PCIFunction, knowledge: GPUKnowledge? = .embedded) -> GPUHost? {
        guard let kind = kind(f) else { return nil }
        var host = GPUHost(address: f.address, kind: kind)
        host.driver = f.driver
        if let id = f.deviceID {
            if kind == .intelIGPU { host.platform = knowledge?.platform(deviceID: id) }
            if let vendor = f.vendorID, kind != .intelIGPU { host.dataCenter = knowledge?.dataCenter(vendorID: vendor, deviceID: id) }
        }
        host.kernelRelease = KernelModules.kernelRelease(machine)
        if let driver = f.driver, driver == "i915" || driver == "xe" {
            host.readBuild(machine, driver)
            host.maxVFsParameter = machine.attribute("/sys/module/\(driver)/parameters/max_vfs").flatMap { Int($0) }
            if driver == "i915" { host.enableGuC = machine.attribute("/sys/module/i915/parameters/enable_guc").flatMap { Int($0) } }
        }
        if kind == .intelIGPU || kind == .intelDiscrete {
            host.readDKMSStatus(machine)
            host.secureBoot = readSecureBoot(machine)
        }
        host.readVFBARs(machine, f)
        if let knowledge, kind == .intelIGPU || kind == .intelDiscrete, case .success(let log) = KernelLog.read(machine) {
            host.logFindings = logFindings(log, address: f.address, knowledge: knowledge)
        }
        return host
    }

    mutating func readBuild(_ machine: Machine, _ driver: String) {
        if let result = try? machine.run(["modinfo", "-n", driver], timeout: 10), result.status == 0 {
            let path = result.stdoutText.trimmedSpace()
            if !path.isEmpty {
                buildEvidence.append(.record("modinfo -n \(driver): \(path)"))
                if path.contains("/" + GPUHost.dkmsDirectory + "/") { build = .dkms } else if path.hasPrefix("/") { build = .inTree }
            }
        }
        readModuleInfo(machine, driver)
        if build == .unknown, let release = kernelRelease, !release.contains("/") {
            for base in ["/lib/modules", "/usr/lib/modules"] {
                let dir = "\(base)/\(release)/\(GPUHost.dkmsDirectory)"
                guard let names = try? machine.list(dir) else { continue }
                if let file = names.first(where: { $0 == driver + ".ko" || $0.hasPrefix(driver + ".ko.") }) {
                    build = .dkms
                    buildEvidence.append(.fact("\(dir)/\(file)", en: "present", es: "presente"))
                }
            }
        }
        // Only the dkms i915 defines max_vfs (i915_params.c of i915-sriov-dkms); the in-tree
        // i915 logs "unknown parameter 'max_vfs' ignored".
        if driver == "i915" {
            let param = "/sys/module/i915/parameters/max_vfs"
            if machine.exists(param) {
                buildEvidence.append(.fact(param, en: "present (only the dkms i915 has it)", es: "presente (solo el i915 de dkms lo tiene)"))
                if build == .unknown { build = .dkms }
            } else if machine.isDirectory("/sys/module/i915/parameters") {
                buildEvidence.append(.fact(param, en: "absent (the in-tree i915 has no max_vfs)", es: "ausente (el i915 del kernel no tiene max_vfs)"))
                if build == .unknown { build = .inTree }
            }
        }
    }

    /// `modinfo i915`: `filename:`, `version:`, `signer:`, `parm:` lines (kmod's modinfo). Only
    /// the dkms i915 has the parameter max_vfs (i915_params.c of i915-sriov-dkms), so an
    /// `parm: max_vfs:` line tells the dkms build even when the module is not loaded.
    mutating func readModuleInfo(_ machine: Machine, _ driver: String) {
        guard let result = try? machine.run(["modinfo", driver], timeout: 10), result.status == 0 else { return }
        var fields: [String: [String]] = [:]
        for line in result.stdoutText.split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = String(line[..<colon]).trimmedSpace(), value = String(line[line.index(after: colon)...]).trimmedSpace()
            guard !key.isEmpty, !key.contains(" ") else { continue }
            fields[key, default: []].append(value)
        }
        guard let filename = fields["filename"]?.first else { return }
        let signer = fields["signer"]?.first
        moduleSigned = signer != nil || fields["sig_id"] != nil
        var line = Evidence.record("modinfo \(driver): \(filename)")
        if let version = fields["version"]?.first { line = line + Evidence(en: ", version \(version)", es: ", versión \(version)") }
        line = line + (signer.map { Evidence(en: ", signer: \($0)", es: ", firmante: \($0)") }
            ?? (moduleSigned == true ? Evidence(en: ", signed", es: ", firmado") : Evidence(en: ", not signed", es: ", sin firmar")))
        let maxVFs = driver == "i915" && (fields["parm"] ?? []).contains { $0.hasPrefix("max_vfs:") }
        if maxVFs { line = line + Evidence(en: ", has parameter max_vfs (only the dkms i915 has it)", es: ", tiene el parámetro max_vfs (solo el i915 de dkms lo tiene)") }
        buildEvidence.append(line)
        if build == .unknown {
            if filename.contains("/" + GPUHost.dkmsDirectory + "/") || maxVFs { build = .dkms } else if filename.hasPrefix("/") && driver == "i915" { build = .inTree }
        }
    }

    mutating func readDKMSStatus(_ machine: Machine) {
        guard let result = try? machine.run(["dkms", "status"], timeout: 30), result.status == 0 else { return }
        let lines = result.stdoutText.split(whereSeparator: \.isNewline).map(String.init)
            .filter { $0.contains("i915") || $0.contains("sriov") || $0.hasPrefix("xe") }
        dkmsStatus = lines
        if let release = kernelRelease {
            // `i915-sriov-dkms/2026.05.06, 6.17.2-1-pve, x86_64: installed`
            dkmsInstalledForKernel = lines.contains { $0.contains(", \(release),") && $0.hasSuffix("installed") }
        }
    }

    static func readSecureBoot(_ machine: Machine) -> Bool? {
        guard let result = try? machine.run(["mokutil", "--sb-state"], timeout: 10) else { return nil }
        let text = (result.stdoutText + result.stderrText).lowercased()
        if text.contains("secureboot enabled") { return true }
        if text.contains("secureboot disabled") || text.contains("not supported") { return false }
        return nil
    }

    /// PCI_SRIOV_BAR (capability + 0x24), six dwords; a 64-bit BAR uses two. A memory BAR
    /// whose address is 0 is unassigned (lspci: `Region 2: Memory at 0000000000000000`);
    /// sysfs `resource` lines 7-12 say the same from the kernel's side (start 0).
    mutating func readVFBARs(_ machine: Machine, _ f: PCIFunction) {
        guard let cap = f.sriov?.capability else { return }
        let dir = SysfsInventory.devicesPath + "/" + f.address.description
        var fromConfig: [Int]?
        if let bytes = try? machine.read(dir + "/config", limit: PCIRegister.extendedSize, overflow: .truncate),
           bytes.count >= Int(cap.offset) + 0x3c {
            let config = ConfigSpace(bytes)
            var list: [Int] = []
            var i = 0
            while i < 6 {
                guard let low = config.u32(Int(cap.offset) + 0x24 + 4 * i) else { break }
                let is64 = (low & 0x6) == 0x4
                var address = UInt64(low & ~0xf)
                if is64, i < 5, let high = config.u32(Int(cap.offset) + 0x24 + 4 * (i + 1)) { address |= UInt64(high) << 32 }
                let implemented = low != 0 || is64
                if implemented && address == 0 { list.append(i) }
                i += is64 ? 2 : 1
            }
            fromConfig = list
            let at = "\(dir)/config: SR-IOV VF BARs 0x\(hex(Int(cap.offset) + 0x24, 3))"
            vfBAREvidence.append(Evidence(
                en: "\(dir)/config: SR-IOV VF BARs at 0x\(hex(Int(cap.offset) + 0x24, 3)): " +
                    (list.isEmpty ? "assigned" : list.map { "VF BAR \($0) at address 0 (unassigned)" }.joined(separator: ", ")),
                es: at + ": " + (list.isEmpty ? "asignados" : list.map { "VF BAR \($0) en la dirección 0 (sin asignar)" }.joined(separator: ", "))))
        }
        if let text = try? machine.readText(dir + "/resource", limit: 8192) {
            let lines = text.split(whereSeparator: \.isNewline)
            var list: [Int] = []
            for (n, line) in lines.enumerated() where n >= 7 && n <= 12 {
                let fields = line.split(separator: " ").compactMap { UInt64($0.dropFirst(2), radix: 16) }
                guard fields.count == 3 else { continue }
                let (start, end, flags) = (fields[0], fields[1], fields[2])
                if flags != 0 && start == 0 && end != 0 { list.append(n - 7) }
            }
            if fromConfig == nil || !list.isEmpty {
                vfBAREvidence.append(Evidence(
                    en: "\(dir)/resource lines 8-13 (IOV BARs): " + (list.isEmpty ? "assigned" : list.map { "VF BAR \($0) start 0" }.joined(separator: ", ")),
                    es: "\(dir)/resource líneas 8-13 (IOV BARs): " + (list.isEmpty ? "asignados" : list.map { "VF BAR \($0) inicio 0" }.joined(separator: ", "))))
            }
            for i in list where !(fromConfig ?? []).contains(i) { fromConfig = (fromConfig ?? []) + [i] }
        }
        unassignedVFBARs = (fromConfig ?? []).sorted()
    }

    /// The kernel parameters the bound driver needs for VFs (gpu.json `kernelParameters`),
    /// with `{device}` filled in.
    public static func parameters(driver: String, deviceID: UInt16?, knowledge: GPUKnowledge) -> [String] {
        let set = driver == "xe" ? knowledge.kernelParameters.xe : knowledge.kernelParameters.i915
        return set.parameters.map { $0.replacingOccurrences(of: "{device}", with: deviceID.map { hex($0, 4) } ?? "") }
    }

    /// Lines of the i915/xe driver (or naming the PF) that match a signature, at most 12.
    public static func logFindings(_ log: KernelLog, address: PCIAddress, knowledge: GPUKnowledge) -> [LogFinding] {
        var found: [LogFinding] = []
        for line in log.lines where line.hasPrefix("i915") || line.hasPrefix("xe ") || line.hasPrefix("xe:") || line.contains(address.description) {
            if let signature = knowledge.signature(matching: line) { found.append(LogFinding(line: line, signature: signature)) }
            if found.count == 12 { break }
        }
        return found
    }
}

extension GPUHost {
    /// Config space and resources are the inventory's; the dkms modules by name only.
    public static let reads = HostReads("GPUHost", paths: [
        .file("/sys/module/{module}/parameters/*", limit: 64 * 1024),
        .nameOnly("/lib/modules/{release}/" + dkmsDirectory + "/*"), .nameOnly("/usr/lib/modules/{release}/" + dkmsDirectory + "/*"),
    ], commands: commands)
}
