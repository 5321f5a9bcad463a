import ArgumentParser
import HostAccess
import SRIOVCore

/// `--lang`, for every command that prints check results.
struct LanguageOptions: ParsableArguments {
    @Option(name: .customLong("lang"), help: ArgumentHelp(
        tr("Language of the output (summaries, hints, evidence, plans, questions, errors; the values read stay as read): en or es (default: from LC_ALL/LC_MESSAGES/LANG).",
           "Idioma de la salida (resúmenes, pistas, evidencia, planes, preguntas, errores; los valores leídos quedan como se leyeron): en o es (por defecto: según LC_ALL/LC_MESSAGES/LANG)."), valueName: "LANG"))
    var language: LanguageChoice?

    var resolved: Language {
        if let language { return language.value }
        return Self.fromEnvironment
    }

    /// The language LC_ALL/LC_MESSAGES/LANG ask for (before the command line is parsed).
    static var fromEnvironment: Language {
        var environment: [String: String] = [:]
        for name in ["LC_ALL", "LC_MESSAGES", "LANG"] { environment[name] = ThisProcess.environment(name) }
        return Language.from(environment: environment)
    }
}

enum LanguageChoice: String, ExpressibleByArgument, CaseIterable {
    case en, es
    var value: Language { self == .es ? .es : .en }
}

extension RootOptions {
    /// The sysfs inventory of the machine under --root, with names; exit 3 when unreadable.
    func loadInventory() throws -> Inventory {
        var inventory: Inventory
        do { inventory = try SysfsInventory.load(machine) } catch {
            Console.error(tr("cannot read PCI devices: \(error.description)\n" +
                (root == "/" ? "Is sysfs mounted at /sys?" : "Is \(root) a snapshot made by `sriov-wizard snapshot` (it needs sys/bus/pci/devices)?"),
                "no se pueden leer los dispositivos PCI: \(error.spanishDescription)\n" +
                (root == "/" ? "¿Está sysfs montado en /sys?" : "¿Es \(root) una instantánea hecha con `sriov-wizard snapshot` (necesita sys/bus/pci/devices)?")))
            throw ExitStatus.unreadableHost
        }
        names?.resolveNames(&inventory.functions)
        return inventory
    }

    /// Validates `--device ADDR` against the inventory.
    func context(device: String?) throws -> CheckContext {
        let inventory = try loadInventory()
        var selected: PCIAddress?
        if let device {
            guard let address = PCIAddress(device) else {
                throw ValidationError(tr("--device \(device): not a PCI address; use the form 0000:01:00.0 or 01:00.0 (see `sriov-wizard devices`).",
                                         "--device \(device): no es una dirección PCI; use la forma 0000:01:00.0 o 01:00.0 (vea `sriov-wizard devices`)."))
            }
            guard let f = inventory.function(address) else {
                throw ValidationError(tr("--device \(address): no such PCI function under \(root); `sriov-wizard devices --all --root \(root)` lists them.",
                                         "--device \(address): no hay esa función PCI bajo \(root); `sriov-wizard devices --all --root \(root)` las lista."))
            }
            guard f.role != .none else {
                throw ValidationError(tr("--device \(address) (\(f.deviceName ?? "device")) has no SR-IOV capability; `sriov-wizard devices` lists the SR-IOV devices.",
                                         "--device \(address) (\(f.deviceName ?? "dispositivo")) no tiene capacidad SR-IOV; `sriov-wizard devices` lista los dispositivos SR-IOV."))
            }
            selected = address
        }
        return CheckContext(machine: machine, inventory: inventory, selectedDevice: selected)
    }
}
