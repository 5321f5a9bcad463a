import ArgumentParser
import HostAccess
import SRIOVCore

/// `--width`: the column count text output wraps to.
struct WidthOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        tr("Wrap text at N columns (default: the terminal's width, else $COLUMNS, else 80; the walkthrough uses 80 so documentation stays reproducible).",
           "Ajusta el texto a N columnas (por defecto: el ancho del terminal, si no $COLUMNS, si no 80; el recorrido usa 80 para que la documentación sea reproducible)."),
        valueName: "N"))
    var width: Int?

    func validate() throws {
        if let width, width < 40 || width > 1000 {
            // Validated before the command's --lang is known: the environment's language.
            throw ValidationError(CommandLineLanguage.current == .es
                ? "--width \(width): indique un número de columnas de 40 a 1000."
                : "--width \(width): give a number of columns from 40 to 1000.")
        }
    }

    /// The width to wrap at; `fixed` is used instead of asking the terminal (walkthrough).
    func resolved(fixed: Int? = nil) -> Int { width ?? fixed ?? Terminal.outputWidth() }
}

/// `--fail-on`: the level from which `check` exits with status 1.
enum FailLevel: String, ExpressibleByArgument, CaseIterable {
    case fail, warn, note

    /// True when a check at `level` makes `check` fail (skipped checks never do).
    func isMet(by level: CheckLevel) -> Bool {
        level != .skip && level.severity >= threshold.severity
    }

    /// The lowest level that fails (a subset of `CheckLevel`: pass and skip never fail).
    var threshold: CheckLevel {
        switch self {
        case .fail: .fail
        case .warn: .warn
        case .note: .note
        }
    }
}
