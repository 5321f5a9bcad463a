import ArgumentParser
import SRIOVCore

/// The language of what the command line itself says: `--help`, usage errors and the
/// messages of `validate()`, which ArgumentParser renders before a command has its parsed
/// `--lang`. Worked out once from the raw arguments (`--lang es`, `--lang=es`, before a `--`),
/// else LC_ALL/LC_MESSAGES/LANG: the answer `LanguageOptions.resolved` gives the command later.
enum CommandLineLanguage {
    static let current: Language = requested(in: Array(CommandLine.arguments.dropFirst())) ?? LanguageOptions.fromEnvironment

    /// The language `--lang` asks for in `arguments`; nil when there is none or it is not en/es
    /// (the parser then says what is wrong with it).
    static func requested(in arguments: [String]) -> Language? {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" { break }
            if argument == "--lang", index + 1 < arguments.count {
                return LanguageChoice(rawValue: arguments[index + 1])?.value
            }
            if argument.hasPrefix("--lang=") {
                return LanguageChoice(rawValue: String(argument.dropFirst("--lang=".count)))?.value
            }
            index += 1
        }
        return nil
    }

    /// ArgumentParser's own words (section titles, "(default: …)", its usage errors) in
    /// `language`; everything else in `text` (ours, already in that language) is left as is.
    /// The JSON of `--experimental-dump-help` (the man page generator reads it) is never touched.
    static func frameworkWords(_ text: String, language: Language = current) -> String {
        guard language == .es, !text.hasPrefix("{") else { return text }
        var text = text
        for (pattern, replacement) in spanish {
            text = text.replacing(pattern) { replacement($0.output) }
        }
        return text
    }

    /// Quoted names are ArgumentParser's '…'; Spanish uses «…».
    private static var spanish: [(Regex<(Substring, Substring)>, ((Substring, Substring)) -> String)] { [
        (#/(?m)^(OVERVIEW): /#, { _ in "RESUMEN: " }),
        (#/(?m)^(USAGE): /#, { _ in "USO: " }),
        (#/(?m)^(Usage): /#, { _ in "Uso: " }),
        (#/(?m)^(ARGUMENTS):$/#, { _ in "ARGUMENTOS:" }),
        (#/(?m)^(OPTIONS):$/#, { _ in "OPCIONES:" }),
        (#/(?m)^(SUBCOMMANDS):$/#, { _ in "ÓRDENES:" }),
        (#/(Show help information\.)/#, { _ in "Muestra esta ayuda." }),
        (#/(Show the version\.)/#, { _ in "Muestra la versión." }),
        (#/\((default):/#, { _ in "(por defecto:" }),
        (#/\((default as flag):/#, { _ in "(por defecto como indicador:" }),
        (#/;(\s+)default:/#, { ";\($0.1)por defecto:" }),
        (#/\((values):/#, { _ in "(valores:" }),
        (#/See '([^']*) <subcommand>' for detailed help\./#, { "Vea «\($0.1) <orden>» para la ayuda de cada orden." }),
        (#/See '([^']*)' for more information\./#, { "Vea «\($0.1)» para más información." }),
        (#/Unknown option '([^']*)'/#, { "Opción desconocida «\($0.1)»" }),
        (#/Did you mean '([^']*)'\?/#, { "¿Quiso decir «\($0.1)»?" }),
        (#/Missing value for '([^']*)'/#, { "Falta el valor de «\($0.1)»" }),
        (#/Missing expected argument '([^']*)'/#, { "Falta el argumento «\($0.1)»" }),
        (#/Missing one of: '([^']*)'/#, { "Falta uno de: «\($0.1)»" }),
        (#/Unexpected argument '([^']*)'/#, { "Argumento inesperado «\($0.1)»" }),
        (#/(\d+) unexpected arguments: /#, { "\($0.1) argumentos inesperados: " }),
        (#/The value '([^']*)' is invalid/#, { "El valor «\($0.1)» no es válido" }),
        (#/ for '([^']*)'/#, { " para «\($0.1)»" }),
        (#/\. (Please provide one of the following):/#, { _ in ". Indique uno de estos:" }),
        (#/\. (Please provide one of) /#, { _ in ". Indique uno de " }),
        (#/(Missing required subcommand)\./#, { _ in "Falta la orden." }),
        (#/(Invalid option): /#, { _ in "Opción no válida: " }),
        (#/(?m)^(Help):  /#, { _ in "Ayuda:  " }),
        (#/(Indique uno de [^\n]*)/#, { list in
            String(list.1).replacing(" and ", with: " y ").replacing(#/'([^']*)'/#) { "«\($0.1)»" }
        }),
    ] }
}

/// A help or usage text in the command line's language (`CommandLineLanguage.current`).
func tr(_ en: String, _ es: String) -> String { CommandLineLanguage.current == .es ? es : en }
