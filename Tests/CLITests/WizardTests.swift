import Foundation
import XCTest

final class WizardTests: XCTestCase {
    func testWalkthroughIsStableAndNeedsNoTerminal() throws {
        let first = try CLI.run(["wizard", "--walkthrough"])
        XCTAssertEqual(first.status, 0, first.stderrText)
        let second = try CLI.run(["wizard", "--walkthrough"])
        XCTAssertEqual(first.stdoutText, second.stdoutText)
        XCTAssertTrue(first.stdoutText.contains("root bundled sample host"), first.stdoutText)
        XCTAssertFalse(first.stdoutText.contains(CLI.repository), "no checkout-specific paths in documentation output")
        for n in 1...4 { XCTAssertTrue(first.stdoutText.contains("Stage \(n)/4"), first.stdoutText) }
    }

    func testWithoutATerminalItPointsToCheck() throws {
        let result = try CLI.run(["--root", CLI.resource("sample-host")])
        XCTAssertEqual(result.status, 64)
        XCTAssertTrue(result.stderrText.contains("sriov-wizard check"), result.stderrText)
    }

    func testInteractiveRunThroughAPseudoTerminal() throws {
        // Stage 1 fails on the lab host (no vmx): details, re-check, then skip; then continue.
        let screen = try CLI.runInTerminal(["--root", CLI.resource("sample-host-vfs")], input: "d\nr\ns\n\n\n\n", environment: ["NO_COLOR": "1"])
        XCTAssertTrue(screen.contains("Stage 1/4: Passthrough prerequisites  FAIL"), screen)
        XCTAssertTrue(screen.contains("[s] skip this stage"), screen)
        XCTAssertTrue(screen.contains("· /proc/cpuinfo"), "details show the evidence: \(screen)")
        XCTAssertTrue(screen.contains("Stage 2/4"), screen)
        XCTAssertTrue(screen.contains("Done, with skipped stages: Passthrough prerequisites"), screen)
    }

    func testQuitStopsBeforeTheNextStage() throws {
        let screen = try CLI.runInTerminal(["wizard", "--root", CLI.resource("sample-host"), "--lang", "es"], input: "q\n",
                                           environment: ["NO_COLOR": "1"])
        XCTAssertTrue(screen.contains("Etapa 1/4"), screen)
        XCTAssertFalse(screen.contains("Etapa 2/4"), screen)
    }
}

extension CLI {
    /// Runs the binary on a pseudo-terminal (util-linux `script`), typing `input`.
    static func runInTerminal(_ arguments: [String], input: String, environment: [String: String] = [:]) throws -> String {
        let command = ([binary] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", command, "/dev/null"]
        var env = ProcessInfo.processInfo.environment
        env["TERM"] = "xterm"
        env.removeValue(forKey: "NO_COLOR")
        for (k, v) in sanitizerEnvironment.merging(environment, uniquingKeysWith: { _, given in given }) { env[k] = v }
        process.environment = env
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stdout
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
    }
}

final class WizardApplyTests: XCTestCase {
    /// At a failing stage the wizard offers the fix `apply` can make, shows its diff, asks,
    /// applies it (here to a copy of the sample snapshot) and re-checks the stage.
    func testFailingActivationStageOffersAndAppliesTheFix() throws {
        let root = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.copyItem(atPath: CLI.resource("sample-host"), toPath: root)
        // Skip stage 1 (no vmx in the lab), continue through 2 and 3, apply at 4 with the
        // recommended count, method and MACs (Enter three times), confirm, quit.
        let screen = try CLI.runInTerminal(["--root", root], input: "s\n\n\na\n\n\n\ny\nq\n", environment: ["NO_COLOR": "1"])
        XCTAssertTrue(screen.contains("`sriov-wizard apply --device 0000:01:00.0 --vfs 7`"), screen)
        XCTAssertTrue(screen.contains("→ Create 7 VFs on 0000:01:00.0 now and at every boot"), screen)
        XCTAssertTrue(screen.contains("[a] apply the fix"), screen)
        XCTAssertTrue(screen.contains("+++ b/etc/udev/rules.d/70-sriov-wizard.rules"), screen)
        XCTAssertTrue(screen.contains("Applied; journal"), screen)
        let numVFs = try String(contentsOfFile: root + "/sys/bus/pci/devices/0000:01:00.0/sriov_numvfs", encoding: .utf8)
        XCTAssertEqual(numVFs.trimmingCharacters(in: .whitespacesAndNewlines), "7")
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/etc/udev/rules.d/70-sriov-wizard.rules"))
    }
}

/// Stage 4, question 3: which VM gets a VF, on a copy of sample-host-vfs with a running q35
/// Windows VM and a stopped i440fx Linux VM (`qm list` recorded). The answers become apply's
/// own plans (listed as "would run on the host" on a snapshot).
final class WizardVMQuestionTests: XCTestCase {
    private func host() throws -> String {
        let root = try CLI.hostWithVMs()
        addTeardownBlock { try? FileManager.default.removeItem(atPath: root) }
        return root
    }

    // Skip stage 1 (no vmx in the lab), continue through 2 and 3; at stage 4 (the VFs are not
    // persistent, so `[a]` is offered) continue: the wizard then asks which VM gets a VF.
    func testAVMNumberPassesTheFirstFreeVF() throws {
        let screen = try CLI.runInTerminal(["--root", try host()], input: "s\n\n\n\n1\ny\nq\n", environment: ["NO_COLOR": "1"])

        XCTAssertTrue(screen.contains("Which VM gets a VF of 0000:01:00.0? 7 free"), screen)
        XCTAssertTrue(screen.contains("[1] VM 101 'win11': ostype win11 (Windows), q35, OVMF (UEFI), running"), screen)
        XCTAssertTrue(screen.contains("[2] VM 102 'debian': ostype l26, i440fx, SeaBIOS, stopped"), screen)
        XCTAssertTrue(screen.contains("run qm set 101 -hostpci0 0000:01:10.0,pcie=1  (would run on the host)"), screen)
        XCTAssertTrue(screen.contains("VM 101 'win11' is running: it sees the device only after a restart"), screen)
        XCTAssertTrue(screen.contains("Applied; journal"), screen)
    }

    func testAnI440fxVMGetsNoPCIeAndAMappingCanBeChosen() throws {
        let root = try host()
        var screen = try CLI.runInTerminal(["--root", root], input: "s\n\n\n\n2\ny\nq\n", environment: ["NO_COLOR": "1"])
        XCTAssertTrue(screen.contains("run qm set 102 -hostpci0 0000:01:10.0  (would run on the host)"), screen)
        XCTAssertTrue(screen.contains("uses the i440fx machine type"), screen)
        screen = try CLI.runInTerminal(["--root", root], input: "s\n\n\n\nm\n2\ny\nq\n", environment: ["NO_COLOR": "1"])
        XCTAssertTrue(screen.contains("run pvesh create /cluster/mapping/pci --id igb-vfs --map node=sriov-lab,path=0000:01:10.0,id=8086:10ca,iommugroup=6"), screen)
        XCTAssertTrue(screen.contains("run qm set 102 -hostpci0 mapping=igb-vfs  (would run on the host)"), screen)
    }

    func testEnterMeansNoneNowAndSpanishAsksInSpanish() throws {
        let screen = try CLI.runInTerminal(["--root", try host(), "--lang", "es"], input: "o\n\n\n\n\nq\n", environment: ["NO_COLOR": "1"])
        XCTAssertTrue(screen.contains("¿Qué VM recibe una VF de 0000:01:00.0? 7 libres"), screen)
        XCTAssertTrue(screen.contains("[1] VM 101 'win11': ostype win11 (Windows), q35, OVMF (UEFI), en marcha"), screen)
        XCTAssertTrue(screen.contains("[Intro] ninguna por ahora"), screen)
        XCTAssertFalse(screen.contains("Plan: pass VF"), screen)
    }
}
