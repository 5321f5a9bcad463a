import HostAccess

/// What a running plan tells the person waiting: a step began, the command printed a line,
/// the step ended. `update-initramfs -u -k all`, `update-grub`, `proxmox-boot-tool refresh`,
/// driver reloads and VF creation take from seconds to minutes; the CLI draws this on a
/// terminal (step, elapsed seconds, the latest line) or prints a start and an end line.
/// Called only for what really runs on the host (commands and sysfs writes), on the thread
/// that runs the plan, except `output`, which comes while a command runs.
public protocol PlanProgress: Sendable {
    func stepStarted(_ description: String)
    func output(_ line: String)
    func stepFinished(_ description: String, succeeded: Bool)
}

/// The words of the progress display, in both languages, and the line a terminal shows.
public enum ProgressText {
    /// `  … update-initramfs -u -k all · 12 s · update-initramfs: Generating /boot/initrd.img-6.8`
    /// cut to `width` columns (the latest output line is what gets shortened).
    public static func running(_ description: String, seconds: Int, latest: String?, width: Int) -> String {
        let head = "  … " + TerminalText.visible(description, keepTabs: false) + " · \(seconds) s"
        guard let latest, !latest.isEmpty else { return cut(head, width) }
        return cut(head + " · " + TerminalText.visible(latest, keepTabs: false).trimmedSpace(), width)
    }

    /// The line printed when a step begins where no terminal shows a live line.
    public static func started(_ description: String, language: Language) -> String {
        LocalizedText(en: "  started: \(description)", es: "  empieza: \(description)").text(language)
    }

    /// `  done in 12 s: ...` / `  failed after 3 s: ...`.
    public static func finished(_ description: String, seconds: Int, succeeded: Bool, language: Language) -> String {
        succeeded
            ? LocalizedText(en: "  done in \(seconds) s: \(description)", es: "  hecho en \(seconds) s: \(description)").text(language)
            : LocalizedText(en: "  failed after \(seconds) s: \(description)", es: "  falló tras \(seconds) s: \(description)").text(language)
    }

    static func cut(_ line: String, _ width: Int) -> String {
        let limit = max(20, width - 1)
        guard line.count > limit else { return line }
        return String(line.prefix(limit - 1)) + "…"
    }
}
