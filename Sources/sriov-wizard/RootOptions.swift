import ArgumentParser
import Foundation
import HostAccess
import SRIOVCore

/// `--root`, shared by every command that reads a machine.
struct RootOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        tr("Root of the machine to read: / for this host, a snapshot directory, or a snapshot .tar.gz as sent (unpacked privately, read-only).",
           "Raíz de la máquina a leer: / para este host, un directorio de instantánea, o el .tar.gz de una instantánea tal como llegó (se desempaqueta en privado, solo lectura)."),
        valueName: "DIR|FILE"))
    var root: String = "/"

    @Option(name: .customLong("pci-ids"), help: ArgumentHelp(
        tr("pci.ids database for names (default: /usr/share/misc/pci.ids; without one, IDs are shown without names).",
           "Base de datos pci.ids para los nombres (por defecto: /usr/share/misc/pci.ids; sin ella, los ID se muestran sin nombre)."),
        valueName: "FILE"))
    var pciIDs: String?

    func validateRoot(language: Language = CommandLineLanguage.current) throws {
        let machine = Machine(root: "/")
        if root != "/", !machine.isDirectory(root) {
            guard SnapshotArchive.isArchive(root, on: machine) else {
                throw ValidationError(language == .es
                    ? "--root \(root): no existe ese directorio ni fichero. Indique / para este equipo, un directorio de instantánea o el .tar.gz que hace `sriov-wizard snapshot`."
                    : "--root \(root): no such directory or file. Give / for this host, a snapshot directory or the .tar.gz made by `sriov-wizard snapshot`.")
            }
            do { _ = try UnpackedArchives.shared.directory(for: root) } catch {
                throw ValidationError("--root " + error.text.text(language))
            }
        }
    }

    /// For commands that change the machine: a snapshot archive is read-only (its unpacked
    /// copy is removed at exit, so changes to it would be lost).
    func validateWritableRoot(language: Language = CommandLineLanguage.current) throws {
        try validateRoot(language: language)
        if isArchive {
            throw ValidationError(language == .es
                ? "--root \(root) es un archivo de instantánea, que aquí es de solo lectura. Desempaquételo (mkdir DIR && tar -xzf \(root) -C DIR) e indique --root DIR para cambiar la copia."
                : "--root \(root) is a snapshot archive, which is read-only here. Unpack it (mkdir DIR && tar -xzf \(root) -C DIR) and give --root DIR to change the copy.")
        }
    }

    var isArchive: Bool { root != "/" && SnapshotArchive.isArchive(root, on: Machine(root: "/")) }

    var machine: Machine {
        if isArchive, let directory = try? UnpackedArchives.shared.directory(for: root) { return Machine(root: directory) }
        return Machine(root: root)
    }

    /// pci.ids belongs to the machine the tool runs on, not to the inspected snapshot.
    var names: PCIIDs? { PCIIDs.load(from: Machine(root: "/"), path: pciIDs) }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// Snapshot archives given as --root, each unpacked once per run into a private directory
/// that is removed when the process exits.
final class UnpackedArchives: @unchecked Sendable {
    static let shared = UnpackedArchives()
    private let lock = NSLock()
    private var directories: [String: String] = [:]

    private init() {
        atexit { UnpackedArchives.shared.removeAll() }
    }

    func directory(for archive: String) throws(SnapshotArchive.Refusal) -> String {
        lock.lock(); defer { lock.unlock() }
        if let known = directories[archive] { return known }
        let parent = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        let directory = try SnapshotArchive.unpack(archive, on: Machine(root: "/"), into: parent)
        directories[archive] = directory
        return directory
    }

    func removeAll() {
        lock.lock(); defer { lock.unlock() }
        for directory in directories.values { try? FileManager.default.removeItem(atPath: directory) }
        directories = [:]
    }
}
