import ArgumentParser
import Foundation
import HostAccess
import SRIOVCore

struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Copy everything the wizard reads into a directory (and optionally a .tar.gz).",
        discussion: """
        The snapshot has the layout of a root filesystem (sys/..., proc/..., etc/...) plus the recorded output of dmesg, lspci -vvv, ip -d link and uname -a under sriov-wizard/commands, so --root DIR on it gives the same results as on the host. Serial numbers and UUIDs are not copied.

        Run it as root: without root the kernel shows only 64 bytes of each device's config space.

        EXAMPLES:
          sudo sriov-wizard snapshot --output /tmp/myhost
          sudo sriov-wizard snapshot --archive myhost.tar.gz
          sriov-wizard devices --root /tmp/myhost
        """
    )

    @OptionGroup var rootOptions: RootOptions

    @Option(name: .long, help: ArgumentHelp("Directory to write the snapshot into (created if missing).", valueName: "DIR"))
    var output: String?

    @Option(name: .long, help: ArgumentHelp("Also pack the snapshot into this .tar.gz file.", valueName: "FILE"))
    var archive: String?

    func validate() throws {
        if output == nil && archive == nil {
            throw ValidationError("Give --output DIR, --archive FILE.tar.gz, or both.")
        }
        if let output, Machine(root: "/").exists(output), !Machine(root: "/").isDirectory(output) {
            throw ValidationError("--output \(output): exists and is not a directory.")
        }
        try rootOptions.validateRoot()
    }

    func run() throws {
        let local = Machine(root: "/")
        let directory = output ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("sriov-wizard-snapshot-\(ProcessInfo.processInfo.processIdentifier)").path
        if rootOptions.root == "/" && !Machine.isRoot {
            Console.warning("not running as root: config space beyond 64 bytes and some files are unreadable; the snapshot will be incomplete.")
        }
        let result: Snapshot.Result
        do {
            result = try Snapshot.take(from: rootOptions.machine, to: directory, now: ISO8601DateFormatter().string(from: Date()))
        } catch {
            Console.error("cannot write the snapshot: \(error.description)")
            throw ExitStatus.unreadableHost
        }
        print("snapshot: \(directory) (\(result.filesWritten) files, \(result.linksWritten) links, \(result.commandsRecorded.count) commands)")
        if !result.skipped.isEmpty {
            print("skipped \(result.skipped.count) unreadable item(s); see \(directory)/sriov-wizard/manifest.json")
        }
        if let archive {
            // 0600 before tar writes a byte (tar truncates an existing file, keeping its mode).
            do { try TreeWriter.createPrivateFile(archive) } catch {
                Console.error("cannot create the archive: \(error.description)")
                throw ExitCode.failure
            }
            let outcome = try local.run(["tar", "-czf", archive, "-C", directory, "."], timeout: 300)
            if outcome.status != 0 {
                Console.error("tar failed (status \(outcome.status)): \(outcome.stderrText)")
                throw ExitCode.failure
            }
            print("archive: \(archive)")
            if output == nil { try? FileManager.default.removeItem(atPath: directory) }
        }
    }
}
