import HostAccess

/// `--root host.tar.gz`: a snapshot archive as a user sent it, unpacked into a private
/// directory (0700, unpredictable name) after its listing was checked, so that an archive
/// from anyone cannot write outside that directory.
///
/// GNU tar already drops leading `/` and refuses `..` members; the listing check does not rely
/// on that. It refuses, before a byte is unpacked: absolute names and `..` components, members
/// under a member that is a symbolic link (a link `a -> /etc` then `a/passwd` would write
/// through it), any type but regular files, directories and symbolic links (no hard links,
/// devices or FIFOs), more than `maximumMembers` members and more than `maximumBytes` in all.
/// Symbolic links themselves may point anywhere: sysfs is made of `../../devices/...` links, and
/// reading the unpacked tree is confined to it by `Machine` (openat2 RESOLVE_IN_ROOT).
/// Owners and modes from the archive are not applied (`--no-same-owner --no-same-permissions`).
public enum SnapshotArchive {
    public static let maximumMembers = 500_000
    public static let maximumBytes: Int64 = 1 << 30

    public struct Member: Equatable, Sendable {
        public enum Kind: Equatable, Sendable { case file, directory, symlink, other(Character) }
        public var kind: Kind
        public var size: Int64
        /// The name without a leading `./`.
        public var name: String
    }

    /// Why an archive is refused, in the user's language.
    public struct Refusal: Error, Equatable, Sendable {
        public var text: LocalizedText
    }

    /// True for a path naming a regular file (an archive) rather than a directory.
    public static func isArchive(_ path: String, on local: Machine) -> Bool {
        local.exists(path) && !local.isDirectory(path)
    }

    /// Unpacks `archive` (a path on `local`) into a new private directory under `parent` and
    /// returns that directory. The caller removes it when done.
    public static func unpack(_ archive: String, on local: Machine, into parent: String) throws(Refusal) -> String {
        let listing: CommandResult
        do {
            listing = try local.run(["tar", "--quoting-style=c", "--numeric-owner", "-tvzf", archive], timeout: 300)
        } catch {
            throw Refusal(text: LocalizedText(en: "\(archive): cannot run tar: \(error)", es: "\(archive): no se puede ejecutar tar: \(error)"))
        }
        guard listing.status == 0 else {
            throw Refusal(text: LocalizedText(
                en: "\(archive): not a .tar.gz archive that tar can read (\(firstLine(listing.stderrText))). Give a snapshot directory or the .tar.gz made by `sriov-wizard snapshot --archive`.",
                es: "\(archive): no es un archivo .tar.gz que tar pueda leer (\(firstLine(listing.stderrText))). Indique un directorio de instantánea o el .tar.gz de `sriov-wizard snapshot --archive`."))
        }
        let members = try parse(listing.stdoutText, archive: archive)
        try check(members, archive: archive)
        let directory: String
        do { directory = try TreeWriter.createPrivateTemporaryDirectory(in: parent, prefix: "sriov-wizard-root-") } catch {
            throw Refusal(text: LocalizedText(en: "cannot create a private directory under \(parent): \(error.description)",
                                              es: "no se puede crear un directorio privado en \(parent): \(error.spanishDescription)"))
        }
        let unpacked = try? local.run(["tar", "-xzf", archive, "-C", directory, "--no-same-owner", "--no-same-permissions",
                                       "--no-overwrite-dir", "--delay-directory-restore"], timeout: 600)
        guard let unpacked, unpacked.status == 0 else {
            _ = try? local.run(["rm", "-rf", "--one-file-system", "--", directory], timeout: 120)
            throw Refusal(text: LocalizedText(
                en: "\(archive): tar could not unpack it (\(firstLine(unpacked?.stderrText ?? "")))",
                es: "\(archive): tar no pudo desempaquetarlo (\(firstLine(unpacked?.stderrText ?? "")))"))
        }
        return directory
    }

    /// Parses `tar -tv --quoting-style=c` output: `MODE OWNER SIZE DATE TIME "NAME"[ -> "TARGET"]`.
    public static func parse(_ listing: String, archive: String) throws(Refusal) -> [Member] {
        var members: [Member] = []
        for line in listing.split(separator: "\n", omittingEmptySubsequences: true) {
            guard let kindCharacter = line.first, let quote = line.firstIndex(of: "\"") else {
                throw unreadable(archive, String(line))
            }
            let fields = line[..<quote].split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 3 else { throw unreadable(archive, String(line)) }
            let kind: Member.Kind
            switch kindCharacter {
            case "-": kind = .file
            case "d": kind = .directory
            case "l": kind = .symlink
            default: kind = .other(kindCharacter)
            }
            guard let name = unquote(line[line.index(after: quote)...]) else { throw unreadable(archive, String(line)) }
            // Device members show "MAJOR,MINOR" where the size stands: refused below by kind.
            let size = Int64(fields[2]) ?? 0
            var clean = name
            while clean.hasPrefix("./") { clean.removeFirst(2) }
            if clean == "." { clean = "" }
            members.append(Member(kind: kind, size: size, name: clean))
        }
        return members
    }

    /// The listing rules (see the type's comment).
    public static func check(_ members: [Member], archive: String) throws(Refusal) {
        guard members.count <= maximumMembers else {
            throw Refusal(text: LocalizedText(
                en: "\(archive): \(members.count) members, more than the \(maximumMembers) a snapshot has; refused.",
                es: "\(archive): \(members.count) miembros, más de los \(maximumMembers) que tiene una instantánea; rechazado."))
        }
        var total: Int64 = 0
        var links = Set<String>()
        for member in members where member.kind == .symlink { links.insert(trimmedSlashes(member.name)) }
        for member in members {
            let shown = member.name.debugDescription
            if member.name.hasPrefix("/") {
                throw Refusal(text: LocalizedText(en: "\(archive): member \(shown) has an absolute name; refused.",
                                                  es: "\(archive): el miembro \(shown) tiene un nombre absoluto; rechazado."))
            }
            let parts = trimmedSlashes(member.name).split(separator: "/").map(String.init)
            if parts.contains("..") {
                throw Refusal(text: LocalizedText(en: "\(archive): member \(shown) climbs out with '..'; refused.",
                                                  es: "\(archive): el miembro \(shown) sale con '..'; rechazado."))
            }
            if case .other(let c) = member.kind {
                throw Refusal(text: LocalizedText(
                    en: "\(archive): member \(shown) is of type '\(c)' (only files, directories and symbolic links are unpacked); refused.",
                    es: "\(archive): el miembro \(shown) es de tipo '\(c)' (solo se desempaquetan ficheros, directorios y enlaces simbólicos); rechazado."))
            }
            for end in parts.indices.dropLast() where links.contains(parts[...end].joined(separator: "/")) {
                throw Refusal(text: LocalizedText(
                    en: "\(archive): member \(shown) lies under the symbolic link \(parts[...end].joined(separator: "/").debugDescription); refused.",
                    es: "\(archive): el miembro \(shown) está bajo el enlace simbólico \(parts[...end].joined(separator: "/").debugDescription); rechazado."))
            }
            total += max(0, member.size)
            if total > maximumBytes {
                throw Refusal(text: LocalizedText(
                    en: "\(archive): more than \(maximumBytes >> 20) MiB unpacked, far more than a snapshot; refused.",
                    es: "\(archive): más de \(maximumBytes >> 20) MiB desempaquetado, mucho más que una instantánea; rechazado."))
            }
        }
    }

    /// The C-quoted string at the start of `text` (after its opening quote), unescaped.
    static func unquote(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let b = iterator.next() {
            switch b {
            case UInt8(ascii: "\""): return String(decoding: bytes, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let e = iterator.next() else { return nil }
                switch e {
                case UInt8(ascii: "n"): bytes.append(0x0A)
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "r"): bytes.append(0x0D)
                case UInt8(ascii: "a"): bytes.append(0x07)
                case UInt8(ascii: "b"): bytes.append(0x08)
                case UInt8(ascii: "f"): bytes.append(0x0C)
                case UInt8(ascii: "v"): bytes.append(0x0B)
                case UInt8(ascii: "0")...UInt8(ascii: "7"):
                    var value = Int(e - UInt8(ascii: "0"))
                    for _ in 0..<2 {
                        guard let d = iterator.next(), (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(d) else { return nil }
                        value = value * 8 + Int(d - UInt8(ascii: "0"))
                    }
                    bytes.append(UInt8(truncatingIfNeeded: value))
                default: bytes.append(e)
                }
            default: bytes.append(b)
            }
        }
        return nil
    }

    private static func trimmedSlashes(_ name: String) -> String {
        var s = Substring(name)
        while s.hasSuffix("/") { s = s.dropLast() }
        return String(s)
    }

    private static func firstLine(_ text: String) -> String {
        String(text.split(separator: "\n").first ?? "").trimmedSpace()
    }

    private static func unreadable(_ archive: String, _ line: String) -> Refusal {
        Refusal(text: LocalizedText(en: "\(archive): cannot read tar's listing line \(line.debugDescription); refused.",
                                    es: "\(archive): no se entiende la línea del listado de tar \(line.debugDescription); rechazado."))
    }
}
