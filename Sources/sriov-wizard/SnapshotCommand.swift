import ArgumentParser
import Foundation
import HostAccess
import SRIOVCore

struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: tr("Copy everything the wizard reads into a directory (and optionally a .tar.gz).", "Copia todo lo que lee el asistente en un directorio (y, si se pide, en un .tar.gz)."),
        discussion: tr("""
        The snapshot has the layout of a root filesystem (sys/..., proc/..., etc/...) plus the recorded output of dmesg, lspci -vvv, ip -d link and uname -a under sriov-wizard/commands, so --root DIR on it gives the same results as on the host.

        Only what a check reads is copied. Serial numbers and the machine's UUIDs are not: no DMI serials, product UUID or machine-id; the PCIe Device Serial Number and the VPD data register are zeroed in every config file and masked in the recorded lspci -vvv; the ESP UUIDs of /etc/kernel/proxmox-boot-uuids become esp-1, esp-2, ... /etc/network/interfaces{,.d}, /etc/rc.local, sysfs.conf and the service units of /etc/systemd/system are cut to the lines that write sriov_numvfs (and the stanza and section lines around them); /etc/systemd/network is not copied. Host names, MACs, IP addresses and file-system UUIDs on the kernel command line are copied as they are, unless --redact.

        --redact replaces them as `report --redact` does (host-1, domain-1, mac-1, serial-1, uuid-1, ip-1), in every text file and recorded command output and in MAC-based interface names (enx525400abcdef); `check --root` on the result gives the same verdicts.

        Run it as root: without root the kernel shows only 64 bytes of each device's config space.

        EXAMPLES:
          sudo sriov-wizard snapshot --output /tmp/myhost
          sudo sriov-wizard snapshot --archive myhost.tar.gz
          sudo sriov-wizard snapshot --redact --archive forum.tar.gz
          sriov-wizard devices --root /tmp/myhost
          sriov-wizard check --root myhost.tar.gz
        """, """
        La instantánea tiene la estructura de un sistema de archivos raíz (sys/..., proc/..., etc/...) más la salida grabada de dmesg, lspci -vvv, ip -d link y uname -a en sriov-wizard/commands, así que --root DIR sobre ella da los mismos resultados que en el host.

        Solo se copia lo que lee alguna comprobación. Los números de serie y los UUID de la máquina no: ni números de serie DMI, ni UUID del producto, ni machine-id; el número de serie de dispositivo PCIe (DSN) y el registro de datos VPD se ponen a cero en cada archivo config y se enmascaran en el lspci -vvv grabado; los UUID de la ESP de /etc/kernel/proxmox-boot-uuids pasan a esp-1, esp-2, ... /etc/network/interfaces{,.d}, /etc/rc.local, sysfs.conf y las unidades de servicio de /etc/systemd/system se recortan a las líneas que escriben sriov_numvfs (y las líneas de estrofa y sección que las rodean); /etc/systemd/network no se copia. Los nombres de host, MAC, direcciones IP y UUID de sistemas de archivos de la línea de comandos del kernel se copian tal cual, salvo con --redact.

        --redact los sustituye como `report --redact` (host-1, domain-1, mac-1, serial-1, uuid-1, ip-1), en cada archivo de texto y salida de orden grabada y en los nombres de interfaz basados en la MAC (enx525400abcdef); `check --root` sobre el resultado da los mismos veredictos.

        Ejecútelo como root: sin root el kernel solo muestra 64 bytes del espacio de configuración de cada dispositivo.

        EJEMPLOS:
          sudo sriov-wizard snapshot --output /tmp/myhost
          sudo sriov-wizard snapshot --archive myhost.tar.gz
          sudo sriov-wizard snapshot --redact --archive forum.tar.gz
          sriov-wizard devices --root /tmp/myhost
          sriov-wizard check --root myhost.tar.gz
        """)
    )

    @OptionGroup var rootOptions: RootOptions

    @Option(name: .long, help: ArgumentHelp(tr("Directory to write the snapshot into (created if missing).", "Directorio donde escribir la instantánea (se crea si falta)."), valueName: "DIR"))
    var output: String?

    @Option(name: .long, help: ArgumentHelp(tr("Also pack the snapshot into this .tar.gz file.", "Empaqueta además la instantánea en este archivo .tar.gz."), valueName: "FILE"))
    var archive: String?

    @Flag(name: .long, help: ArgumentHelp(tr("Replace host names, MAC/IP addresses, serial numbers and UUIDs with placeholders, as report --redact does.", "Sustituye nombres de host, direcciones MAC/IP, números de serie y UUID por marcadores, como hace report --redact.")))
    var redact = false

    @OptionGroup var languageOptions: LanguageOptions

    func validate() throws {
        if output == nil && archive == nil {
            throw ValidationError(tr("Give --output DIR, --archive FILE.tar.gz, or both.", "Indique --output DIR, --archive FILE.tar.gz, o ambos."))
        }
        if let output, Machine(root: "/").exists(output), !Machine(root: "/").isDirectory(output) {
            throw ValidationError(tr("--output \(output): exists and is not a directory.", "--output \(output): existe y no es un directorio."))
        }
        try rootOptions.validateRoot()
    }

    func run() throws {
        let local = Machine(root: "/")
        let language = languageOptions.resolved
        func t(_ en: String, _ es: String) -> String { language == .es ? es : en }
        // Without --output the tree is built in a private directory (0700, unpredictable name:
        // this runs as root in a shared /tmp) and removed once it is packed.
        let directory: String
        if let output { directory = output } else {
            let parent = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
            do { directory = try TreeWriter.createPrivateTemporaryDirectory(in: parent, prefix: "sriov-wizard-snapshot-") } catch {
                Console.error(t("cannot create a private work directory: \(error.description)", "no se puede crear un directorio de trabajo privado: \(error.spanishDescription)"))
                throw ExitCode.failure
            }
        }
        defer { if output == nil { try? FileManager.default.removeItem(atPath: directory) } }
        if rootOptions.root == "/" && !ThisProcess.isRoot {
            Console.warning(t("not running as root: config space beyond 64 bytes and some files are unreadable; the snapshot will be incomplete.",
                              "no se ejecuta como root: el espacio de configuración más allá de 64 bytes y algunos archivos no se pueden leer; la instantánea quedará incompleta."))
        }
        let result: Snapshot.Result
        do {
            result = try Snapshot.take(from: rootOptions.machine, to: directory, now: ISO8601DateFormatter().string(from: Date()), redact: redact)
        } catch {
            Console.error(t("cannot write the snapshot: \(error.description)", "no se puede escribir la instantánea: \(error.spanishDescription)"))
            throw ExitStatus.unreadableHost
        }
        let counts = t("\(result.filesWritten) files, \(result.linksWritten) links, \(result.commandsRecorded.count) commands",
                       "\(result.filesWritten) archivos, \(result.linksWritten) enlaces, \(result.commandsRecorded.count) órdenes")
        // The work directory of an --archive-only run is gone at exit: name only what stays.
        if output != nil { print(t("snapshot", "instantánea") + ": \(directory) (\(counts))") }
        if redact {
            print(LocalizedText(
                en: "redacted: host and domain names, MAC and IP addresses, serial numbers and UUIDs are replaced by placeholders (host-1, mac-1, ...).",
                es: "redactada: los nombres de host y de dominio, las direcciones MAC e IP, los números de serie y los UUID se sustituyen por marcadores (host-1, mac-1, ...).")
                .text(language))
        }
        if !result.skipped.isEmpty {
            let manifest = output != nil ? "\(directory)/sriov-wizard/manifest.json" : t("sriov-wizard/manifest.json in the archive", "sriov-wizard/manifest.json en el archivo")
            print(t("skipped \(result.skipped.count) unreadable item(s); see \(manifest)",
                    "\(result.skipped.count) elemento(s) ilegibles omitidos; vea \(manifest)"))
        }
        if let archive {
            // 0600 before tar writes a byte (tar truncates an existing file, keeping its mode).
            do { try TreeWriter.createPrivateFile(archive) } catch {
                Console.error(t("cannot create the archive: \(error.description)", "no se puede crear el archivo: \(error.spanishDescription)"))
                throw ExitCode.failure
            }
            let outcome = try local.run(["tar", "-czf", archive, "-C", directory, "."], timeout: 300)
            if outcome.status != 0 {
                Console.error(t("tar failed (status \(outcome.status)): \(outcome.stderrText)", "tar falló (estado \(outcome.status)): \(outcome.stderrText)"))
                throw ExitCode.failure
            }
            let word = t("archive", "archivo")
            print(output != nil ? "\(word): \(archive)"
                  : "\(word): \(archive) (\(counts)); " + t("`sriov-wizard check --root \(archive)` reads it as it is", "`sriov-wizard check --root \(archive)` lo lee tal cual"))
        }
    }
}
