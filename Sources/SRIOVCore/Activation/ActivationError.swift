import HostAccess

/// Why a plan (or a rollback's plan) cannot be made: what was found, as values. Its words,
/// which say what to do, are here and nowhere else, in every language (`text`).
public enum ActivationError: Error, Sendable, Equatable, CustomStringConvertible {
    // Reading what the plan starts from.
    case unreadable(path: String, HostAccessError)

    // VFs (`--device ADDR --vfs N`, VFPlanner).
    case noSuchFunction(PCIAddress)
    case vfGivenForPF(PCIAddress, pf: PCIAddress)
    case noSRIOVCapability(PCIAddress)
    case negativeVFCount(Int)
    case tooManyVFs(PCIAddress, total: Int, inConfig: String, asked: Int)
    case noPFDriver(PCIAddress)
    case macsNeedUdevRule
    case driverNotAModuleName(PCIAddress, driver: String)
    case noVFModuleOption(driver: String)
    case noNetworkInterface(PCIAddress)
    case interfaceNameNotPlain(PCIAddress, netdev: String)

    // Passthrough (`--passthrough VMID`, PassthroughPlanner).
    case invalidVMID(String)
    case noSuchVM(String, configPath: String)
    case noFreeHostPCISlot(String, slots: Int)
    case notAPF(PCIAddress)
    case autoNeedsDevice(pfsWithVFs: [PCIAddress])
    case autoPFHasNoVFs(PCIAddress)
    case autoEveryVFInUse(PCIAddress, vfs: Int)
    case vfPassedToOtherVM(PCIAddress, vmid: String, location: ConfigLocation, text: String)
    case vfInMapping(PCIAddress, mapping: String, location: ConfigLocation, vmid: String)
    case noSuchMapping(String)
    case wholeSlot(String, pf: PCIAddress, example: PCIAddress)
    case vfNotAnAddress(String)
    case noSuchVF(PCIAddress)
    case gpuPFGivenForVF(PCIAddress, example: PCIAddress?)
    case notAVF(PCIAddress, isPF: Bool)

    // Resource mappings (`--mapping NAME --device PF`, MappingPlanner).
    case invalidMappingName(String)
    case nothingToMap(PCIAddress)
    case noNodeName
    case mappingExists(String, location: ConfigLocation, missing: [PCIAddress])
    case vfIDsUnreadable(PCIAddress)
    case everyVFMapped(PCIAddress, skipped: [String])

    // The kernel command line (`--iommu`, `--igpu`, KernelCmdlinePlanner).
    case grubQuoting(ConfigLocation, name: String, add: [String])
    case grubMixedQuotes(ConfigLocation, name: String, raw: String, add: [String], remove: [String])
    case noIntelIGPU
    case noGPUKnowledge
    case notAnIGPUDriver(String)
    case noGraphicsSRIOV(platform: String)
    case unknownIGPU(deviceID: String)
    case kernelCmdlineMissing(path: String)
    case grubDefaultsMissing
    case unknownBootLoader(BootLoaderDetection, add: String)

    // Rollback of a journal (Rollback).
    case journalUnreadable(id: String, HostAccessError)
    case notWrittenByApply(id: String, refusals: [String])
    case alreadyRolledBack(id: String, at: String?)
    case unsafeRollback(id: String, conflicts: [LocalizedText])

    /// The English message.
    public var message: String { text.en }
    public func message(_ language: Language) -> String { text.text(language) }
    public var description: String { text.en }

    /// What went wrong and what to do, in every language.
    public var text: LocalizedText {
        func t(_ en: String, _ es: String) -> LocalizedText { LocalizedText(en: en, es: es) }
        switch self {
        case .unreadable(let path, let error):
            return t("cannot read \(path): \(error.description)", "no se puede leer \(path): \(error.spanishDescription)")

        case .noSuchFunction(let device):
            return t("\(device): no such PCI function; `sriov-wizard devices` lists the SR-IOV devices.",
                     "\(device): no existe esa función PCI; `sriov-wizard devices` lista los dispositivos SR-IOV.")
        case .vfGivenForPF(let device, let pf):
            return t("\(device) is a VF of \(pf); give the PF: --device \(pf).", "\(device) es una VF de \(pf); indique la PF: --device \(pf).")
        case .noSRIOVCapability(let device):
            return t("\(device) has no SR-IOV capability; `sriov-wizard devices` lists the SR-IOV devices.",
                     "\(device) no tiene capacidad SR-IOV; `sriov-wizard devices` lista los dispositivos SR-IOV.")
        case .negativeVFCount(let count):
            return t("--vfs \(count): the number of VFs cannot be negative.", "--vfs \(count): el número de VFs no puede ser negativo.")
        case .tooManyVFs(let device, let total, let inConfig, let count):
            return t("\(device) allows at most \(total) VFs (sriov_totalvfs; the driver may allow fewer than the \(inConfig) in config space); asked for \(count). Use --vfs \(total) or less.",
                     "\(device) admite como mucho \(total) VFs (sriov_totalvfs; el controlador puede admitir menos que las \(inConfig) del espacio de configuración); se pidieron \(count). Use --vfs \(total) o menos.")
        case .noPFDriver(let device):
            return t("\(device) has no driver bound, so the kernel cannot create VFs (sriov_numvfs needs the PF driver); load the driver first (see `sriov-wizard check --device \(device)`).",
                     "\(device) no tiene controlador asociado, así que el kernel no puede crear VFs (sriov_numvfs necesita el controlador de la PF); cargue antes el controlador (vea `sriov-wizard check --device \(device)`).")
        case .macsNeedUdevRule:
            return t("--vf-mac auto is persisted in the udev rule of --method sysfs; use --method sysfs (or auto) with it.",
                     "--vf-mac auto se guarda en la regla udev de --method sysfs; úselo con --method sysfs (o auto).")
        case .driverNotAModuleName(let device, let driver):
            let quoted = VFPlanner.quoted(driver)
            return t("\(device)'s driver is named \(quoted), which is not a kernel module name; --method modprobe would write it into /etc/modprobe.d. Use --method sysfs.",
                     "el controlador de \(device) se llama \(quoted), que no es un nombre de módulo del kernel; --method modprobe lo escribiría en /etc/modprobe.d. Use --method sysfs.")
        case .noVFModuleOption(let driver):
            return t("\(driver) has no module option that creates VFs; use --method sysfs (the kernel's standard way).",
                     "\(driver) no tiene ninguna opción de módulo que cree VFs; use --method sysfs (la forma estándar del kernel).")
        case .noNetworkInterface(let pf):
            return t("\(pf) has no network interface, so its VFs' MACs cannot be set with `ip link set DEV vf N mac`; drop --vf-mac.",
                     "\(pf) no tiene interfaz de red, así que las MACs de sus VFs no se pueden fijar con `ip link set DEV vf N mac`; quite --vf-mac.")
        case .interfaceNameNotPlain(let pf, let netdev):
            let quoted = VFPlanner.quoted(netdev)
            return t("\(pf)'s interface is named \(quoted); --vf-mac writes that name into a udev rule, where udev would read `$`, `%`, quotes or blanks in it as syntax. Rename the interface (letters, digits, `_`, `-`, `.`; at most 15) or drop --vf-mac.",
                     "la interfaz de \(pf) se llama \(quoted); --vf-mac escribe ese nombre en una regla udev, donde udev leería `$`, `%`, comillas o espacios como sintaxis. Cambie el nombre de la interfaz (letras, dígitos, `_`, `-`, `.`; 15 como mucho) o quite --vf-mac.")

        case .invalidVMID(let vmid):
            return t("--passthrough \(vmid): a VM id is a number (e.g. 100); `qm list` shows them.",
                     "--passthrough \(vmid): el id de una VM es un número (p. ej. 100); `qm list` los muestra.")
        case .noSuchVM(let vmid, let configPath):
            return t("VM \(vmid) does not exist here (\(configPath) not found); `qm list` shows the VMs of this node.",
                     "la VM \(vmid) no existe aquí (no se encuentra \(configPath)); `qm list` muestra las VMs de este nodo.")
        case .noFreeHostPCISlot(let vmid, let slots):
            return t("VM \(vmid) has no free hostpci slot (hostpci0..\(slots - 1) are used).",
                     "la VM \(vmid) no tiene ninguna ranura hostpci libre (hostpci0..\(slots - 1) están en uso).")
        case .notAPF(let device):
            return t("--device \(device) is not an SR-IOV PF here (`sriov-wizard devices` lists them).",
                     "--device \(device) no es una PF SR-IOV aquí (`sriov-wizard devices` las lista).")
        case .autoNeedsDevice(let pfs):
            let list = pfs.map(\.description).joined(separator: ", ")
            return t("--vf auto: give the PF with --device ADDR (\(pfs.isEmpty ? "no PF has VFs" : "PFs with VFs: " + list)).",
                     "--vf auto: indique la PF con --device ADDR (\(pfs.isEmpty ? "ninguna PF tiene VFs" : "PFs con VFs: " + list)).")
        case .autoPFHasNoVFs(let pf):
            return t("--vf auto: \(pf) has no VFs; create them first (--device \(pf) --vfs N).",
                     "--vf auto: \(pf) no tiene VFs; créelas antes (--device \(pf) --vfs N).")
        case .autoEveryVFInUse(let pf, let count):
            return t("--vf auto: every VF of \(pf) (\(count)) is already given to a VM or a resource mapping; create more VFs or free one.",
                     "--vf auto: todas las VFs de \(pf) (\(count)) ya están asignadas a una VM o a un mapeo de recursos; cree más VFs o libere una.")
        case .vfPassedToOtherVM(let address, let vmid, let location, let text):
            return t("\(address) is already passed to VM \(vmid) (\(location): \(text)); a VF can be given to one running VM only. Pick another VF (or --vf auto).",
                     "\(address) ya está asignada a la VM \(vmid) (\(location): \(text)); una VF solo puede darse a una VM en marcha. Elija otra VF (o --vf auto).")
        case .vfInMapping(let address, let mapping, let location, let vmid):
            return t("\(address) is in the resource mapping '\(mapping)' (\(location)); give the VM the mapping (--passthrough \(vmid) --mapping \(mapping)) or pick another VF (--vf auto).",
                     "\(address) está en el mapeo de recursos «\(mapping)» (\(location)); dé a la VM el mapeo (--passthrough \(vmid) --mapping \(mapping)) o elija otra VF (--vf auto).")
        case .noSuchMapping(let mapping):
            return t("the resource mapping '\(mapping)' does not exist (\(ProxmoxPassthroughConfig.mappingFile)); create it with --mapping \(mapping) --device PF.",
                     "el mapeo de recursos «\(mapping)» no existe (\(ProxmoxPassthroughConfig.mappingFile)); créelo con --mapping \(mapping) --device PF.")
        case .wholeSlot(let vf, let pf, let example):
            return t("--vf \(vf) names every function of the slot (like \"All Functions\" in Proxmox), the PF \(pf) included: starting the VM would take the PF from its driver and disable all its VFs. Give one VF, e.g. --vf \(example).",
                     "--vf \(vf) nombra todas las funciones de la ranura (como «All Functions» en Proxmox), incluida la PF \(pf): arrancar la VM quitaría la PF a su controlador y desactivaría todas sus VFs. Indique una sola VF, p. ej. --vf \(example).")
        case .vfNotAnAddress(let vf):
            return t("--vf \(vf): not a PCI address; use the form 0000:01:10.0 (see `sriov-wizard devices`), or auto.",
                     "--vf \(vf): no es una dirección PCI; use la forma 0000:01:10.0 (vea `sriov-wizard devices`), o auto.")
        case .noSuchVF(let address):
            return t("--vf \(address): no such PCI function; create the VFs first (--device PF --vfs N).",
                     "--vf \(address): no existe esa función PCI; cree antes las VFs (--device PF --vfs N).")
        case .gpuPFGivenForVF(let address, let example):
            return t("--vf \(address) is the PF of an SR-IOV GPU, not a VF: passing it takes it from its driver, which disables every VF (the kernel logs \"Disabled N VFs\"). Give one of its VFs" + (example.map { ", e.g. --vf \($0)" } ?? " (`sriov-wizard devices`)") + ".",
                     "--vf \(address) es la PF de una GPU SR-IOV, no una VF: pasarla la quita de su controlador, lo que desactiva todas las VFs (el kernel anota \"Disabled N VFs\"). Indique una de sus VFs" + (example.map { ", p. ej. --vf \($0)" } ?? " (`sriov-wizard devices`)") + ".")
        case .notAVF(let address, let isPF):
            return t("--vf \(address) is not a VF" + (isPF ? " but the PF; passing the PF takes the whole NIC from the host. Give one of its VFs (`sriov-wizard devices`)." : "."),
                     "--vf \(address) no es una VF" + (isPF ? " sino la PF; pasar la PF quita al equipo la tarjeta entera. Indique una de sus VFs (`sriov-wizard devices`)." : "."))

        case .invalidMappingName(let name):
            return t("--mapping \(name): a mapping name starts with a letter and has 2 to 64 letters, digits, '-' or '_' (e.g. igb-vfs).",
                     "--mapping \(name): el nombre de un mapeo empieza por una letra y tiene de 2 a 64 letras, dígitos, '-' o '_' (p. ej. igb-vfs).")
        case .nothingToMap(let pf):
            return t("\(pf) has no VFs; create them first (--device \(pf) --vfs N), then map them.",
                     "\(pf) no tiene VFs; créelas antes (--device \(pf) --vfs N) y después mapéelas.")
        case .noNodeName:
            return t("the node name (/proc/sys/kernel/hostname) is missing or not a plain host name; a mapping entry names its node.",
                     "falta el nombre del nodo (/proc/sys/kernel/hostname) o no es un nombre de equipo simple; cada entrada de un mapeo nombra su nodo.")
        case .mappingExists(let name, let location, let missing):
            let list = missing.map(\.description).joined(separator: ", ")
            return t("the resource mapping '\(name)' exists already (\(location)) without \(list); pick another name, or edit it in Datacenter > Resource Mappings.",
                     "el mapeo de recursos «\(name)» ya existe (\(location)) sin \(list); elija otro nombre, o edítelo en Datacenter > Resource Mappings.")
        case .vfIDsUnreadable(let vf):
            return t("\(vf): vendor/device ID unreadable; a mapping entry needs id=VVVV:DDDD.",
                     "\(vf): no se pueden leer los ID de fabricante y dispositivo; una entrada de mapeo necesita id=VVVV:DDDD.")
        case .everyVFMapped(let pf, let skipped):
            return t("every VF of \(pf) is already given to a VM or another mapping (\(skipped.joined(separator: ", "))).",
                     "todas las VFs de \(pf) ya están asignadas a una VM o a otro mapeo (\(skipped.joined(separator: ", "))).")

        case .grubQuoting(let location, let name, let add):
            let words = add.joined(separator: " ")
            return t("\(location): \(name) is quoted in a way sriov-wizard does not edit; add \(words) by hand.",
                     "\(location): \(name) lleva unas comillas que sriov-wizard no edita; añada \(words) a mano.")
        case .grubMixedQuotes(let location, let name, let raw, let add, let remove):
            let words = add.joined(separator: " "), removed = remove.joined(separator: ", ")
            return t("\(location): \(name) mixes quote styles (\(raw)); sriov-wizard does not rewrite it. Edit it by hand: add \(words), remove \(removed).",
                     "\(location): \(name) mezcla estilos de comillas (\(raw)); sriov-wizard no la reescribe. Edítela a mano: añada \(words), quite \(removed).")
        case .noIntelIGPU:
            return t("--igpu: no Intel integrated GPU at \(GPUHost.igpuAddress) (Intel, display class, Root Complex Integrated Endpoint) on this host; `sriov-wizard devices` lists the PCI functions.",
                     "--igpu: no hay GPU integrada de Intel en \(GPUHost.igpuAddress) (Intel, clase de pantalla, Root Complex Integrated Endpoint) en este equipo; `sriov-wizard devices` lista las funciones PCI.")
        case .noGPUKnowledge:
            return t("--igpu: the embedded GPU knowledge (gpu.json) is missing; rebuild sriov-wizard.", "--igpu: falta el conocimiento de GPUs incluido (gpu.json); vuelva a compilar sriov-wizard.")
        case .notAnIGPUDriver(let driver):
            return t("--igpu-driver: '\(driver)' is not an iGPU SR-IOV driver; use i915 (i915-sriov-dkms) or xe.",
                     "--igpu-driver: «\(driver)» no es un controlador SR-IOV de iGPU; use i915 (i915-sriov-dkms) o xe.")
        case .noGraphicsSRIOV(let platform):
            return t("--igpu: \(platform) has no graphics SR-IOV in any driver; nothing to configure.",
                     "--igpu: \(platform) no tiene SR-IOV gráfico en ningún controlador; nada que configurar.")
        case .unknownIGPU(let id):
            return t("--igpu: the iGPU 8086:\(id) is not a platform with graphics SR-IOV (11th gen Tiger Lake or newer); nothing to configure.",
                     "--igpu: la iGPU 8086:\(id) no es una plataforma con SR-IOV gráfico (11.ª generación Tiger Lake o posterior); nada que configurar.")
        case .kernelCmdlineMissing(let path):
            return t("\(path) is missing although proxmox-boot-tool manages the ESPs; create it with the current command line first (`cat /proc/cmdline`).",
                     "falta \(path) aunque proxmox-boot-tool gestiona las ESP; créelo antes con la línea de comandos actual (`cat /proc/cmdline`).")
        case .grubDefaultsMissing:
            return t("\(GrubDefaults.path) is missing; cannot tell where this host's kernel command line is set.",
                     "falta \(GrubDefaults.path); no se sabe dónde se fija la línea de comandos del kernel de este equipo.")
        case .unknownBootLoader(let detection, let added):
            return t("cannot tell which boot loader this host uses (\(detection.evidence.text(.en).joined(separator: "; "))); add \(added) to the kernel command line by hand.",
                     "no se sabe qué gestor de arranque usa este equipo (\(KernelCmdlinePlanner.unknownLoaderES(detection))); añada \(added) a mano a la línea de comandos del kernel.")

        case .journalUnreadable(let id, let error):
            return t("journal \(id): \(error.description); `sriov-wizard history` lists the recorded applies.",
                     "diario \(id): \(error.spanishDescription); `sriov-wizard history` lista los apply registrados.")
        case .notWrittenByApply(let id, let refusals):
            let list = "\n  " + refusals.joined(separator: "\n  ")
            return t("journal \(id) holds steps that sriov-wizard apply never makes; it was not written by apply (or was altered), so nothing is rolled back and nothing was changed:" + list,
                     "el diario \(id) contiene pasos que sriov-wizard apply nunca hace; no lo escribió apply (o fue alterado), así que no se deshace nada y no se cambió nada:" + list)
        case .alreadyRolledBack(let id, let at):
            return t("apply \(id) was already rolled back at \(at ?? "an earlier time"); nothing to do.",
                     "el apply \(id) ya se deshizo \(at.map { "el " + $0 } ?? "antes"); nada que hacer.")
        case .unsafeRollback(let id, let conflicts):
            return t("cannot roll back \(id) safely; nothing was changed:\n  " + conflicts.map(\.en).joined(separator: "\n  "),
                     "no se puede deshacer \(id) con seguridad; no se cambió nada:\n  " + conflicts.map(\.es).joined(separator: "\n  "))
        }
    }
}
