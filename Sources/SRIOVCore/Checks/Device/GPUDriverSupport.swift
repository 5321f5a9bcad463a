import HostAccess

/// The `driver-support` verdict for GPUs (called by `DriverSupportCheck`): the Intel iGPU
/// with the in-tree or the i915-sriov-dkms / xe driver, Intel data-center GPUs, NVIDIA vGPU
/// and AMD MxGPU. Facts come from `GPUHost` (read through Machine) and gpu.json.
enum GPUDriverSupport {
    static let nvidiaSRIOVManage = "/usr/lib/nvidia/sriov-manage"
    static let dkmsReleases = "https://github.com/strongtz/i915-sriov-dkms/releases"

    /// nil when the PF is not a GPU the wizard knows about (the generic path applies).
    static func check(_ f: PCIFunction, _ context: CheckContext) -> CheckResult? {
        if let driver = f.driver, DriverSupportCheck.passthroughDrivers.contains(driver) { return nil }
        // Not a GPU: nil before gpu.json is decoded (its decoding was 10% of `check` on a NIC host).
        guard GPUHost.kind(f) != nil, let gpuKnowledge = context.knowledge.gpu, let gpu = GPUHost.read(context.machine, f, knowledge: gpuKnowledge) else { return nil }
        switch gpu.kind {
        case .intelIGPU: return igpu(f, gpu, gpuKnowledge, context)
        case .nvidia: return nvidia(f, gpu, gpuKnowledge.nvidia, context)
        case .amd: return amd(f, gpu, context)
        case .intelDiscrete: return gpu.dataCenter.map { discrete(f, gpu, $0) }
        }
    }

    static func result(_ level: CheckLevel, _ summary: LocalizedText, evidence: [Evidence], hint: LocalizedText = .none, device: PCIAddress) -> CheckResult {
        DriverSupportCheck.result(level, summary, evidence: evidence, hint: hint, device: device)
    }

    /// `i915-sriov-dkms 2026.05.06 (kernels 6.17-7.0)` install steps for this kernel; the
    /// wizard downloads nothing.
    static func installSteps(_ gpu: GPUHost, _ k: GPUKnowledge) -> LocalizedText {
        let release = gpu.kernelRelease ?? "$(uname -r)"
        let pve = release.hasSuffix("-pve")
        let headers = pve ? "proxmox-headers-\(release)" : "linux-headers-\(release)"
        guard let match = gpu.kernelRelease.flatMap({ k.dkmsRelease(forKernel: $0) }) else {
            let table = k.dkmsReleases.map { "\($0.release): \($0.kernelFrom)-\($0.kernelTo)" }.joined(separator: "; ")
            return LocalizedText(
                en: "No i915-sriov-dkms release in the wizard's table covers kernel \(release) (\(table)): install a kernel in one of those ranges (or pin one with `proxmox-boot-tool kernel pin`), then install the matching release.",
                es: "Ninguna versión de i915-sriov-dkms de la tabla del asistente cubre el kernel \(release) (\(table)): instale un kernel de uno de esos rangos (o fíjelo con `proxmox-boot-tool kernel pin`) y después la versión correspondiente.")
        }
        let source = match.branch == true ? "the branch \(match.release) of https://github.com/strongtz/i915-sriov-dkms (`dkms add .` in a clone)"
            : "the .deb of release \(match.release) from \(dkmsReleases)/tag/\(match.release) (`dpkg -i` it)"
        let sourceES = match.branch == true ? "la rama \(match.release) de https://github.com/strongtz/i915-sriov-dkms (`dkms add .` en un clon)"
            : "el .deb de la versión \(match.release) de \(dkmsReleases)/tag/\(match.release) (instálelo con `dpkg -i`)"
        return LocalizedText(
            en: "Install i915-sriov-dkms \(match.release) (for kernels \(match.kernelFrom)-\(match.kernelTo); this one is \(release)): `apt install build-essential dkms \(headers)`, then \(source). Check with `dkms status` (it must list \(release): installed), add the kernel parameters with `sriov-wizard apply --igpu`, then `update-initramfs -u -k all` and reboot.",
            es: "Instale i915-sriov-dkms \(match.release) (para kernels \(match.kernelFrom)-\(match.kernelTo); este es \(release)): `apt install build-essential dkms \(headers)` y después \(sourceES). Compruebe con `dkms status` (debe mostrar \(release): installed), añada los parámetros del kernel con `sriov-wizard apply --igpu`, después `update-initramfs -u -k all` y reinicie.")
    }

    static func igpu(_ f: PCIFunction, _ gpu: GPUHost, _ k: GPUKnowledge, _ context: CheckContext) -> CheckResult? {
        guard let driver = f.driver else { return nil }
        let label = TargetDevice.label(f)
        var evidence = [TargetDevice.driverEvidence(f)]
        let id = f.deviceID.map { hex($0, 4) } ?? "?"
        guard let platform = gpu.platform else {
            let table = "(\(k.idTables.first?.file ?? "pciids.h") @ \(k.idTables.first?.commit.prefix(12) ?? ""))"
            evidence.append(Evidence(en: "knowledge: Intel iGPU 8086:\(id) is not among the SR-IOV platforms \(table)",
                                     es: "knowledge: el iGPU Intel 8086:\(id) no está entre las plataformas SR-IOV \(table)"))
            return result(.fail, LocalizedText(
                en: "\(label): this Intel iGPU (device \(id)) is not a platform with graphics SR-IOV; SR-IOV starts with 11th gen Tiger Lake (older ones have GVT-g at most).",
                es: "\(label): este iGPU de Intel (dispositivo \(id)) no es una plataforma con SR-IOV gráfico; SR-IOV empieza con la 11.ª gen Tiger Lake (las anteriores tienen como mucho GVT-g)."),
                evidence: evidence,
                hint: LocalizedText(
                    en: "Pass the whole iGPU to one VM (PCI passthrough or GVT-g on 5th-10th gen), or use a device with SR-IOV.",
                    es: "Pase el iGPU entero a una VM (passthrough PCI o GVT-g en 5.ª-10.ª gen), o use un dispositivo con SR-IOV."),
                device: f.address)
        }
        func yes(_ b: Bool, _ es: Bool) -> String { b ? (es ? "sí" : "yes") : "no" }
        let file = k.idTables.first?.file ?? "pciids.h"
        evidence.append(Evidence(
            en: "knowledge: 8086:\(id) = \(platform.name) (\(platform.generation)), \(platform.idTable) in \(file); SR-IOV: dkms i915 \(yes(platform.i915DkmsSRIOV, false)), dkms xe \(yes(platform.xeDkmsSRIOV, false)), in-tree \(platform.inTreeSRIOV.rawValue)",
            es: "knowledge: 8086:\(id) = \(platform.name) (\(platform.generation)), \(platform.idTable) en \(file); SR-IOV: dkms i915 \(yes(platform.i915DkmsSRIOV, true)), dkms xe \(yes(platform.xeDkmsSRIOV, true)), en el kernel \(platform.inTreeSRIOV.rawValue == "none" ? "ninguno" : platform.inTreeSRIOV.rawValue)"))
        evidence += gpu.buildEvidence
        if let status = gpu.dkmsStatus {
            evidence.append(status.isEmpty ? .fact("dkms status", en: "no i915-sriov entry", es: "ninguna entrada i915-sriov") : Evidence(en: "dkms status: " + status.joined(separator: " | "), es: "`dkms status`: «" + status.joined(separator: " | ") + "»"))
        }
        if let sb = gpu.secureBoot {
            evidence.append(Evidence(en: "mokutil --sb-state: SecureBoot \(sb ? "enabled" : "disabled")", es: "`mokutil --sb-state`: «SecureBoot \(sb ? "enabled" : "disabled")»"))
        }
        if let maxVFs = gpu.maxVFsParameter { evidence.append(.record("/sys/module/\(driver)/parameters/max_vfs: \(maxVFs)")) }
        if let guc = gpu.enableGuC { evidence.append(.record("/sys/module/i915/parameters/enable_guc: \(guc)")) }
        let params = GPUHost.parameters(driver: driver == "xe" ? "xe" : "i915", deviceID: f.deviceID, knowledge: k).joined(separator: " ")
        for finding in gpu.logFindings {
            evidence.append(Evidence(en: "dmesg: \(finding.line) — \(finding.signature.meaning.en)", es: "dmesg: \(finding.line) — \(finding.signature.meaning.es)"))
        }

        guard platform.sriovPossible else {
            return result(.fail, LocalizedText(
                en: "\(label): \(platform.name) has no graphics SR-IOV in any driver.",
                es: "\(label): \(platform.name) no tiene SR-IOV gráfico en ningún controlador."),
                evidence: evidence, hint: platform.notes.localized, device: f.address)
        }
        let inTreeCan = (platform.inTreeSRIOV == .xe && driver == "xe") || (platform.inTreeSRIOV == .i915 && driver == "i915")
        if gpu.build == .dkms || inTreeCan {
            let dkmsCan = driver == "xe" ? platform.xeDkmsSRIOV : platform.i915DkmsSRIOV
            if !dkmsCan && !inTreeCan {
                let other = driver == "xe" ? "i915" : "xe"
                return result(.fail, LocalizedText(
                    en: "\(label): the dkms \(driver) cannot make VFs on \(platform.name); the dkms \(other) can.",
                    es: "\(label): el \(driver) de dkms no puede crear VFs en \(platform.name); el \(other) de dkms sí."),
                    evidence: evidence,
                    hint: LocalizedText(en: platform.notes.en + " Then `sriov-wizard apply --igpu`.", es: platform.notes.es + " Después `sriov-wizard apply --igpu`."),
                    device: f.address)
            }
            if driver == "i915", (gpu.maxVFsParameter ?? 0) == 0 {
                return result(.warn, LocalizedText(
                    en: "\(label): the dkms i915 is loaded on \(platform.name), but i915.max_vfs is 0, so it stays native and makes no VFs.",
                    es: "\(label): el i915 de dkms está cargado en \(platform.name), pero i915.max_vfs es 0, así que queda en modo nativo y no crea VFs."),
                    evidence: evidence,
                    hint: LocalizedText(
                        en: "Add `\(params)` to the kernel command line: `sriov-wizard apply --igpu` (dry run first), then reboot.",
                        es: "Añada `\(params)` a la línea de comandos del kernel: `sriov-wizard apply --igpu` (primero en prueba) y reinicie."),
                    device: f.address)
            }
            // A failure signature in the kernel log outweighs the configuration (e.g. ENOMEM
            // when the VFs were enabled, an old enable_guc=7).
            if let bad = gpu.logFindings.first(where: { $0.signature.level == .fail }), let hint = bad.signature.hint {
                return result(.warn, LocalizedText(
                    en: "\(label): \(platform.name) with the \(driver) driver that can make VFs, but the kernel log says: \(bad.signature.meaning.en)",
                    es: "\(label): \(platform.name) con el controlador \(driver) que puede crear VFs, pero el registro del kernel dice: \(bad.signature.meaning.es)"),
                    evidence: evidence, hint: hint.localized, device: f.address)
            }
            let how = inTreeCan && gpu.build != .dkms ? "the in-tree \(driver)" : "the dkms \(driver)"
            let howES = inTreeCan && gpu.build != .dkms ? "el \(driver) del kernel" : "el \(driver) de dkms"
            return result(.pass, LocalizedText(
                en: "\(label): \(platform.name) with \(how), which makes VFs through sysfs sriov_numvfs (up to \(platform.maxVFs)); hosts' VFs go to vfio-pci, guests need the same dkms module (Linux) or Intel's graphics driver (Windows).",
                es: "\(label): \(platform.name) con \(howES), que crea VFs por sysfs sriov_numvfs (hasta \(platform.maxVFs)); en el host las VFs van a vfio-pci, los invitados necesitan el mismo módulo dkms (Linux) o el controlador gráfico de Intel (Windows)."),
                evidence: evidence, device: f.address)
        }
        // The in-tree driver (or one the wizard cannot place) on a platform it has no SR-IOV for.
        var hint = installSteps(gpu, k)
        if gpu.secureBoot == true, gpu.dkmsInstalledForKernel == true {
            let steps = k.secureBoot.steps.joined(separator: "`, `")
            // modinfo of the module file says whether dkms signed it at all.
            let unsigned = gpu.moduleSigned == false
            hint = LocalizedText(
                en: "The dkms module is built for this kernel but not loaded: Secure Boot is on and " + (unsigned ? "modinfo shows the module is not signed (dkms signs it only when its key exists: `dkms autoinstall` after creating it), and the dkms key must be enrolled: " : "the module is signed with the dkms key, which must be enrolled: ") + "`\(steps)`. Then check `dmesg | grep -i i915`.",
                es: "El módulo dkms está compilado para este kernel pero no cargado: Secure Boot está activo y " + (unsigned ? "modinfo muestra que el módulo no está firmado (dkms solo lo firma si existe su clave: `dkms autoinstall` tras crearla), y hay que inscribir la clave de dkms: " : "el módulo se firma con la clave de dkms, que hay que inscribir: ") + "`\(steps)`. Después revise `dmesg | grep -i i915`.")
        } else if gpu.secureBoot == true {
            hint = LocalizedText(
                en: hint.en + " Secure Boot is on: after installing, enroll the dkms signing key (`\(k.secureBoot.steps.joined(separator: "`, `"))`).",
                es: hint.es + " Secure Boot está activo: tras instalar, inscriba la clave de firma de dkms (`\(k.secureBoot.steps.joined(separator: "`, `"))`).")
        }
        let unknown = gpu.build == .unknown
        return result(.fail, LocalizedText(
            en: unknown ? "\(label): \(platform.name) needs the i915-sriov-dkms module for VFs, and the loaded \(driver) could not be shown to be the dkms build."
                        : "\(label): the loaded \(driver) is the in-tree driver, which cannot make VFs on \(platform.name); the i915-sriov-dkms module is needed.",
            es: unknown ? "\(label): \(platform.name) necesita el módulo i915-sriov-dkms para las VFs, y no se pudo comprobar que el \(driver) cargado sea el de dkms."
                        : "\(label): el \(driver) cargado es el del kernel, que no puede crear VFs en \(platform.name); hace falta el módulo i915-sriov-dkms."),
            evidence: evidence, hint: hint, device: f.address)
    }

    /// NVIDIA vGPU: the words are gpu.json `nvidia` (what SR-IOV needs, how a VF reaches a VM).
    static func nvidia(_ f: PCIFunction, _ gpu: GPUHost, _ text: GPUKnowledge.NVIDIAVGPU, _ context: CheckContext) -> CheckResult {
        let label = TargetDevice.label(f)
        var evidence = [TargetDevice.driverEvidence(f)]
        let info = gpu.dataCenter
        if let info { evidence.append(Evidence(en: "knowledge: \(info.name): \(info.method.en)", es: "knowledge: \(info.name): \(info.method.es)")) }
        let manage = nvidiaSRIOVManage
        evidence.append(context.machine.exists(manage) ? .fact(manage, en: "present", es: "presente") : .fact(manage, en: "absent", es: "ausente"))
        guard f.driver == "nvidia" else {
            return result(.warn, LocalizedText(en: "\(label): " + text.driverMissing.en, es: "\(label): " + text.driverMissing.es),
                          evidence: evidence, hint: text.driverMissingHint.localized, device: f.address)
        }
        evidence.append(Evidence(en: "knowledge: gpu.json nvidia (\(text.sources.count) sources, checked \(text.checked))",
                                 es: "knowledge: gpu.json nvidia (\(text.sources.count) fuentes, revisado \(text.checked))"))
        return result(.note, LocalizedText(en: "\(label): " + text.vgpu.en, es: "\(label): " + text.vgpu.es),
                      evidence: evidence, hint: text.passthrough.localized, device: f.address)
    }

    static func amd(_ f: PCIFunction, _ gpu: GPUHost, _ context: CheckContext) -> CheckResult {
        var evidence = [TargetDevice.driverEvidence(f)]
        if let info = gpu.dataCenter { evidence.append(.record("knowledge: \(info.name)")) }
        return result(.warn, LocalizedText(
            en: "\(TargetDevice.label(f)): AMD MxGPU VFs are made by AMD's GIM host driver, which AMD supports on Ubuntu/RHEL hosts only: Proxmox VE and Debian are not supported by AMD.",
            es: "\(TargetDevice.label(f)): las VFs de AMD MxGPU las crea el controlador de host GIM de AMD, que AMD solo admite en hosts Ubuntu/RHEL: AMD no admite Proxmox VE ni Debian."),
            evidence: evidence,
            hint: LocalizedText(
                en: "See https://github.com/amd/MxGPU-Virtualization for the supported GPUs (Instinct MI210X-MI355X, Radeon PRO V710; FirePro S7150 with the old GIM) and host systems.",
                es: "Vea https://github.com/amd/MxGPU-Virtualization para las GPU (Instinct MI210X-MI355X, Radeon PRO V710; FirePro S7150 con el GIM antiguo) y sistemas host soportados."),
            device: f.address)
    }

    static func discrete(_ f: PCIFunction, _ gpu: GPUHost, _ info: GPUKnowledge.DataCenterGPU) -> CheckResult {
        var evidence = [TargetDevice.driverEvidence(f), .record("knowledge: \(info.name)")]
        if let total = info.totalVFs { evidence.append(.record("knowledge: Total VFs \(total)")) }
        return result(.note, LocalizedText(
            en: "\(TargetDevice.label(f)): \(info.name): \(info.method.en)",
            es: "\(TargetDevice.label(f)): \(info.name): \(info.method.es)"),
            evidence: evidence, device: f.address)
    }
}

extension GPUDriverSupport {
    /// NVIDIA's sriov-manage by name only (whether it is installed).
    static let reads = HostReads("GPUDriverSupport", paths: [.nameOnly(nvidiaSRIOVManage)])
}
