import Dispatch
import HostAccess
import SRIOVCore

/// Progress of slow steps (`update-initramfs`, `update-grub`, `proxmox-boot-tool refresh`,
/// driver reloads, VF creation). On a terminal one line is redrawn every second: the step, the
/// seconds so far and the command's latest output line; the finished step then stays as one
/// line. Without a terminal (a log, CI, a pipe) a start line and an end line, no redrawing.
final class ProgressDisplay: PlanProgress, @unchecked Sendable {
    private let language: Language
    private let live: Bool
    private let width: Int
    private let queue = DispatchQueue(label: "sriov-wizard.progress")
    // State below is touched on `queue` only.
    private var started: Double = 0
    private var description = ""
    private var latest: String?
    private var timer: DispatchSourceTimer?

    init(language: Language, terminal: Bool = ThisProcess.isTerminal(1) && ThisProcess.environment("TERM") != "dumb",
         width: Int = Terminal.outputWidth()) {
        self.language = language
        self.live = terminal
        self.width = width
    }

    func stepStarted(_ description: String) {
        queue.sync {
            self.description = description
            self.latest = nil
            self.started = LiveCommandRunner.now()
            if live {
                draw()
                let timer = DispatchSource.makeTimerSource(queue: queue)
                timer.schedule(deadline: .now() + 1, repeating: 1)
                timer.setEventHandler { [weak self] in self?.draw() }
                timer.resume()
                self.timer = timer
            } else {
                emit(ProgressText.started(description, language: language) + "\n")
            }
        }
    }

    func output(_ line: String) {
        let trimmed = line.trimmedSpace()
        guard !trimmed.isEmpty else { return }
        queue.async { self.latest = trimmed }
    }

    func stepFinished(_ description: String, succeeded: Bool) {
        queue.sync {
            timer?.cancel()
            timer = nil
            let seconds = Int((LiveCommandRunner.now() - started).rounded())
            let line = ProgressText.finished(description, seconds: seconds, succeeded: succeeded, language: language)
            emit((live ? "\r\u{1B}[K" : "") + line + "\n")
        }
    }

    /// On `queue`: redraws the running line in place.
    private func draw() {
        let seconds = Int(LiveCommandRunner.now() - started)
        emit("\r\u{1B}[K" + ProgressText.running(description, seconds: seconds, latest: latest, width: width))
    }

    private func emit(_ text: String) {
        // Straight to the file descriptor: print's buffer would hold a line without "\n".
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { _ = ThisProcess.writeStandardOutput($0.baseAddress!, $0.count) }
    }
}
