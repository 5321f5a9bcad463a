import ArgumentParser
import SRIOVCore

@main
struct SRIOVWizard: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sriov-wizard",
        abstract: tr("Takes a Proxmox VE / Debian host from \"SR-IOV off\" to \"a VF is passed to a VM\".",
                     "Lleva un host Proxmox VE / Debian de «SR-IOV apagado» a «una VF pasada a una VM»."),
        discussion: tr("""
        Reads the host through one root directory: / on a live host, or a snapshot directory with the same layout (--root DIR), so a support engineer gets the same answers from a user's snapshot as the user gets on the host.

        EXAMPLES:
          sudo sriov-wizard                         # the interactive wizard
          sriov-wizard check --format json          # all checks, for scripts
          sriov-wizard wizard --walkthrough         # sample host, no prompts
          sudo sriov-wizard apply --device 01:00.0 --vfs 4 --dry-run
          sriov-wizard devices                      # SR-IOV PFs and VFs here
          sriov-wizard devices --all --format json  # every function, JSON
          sriov-wizard devices --root Resources/sample-host
          lspci -vvv | sriov-wizard devices --lspci-file -
          sudo sriov-wizard snapshot --archive myhost.tar.gz

        EXIT STATUS:
          0   success (check: no check failed)
          1   check: at least one check failed
          2   input could not be understood (e.g. a file that is not lspci output)
          3   the machine could not be read (no sys/bus/pci/devices under --root)
          5   apply/rollback: not confirmed (answered no, or no terminal and no --yes)
          64  usage error (unknown option, conflicting options)
          73  report/collect: an output file could not be written
          75  apply/rollback: another run holds the lock
          77  apply/rollback: changing this host needs root
        """, """
        Lee el host a través de un directorio raíz: / en un host en marcha, o un directorio de instantánea con la misma estructura (--root DIR), de modo que un técnico de soporte obtiene de la instantánea de un usuario las mismas respuestas que el usuario en su host.

        EJEMPLOS:
          sudo sriov-wizard                         # el asistente interactivo
          sriov-wizard check --format json          # todas las comprobaciones, para scripts
          sriov-wizard wizard --walkthrough         # host de ejemplo, sin preguntas
          sudo sriov-wizard apply --device 01:00.0 --vfs 4 --dry-run
          sriov-wizard devices                      # PF y VF de SR-IOV de este host
          sriov-wizard devices --all --format json  # todas las funciones, en JSON
          sriov-wizard devices --root Resources/sample-host
          lspci -vvv | sriov-wizard devices --lspci-file -
          sudo sriov-wizard snapshot --archive myhost.tar.gz

        ESTADO DE SALIDA:
          0   éxito (check: ninguna comprobación falló)
          1   check: al menos una comprobación falló
          2   la entrada no se entendió (p. ej. un archivo que no es salida de lspci)
          3   no se pudo leer la máquina (no hay sys/bus/pci/devices bajo --root)
          5   apply/rollback: sin confirmar (respuesta no, o sin terminal y sin --yes)
          64  error de uso (opción desconocida, opciones incompatibles)
          73  report/collect: no se pudo escribir un archivo de salida
          75  apply/rollback: otra ejecución tiene el bloqueo
          77  apply/rollback: cambiar este host requiere root
        """),
        version: ToolInfo.version,
        subcommands: [WizardCommand.self, CheckCommand.self, DevicesCommand.self, SnapshotCommand.self, ReportCommand.self, CollectCommand.self, SchemaCommand.self, ApplyCommand.self, RollbackCommand.self, HistoryCommand.self],
        defaultSubcommand: WizardCommand.self
    )

    /// A first argument that is neither an option nor a command is a mistyped command, not
    /// an argument of the default `wizard` command.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let first = arguments.first {
            let commands = configuration.subcommands.map { $0._commandName } + ["help"]
            if let message = CommandSuggestion.unknownCommand(first, commands: commands, language: CommandLineLanguage.current) {
                Console.error(message)
                exit(withError: ExitCode.validationFailure)
            }
        }
        // ParsableCommand.main(_:), with ArgumentParser's own words (help headers, usage
        // errors) in the command line's language.
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            let code = exitCode(for: error)
            let message = CommandLineLanguage.frameworkWords(fullMessage(for: error))
            if !message.isEmpty {
                if code == .success {
                    print(message)
                } else {
                    var standardError = StandardError()
                    print(message, to: &standardError)
                }
            }
            exit(withError: code == .success ? nil : code)
        }
        exit(withError: nil)
    }
}
