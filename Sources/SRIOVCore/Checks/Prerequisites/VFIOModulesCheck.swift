/// `vfio-modules`: the VFIO modules that hand a device to a VM (Documentation/driver-api/vfio.rst):
/// vfio, vfio_pci and vfio_iommu_type1, each loaded now (/proc/modules, /sys/module/<name>),
/// built into the kernel (/lib/modules/<release>/modules.builtin), or listed to load at boot
/// (/etc/modules, modules-load.d(5)). Before 6.2 vfio_virqfd was a module of its own; since 6.2
/// it is part of vfio. vfio_iommu_type1 may be replaced by iommufd's compatibility container.
public enum VFIOModulesCheck: Check {
    public static let id = "vfio-modules"
    public static let stage = StageID.prerequisites

    public static func run(_ context: CheckContext) -> [CheckResult] {
        let machine = context.machine
        let modules = KernelModules.read(machine)
        let version = modules.release.flatMap(KernelModules.version)
        let virqfdMerged = version.map { $0 >= (6, 2) } ?? true
        let required = VFIOModulesPlanner.required(modules)

        var evidence: [Evidence] = []
        evidence.append(Evidence(en: "kernel release: " + (modules.release ?? "unknown (no /proc/sys/kernel/osrelease, no recorded `uname -r`)"),
                                 es: "versión del kernel: " + (modules.release ?? "desconocida (no hay /proc/sys/kernel/osrelease ni `uname -r` grabado)")))
        evidence.append(modules.loaded == nil ? .notReadable(KernelModules.procPath) : .fact(KernelModules.procPath, en: "read", es: "leído"))
        let builtinPath = modules.builtinPath ?? "modules.builtin"
        evidence.append(modules.builtin == nil ? .notReadable(builtinPath) : .fact(builtinPath, en: "read", es: "leído"))

        func presentNow(_ name: String) -> Bool {
            modules.isLoaded(name) || modules.isBuiltin(name) || machine.isDirectory("/sys/module/" + name)
        }
        var missingNow: [String] = []
        var notAtBoot: [String] = []
        var usesIOMMUFD = false
        for name in required {
            var states: [Evidence] = []
            if modules.isLoaded(name) { states.append(Evidence(en: "loaded", es: "cargado")) }
            if modules.isBuiltin(name) { states.append(Evidence(en: "built in", es: "integrado en el kernel")) }
            if states.isEmpty, machine.isDirectory("/sys/module/" + name) { states.append(Evidence(en: "present in /sys/module", es: "presente en /sys/module")) }
            if let at = modules.configuredAt(name) { states.append(Evidence(en: "listed at \(at)", es: "indicado en \(at)")) }
            var present = presentNow(name)
            var atBoot = modules.isBuiltin(name) || modules.configuredAt(name) != nil
            if name == "vfio_iommu_type1", !present, presentNow("iommufd") {
                // CONFIG_IOMMUFD_VFIO_CONTAINER: iommufd serves the type1 container interface.
                usesIOMMUFD = true
                present = true
                atBoot = atBoot || modules.isBuiltin("iommufd") || modules.configuredAt("iommufd") != nil
                states.append(Evidence(en: "replaced by iommufd", es: "sustituido por iommufd"))
            }
            if states.isEmpty {
                states = [modules.loaded == nil ? Evidence(en: "whether loaded is unknown", es: "no se sabe si está cargado") : Evidence(en: "not loaded", es: "no cargado"),
                          modules.builtin == nil ? Evidence(en: "whether built in is unknown", es: "no se sabe si está integrado") : Evidence(en: "not built in", es: "no integrado"),
                          Evidence(en: "not listed for boot", es: "no indicado para el arranque")]
            }
            evidence.append(.fact(name, en: states.text(.en).joined(separator: ", "), es: states.text(.es).joined(separator: ", ")))
            if !present { missingNow.append(name) }
            if !atBoot { notAtBoot.append(name) }
        }
        if virqfdMerged, let at = modules.configuredAt("vfio_virqfd") {
            evidence.append(.fact("vfio_virqfd", en: "listed at \(at), but since kernel 6.2 it is part of vfio; the line can be removed (systemd-modules-load logs a failure for it)",
                                  es: "indicado en \(at), pero desde el kernel 6.2 forma parte de vfio; la línea se puede quitar (systemd-modules-load registra un fallo por ella)"))
        }

        // What `apply --vfio` writes, from its planner.
        // Planned only where a hint needs it.
        var addHint: LocalizedText {
            if let remedy = try? VFIOModulesPlanner.remedy(context: context), !remedy.isEmpty { return remedy.hint }
            return LocalizedText(en: "`sriov-wizard apply --vfio --dry-run` shows the change that loads them at boot.",
                                 es: "`sriov-wizard apply --vfio --dry-run` muestra el cambio que los carga al arrancar.")
        }
        let iommufdNote = usesIOMMUFD ? " (vfio_iommu_type1 is served by iommufd)" : ""
        let iommufdNoteES = usesIOMMUFD ? " (iommufd hace de vfio_iommu_type1)" : ""

        if modules.loaded == nil && modules.builtin == nil {
            // Nothing known about the running kernel: judge the boot configuration only.
            if notAtBoot.isEmpty {
                return [result(.note, LocalizedText(
                    en: "The VFIO modules are listed to load at boot; whether they are loaded now cannot be read.",
                    es: "Los módulos VFIO están configurados para cargarse al arrancar; no se puede leer si están cargados ahora."),
                    evidence: evidence)]
            }
        }
        if missingNow.isEmpty && notAtBoot.isEmpty {
            return [result(.pass, LocalizedText(
                en: "The VFIO modules are available now and at boot\(iommufdNote).",
                es: "Los módulos VFIO están disponibles ahora y al arrancar\(iommufdNoteES)."), evidence: evidence)]
        }
        if missingNow.isEmpty {
            return [result(.note, LocalizedText(
                en: "The VFIO modules are loaded now\(iommufdNote), but \(notAtBoot.joined(separator: ", ")) \(notAtBoot.count == 1 ? "is" : "are") not listed to load at boot.",
                es: "Los módulos VFIO están cargados ahora\(iommufdNoteES), pero \(notAtBoot.joined(separator: ", ")) no \(notAtBoot.count == 1 ? "está configurado" : "están configurados") para cargarse al arrancar."),
                evidence: evidence, hint: addHint)]
        }
        if notAtBoot.isEmpty {
            return [result(.note, LocalizedText(
                en: missingNow.count == 1
                    ? "\(missingNow[0]) is listed to load at boot but not loaded now: it will be after a reboot."
                    : "\(missingNow.joined(separator: ", ")) are listed to load at boot but not loaded now: they will be after a reboot.",
                es: missingNow.count == 1
                    ? "\(missingNow[0]) está configurado para cargarse al arrancar pero no está cargado ahora: lo estará tras reiniciar."
                    : "\(missingNow.joined(separator: ", ")) están configurados para cargarse al arrancar pero no están cargados ahora: lo estarán tras reiniciar."),
                evidence: evidence,
                hint: LocalizedText(
                    en: missingNow.count == 1
                        ? "Reboot, or load it now with `modprobe -a \(missingNow[0])`; if it is still missing after a reboot, run `update-initramfs -u -k all`."
                        : "Reboot, or load them now with `modprobe -a \(missingNow.joined(separator: " "))`; if they are still missing after a reboot, run `update-initramfs -u -k all`.",
                    es: missingNow.count == 1
                        ? "Reinicie, o cárguelo ya con `modprobe -a \(missingNow[0])`; si tras reiniciar sigue sin estar, ejecute `update-initramfs -u -k all`."
                        : "Reinicie, o cárguelos ya con `modprobe -a \(missingNow.joined(separator: " "))`; si tras reiniciar siguen sin estar, ejecute `update-initramfs -u -k all`."))]
        }
        let absent = missingNow.filter { notAtBoot.contains($0) }
        if absent.isEmpty {
            // Some are missing now but will load at boot, others are loaded but not listed.
            return [result(.note, LocalizedText(
                en: "Not loaded now: \(missingNow.joined(separator: ", ")); not listed to load at boot: \(notAtBoot.joined(separator: ", ")).",
                es: "No cargados ahora: \(missingNow.joined(separator: ", ")); no configurados para cargarse al arrancar: \(notAtBoot.joined(separator: ", "))."),
                evidence: evidence, hint: addHint)]
        }
        if modules.loaded == nil {
            return [result(.warn, LocalizedText(
                en: "\(absent.joined(separator: ", ")) \(absent.count == 1 ? "is" : "are") not listed to load at boot (whether loaded now cannot be read: \(KernelModules.procPath)).",
                es: "\(absent.joined(separator: ", ")) no \(absent.count == 1 ? "está configurado" : "están configurados") para cargarse al arrancar (no se puede leer si están cargados ahora: \(KernelModules.procPath))."),
                evidence: evidence, hint: addHint)]
        }
        return [result(.warn, LocalizedText(
            en: "VFIO modules missing: \(absent.joined(separator: ", ")) \(absent.count == 1 ? "is" : "are") neither loaded, built in, nor listed to load at boot.",
            es: "Faltan módulos VFIO: \(absent.joined(separator: ", ")) no \(absent.count == 1 ? "está cargado" : "están cargados"), ni \(absent.count == 1 ? "integrado" : "integrados") en el kernel, ni \(absent.count == 1 ? "configurado" : "configurados") para cargarse al arrancar."),
            evidence: evidence, hint: addHint)]
    }
}

extension VFIOModulesCheck {
    /// A module without a `/sys/module` entry is not loaded (nor built in with parameters).
    public static let reads = HostReads("VFIOModulesCheck", paths: [.directory("/sys/module/{module}")])
}
