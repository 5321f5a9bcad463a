import ArgumentParser
import HostAccess
import SRIOVCore

struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: tr("List SR-IOV physical functions and their virtual functions.", "Lista las funciones físicas SR-IOV y sus funciones virtuales."),
        discussion: tr("""
        Reads ROOT/sys/bus/pci/devices (config space, sysfs SR-IOV attributes, driver, netdevs, IOMMU group), or a saved `lspci -v`/`-vv`/`-vvv` output with or without -n, -nn, -D, -k and -x/-xxx/-xxxx hex dumps.

        A saved lspci output may be pasted from mail or a forum (quoted, re-wrapped, unindented, inside a shell transcript), or be a plain `lspci`/`-nnk` listing; roles it does not show are inferred from the layout (Intel iGPU VFs at 00:02.1-00:02.7) and marked so.

        TotalVFs comes from sysfs where the kernel knows it (the igb driver allows 7 VFs on an 82576 whose config space says 8); with --lspci-file it is what lspci printed. A ? means the value could not be read (the extended config space needs root).

        EXAMPLES:
          sriov-wizard devices
          sriov-wizard devices --all --format json
          sriov-wizard devices --root Resources/sample-host
          lspci -vvv | sriov-wizard devices --lspci-file -
        """, """
        Lee ROOT/sys/bus/pci/devices (espacio de configuración, atributos SR-IOV de sysfs, controlador, interfaces de red, grupo IOMMU), o una salida guardada de `lspci -v`/`-vv`/`-vvv` con o sin -n, -nn, -D, -k y volcados hexadecimales -x/-xxx/-xxxx.

        Una salida de lspci guardada puede venir pegada de un correo o un foro (citada, reajustada, sin sangría, dentro de una transcripción de shell), o ser un listado simple de `lspci`/`-nnk`; los papeles que no muestra se deducen de la disposición (VF de iGPU Intel en 00:02.1-00:02.7) y se marcan así.

        TotalVFs viene de sysfs cuando el kernel lo sabe (el controlador igb permite 7 VF en una 82576 cuyo espacio de configuración dice 8); con --lspci-file es lo que imprimió lspci. Un ? significa que no se pudo leer el valor (el espacio de configuración extendido necesita root).

        EJEMPLOS:
          sriov-wizard devices
          sriov-wizard devices --all --format json
          sriov-wizard devices --root Resources/sample-host
          lspci -vvv | sriov-wizard devices --lspci-file -
        """)
    )

    @OptionGroup var rootOptions: RootOptions

    @Option(name: .customLong("lspci-file"), help: ArgumentHelp(
        tr("Read saved lspci output instead of a machine ('-' for standard input).", "Lee una salida de lspci guardada en vez de una máquina («-» para la entrada estándar)."), valueName: "FILE"))
    var lspciFile: String?

    @Flag(name: .long, help: ArgumentHelp(tr("List every PCI function, not only SR-IOV PFs and their VFs.", "Lista todas las funciones PCI, no solo las PF SR-IOV y sus VF.")))
    var all = false

    @Option(name: .long, help: ArgumentHelp(tr("Output format: text (a table for people) or json (for scripts).", "Formato de salida: text (una tabla para personas) o json (para scripts).")))
    var format: OutputFormat = .text

    @OptionGroup var languageOptions: LanguageOptions

    func validate() throws {
        if lspciFile != nil && rootOptions.root != "/" {
            throw ValidationError(tr("--root and --lspci-file cannot be used together: read either a machine (--root) or a saved lspci output (--lspci-file).", "--root y --lspci-file no se pueden usar juntas: lea una máquina (--root) o una salida de lspci guardada (--lspci-file)."))
        }
        if lspciFile == nil { try rootOptions.validateRoot() }
    }

    func run() throws {
        let inventory = try loadInventory()
        let shown = all ? inventory.functions : inventory.sriovView
        switch format {
        case .json:
            print(inventory.json(functions: shown).serialised())
        case .text:
            print(DeviceTable.render(inventory: inventory, shown: shown, all: all, console: Console(), language: languageOptions.resolved))
        }
    }

    func loadInventory() throws -> Inventory {
        let names = rootOptions.names
        if let lspciFile {
            let bytes: [UInt8]
            do {
                bytes = lspciFile == "-"
                    ? try ThisProcess.readStandardInput(limit: 64 << 20)
                    : try Machine(root: "/").read(lspciFile, limit: 64 << 20)
            } catch {
                Console.error(tr("cannot read the lspci file: \(error.description)", "no se puede leer el archivo de lspci: \(error.spanishDescription)"))
                throw ExitStatus.invalidInput
            }
            do {
                return try LspciTextParser.parse(String(decoding: bytes, as: UTF8.self), names: names)
            } catch {
                let name = lspciFile == "-" ? "<stdin>" : lspciFile
                Console.error(tr("\(name):\(error.line): \(error.message)\nExpected the output of `lspci -vv` (or -v/-vvv, optionally with -nn, -D, -k, -xxxx), as printed by pciutils.",
                                 "\(name):\(error.line): \(error.text.es)\nSe esperaba la salida de `lspci -vv` (o -v/-vvv, opcionalmente con -nn, -D, -k, -xxxx), tal como la imprime pciutils."))
                throw ExitStatus.invalidInput
            }
        }
        return try rootOptions.loadInventory()
    }
}

/// The text table of `devices`.
enum DeviceTable {
    static func render(inventory: Inventory, shown: [PCIFunction], all: Bool, console: Console, language: Language = .en) -> String {
        var out: [String] = []
        let fragments = inventory.unaddressedFunctions.filter { $0.sriov != nil }
        if shown.isEmpty, !fragments.isEmpty {
            // A paste cut down to the SR-IOV capability: its figures are the answer.
            for f in fragments {
                out.append((language == .es ? "Capacidad SR-IOV en líneas sin línea de dispositivo (línea \(f.firstLine), dirección desconocida): "
                                            : "SR-IOV capability in lines without a device line (line \(f.firstLine), address unknown): ")
                           + LspciTextParser.sriovFigures(f.sriov!) + ".")
            }
        } else if shown.isEmpty {
            out.append(all ? (language == .es ? "No se encontró ninguna función PCI." : "No PCI functions found.")
                           : (language == .es ? "No se encontró ningún dispositivo con SR-IOV. `--all` lista todas las funciones PCI."
                                              : "No SR-IOV capable device found. `--all` lists every PCI function."))
        } else {
            let rows = shown.map { f -> [String] in
                let vfs: String
                if let s = f.sriov {
                    vfs = (s.numVFs.map(String.init) ?? "?") + "/" + (s.totalVFs.map(String.init) ?? "?")
                } else if f.role == .pf, !f.virtfns.isEmpty {
                    vfs = "\(f.virtfns.count)/?"  // a PF told from the layout: its VFs are in the output
                } else { vfs = "-" }
                let ids = (f.vendorID.map { hex($0, 4) } ?? "????") + ":" + (f.deviceID.map { hex($0, 4) } ?? "????")
                let name = [f.vendorName, f.deviceName].compactMap { $0 }.joined(separator: " ")
                let ari = f.hasARI.map { $0 ? (language == .es ? "sí" : "yes") : "no" } ?? "?"
                let address = f.role == .vf && f.physfn != nil ? " " + f.address.description : f.address.description
                return [address, f.role == .none ? "-" : f.role.rawValue.uppercased(), ids, f.driver ?? "-", vfs, ari,
                        f.iommuGroup.map(String.init) ?? "-", f.netdevs.isEmpty ? "-" : f.netdevs.joined(separator: ","),
                        name.isEmpty ? (f.className ?? "") : name].map { TerminalText.visible($0, keepTabs: false) }
            }
            let header = language == .es
                ? ["DIRECCIÓN", "PAPEL", "ID", "CONTROLADOR", "VFS", "ARI", "IOMMU", "INTERFAZ", "NOMBRE"]
                : ["ADDRESS", "ROLE", "ID", "DRIVER", "VFS", "ARI", "IOMMU", "NETDEV", "NAME"]
            out.append(table(header, rows,
                             paintHeader: { console.paint($0, .bold) }))
            for f in shown {
                if let s = f.sriov, let config = s.configTotalVFs, let total = s.totalVFs {
                    out.append(language == .es
                        ? "nota: \(f.address): el kernel permite \(total) VFs (sysfs sriov_totalvfs); el espacio de configuración dice \(config)."
                        : "note: \(f.address): the kernel allows \(total) VFs (sysfs sriov_totalvfs); config space says \(config).")
                }
            }
        }
        let unreadable = inventory.functions.filter { $0.extendedCapabilitiesKnown == false }.count
        if unreadable > 0 {
            out.append(console.paint(language == .es
                ? "nota: no se pudo leer el espacio de configuración extendido de \(unreadable) función(es)" +
                  (inventory.source == "sysfs" ? " (leerlo requiere root)" : " (el volcado tiene 256 bytes o menos)") +
                  "; SR-IOV y ARI aparecen ahí como ?."
                : "note: the extended configuration space of \(unreadable) function(s) could not be read" +
                  (inventory.source == "sysfs" ? " (reading it needs root)" : " (the dump has 256 bytes or less)") +
                  "; SR-IOV and ARI show as ? there.", .yellow))
        }
        // Names of links, netdevs and files come from the tree (or a pasted text): no raw control
        // characters reach the terminal.
        for issue in inventory.issues {
            if issue.isNote, let note = issue.localized {
                // How a role was told (layout of a paste): information in the user's language.
                out.append((language == .es ? "nota: " : "note: ") + TerminalText.visible(note.text(language)))
            } else {
                out.append(console.paint((language == .es ? "aviso: " : "warning: ") + TerminalText.visible(issue.message), .yellow))
            }
        }
        return out.joined(separator: "\n")
    }
}
