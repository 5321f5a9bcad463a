#if canImport(Glibc)
import Glibc
#endif

/// Facts about the terminal the tool writes to (not about the machine being inspected).
public enum Terminal {
    /// The width in columns of the terminal on `fd`, asked with `TIOCGWINSZ` (tty_ioctl(4));
    /// nil when `fd` is not a terminal or the terminal does not know its size (a pty opened
    /// by `script` reports 0 columns).
    public static func columns(_ fd: Int32) -> Int? {
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }

    /// The width text output wraps to: the terminal's own size, else `$COLUMNS` (rarely
    /// exported and dropped by sudo), else 80, the width of an SSH session or the Proxmox
    /// console. Widths under 40 are not honoured: nothing useful fits.
    public static func outputWidth(fd: Int32 = 1, environment: (String) -> String? = ThisProcess.environment) -> Int {
        if let columns = columns(fd), columns >= 40 { return columns }
        if let columns = environment("COLUMNS").flatMap({ Int($0) }), columns >= 40 { return columns }
        return 80
    }
}
