import HostAccess

/// The operating system's name, `PRETTY_NAME` of os-release(5): /etc/os-release, else
/// /usr/lib/os-release.
public enum OSRelease {
    public static let paths = ["/etc/os-release", "/usr/lib/os-release"]
    public static let reads = HostReads("OSRelease", paths: paths.map { .file($0) })

    /// `Debian GNU/Linux 12 (bookworm)`; nil when neither file names it.
    public static func prettyName(_ machine: Machine) -> String? {
        for path in paths {
            guard let text = try? machine.readText(path, limit: 64 << 10) else { continue }
            for line in text.split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
                var value = line.dropFirst("PRETTY_NAME=".count)
                if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = value.dropFirst().dropLast() }
                return String(value)
            }
        }
        return nil
    }
}
