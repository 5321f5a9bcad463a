#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The same errors in Spanish (`--lang es`). `strerror(3)` speaks the C locale's English, so
/// the errnos this tool meets (reads of sysfs/procfs and snapshots, writes of sysfs attributes
/// and config files, starting commands) have their own words here; any other errno keeps the
/// system's text, with its name (`EXDEV`) so it can still be looked up.
extension HostAccessError {
    public var spanishDescription: String {
        switch self {
        case .notFound(let p): return "\(p): no existe el archivo o el directorio"
        case .permissionDenied(let p): return "\(p): permiso denegado (ejecute como root para leerlo)"
        case .notRegularFile(let p, let k): return "\(p): es un \(HostAccessError.spanishKind(k)), no un archivo normal; no se lee"
        case .tooLarge(let p, let l): return "\(p): supera el límite de \(l) bytes; no se lee"
        case .notADirectory(let p): return "\(p): no es un directorio"
        case .notASymlink(let p): return "\(p): no es un enlace simbólico"
        case .symlinkLoop(let p): return "\(p): demasiados niveles de enlaces simbólicos"
        case .io(let p, let e): return "\(p): \(HostAccessError.spanishText(for: e))"
        case .invalidPath(let p, let r): return "\(p): \(r)"
        case .outsideRoot(let p, let r): return "\(p): un enlace simbólico del camino sale de la raíz \(r); no se sigue (se lee como ausente)"
        case .commandNotFound(let c): return "\(c): orden no encontrada en PATH"
        case .commandNotRecorded(let argv, let s):
            return "`\(argv.joined(separator: " "))` no se grabó en la instantánea \(s)"
        case .commandFailedToStart(let argv, let e):
            return "`\(argv.joined(separator: " "))` no se pudo iniciar: \(HostAccessError.spanishText(for: e))"
        case .commandTimedOut(let argv, let s):
            return "`\(argv.joined(separator: " "))` no terminó en \(s) s y se detuvo"
        }
    }

    /// The description in Spanish or in English.
    public func description(spanish: Bool) -> String { spanish ? spanishDescription : description }

    /// `strerror(code)` in Spanish, `(errno N)` as in `text(for:)`; the system's English text
    /// with the errno's name for an errno not in the table.
    public static func spanishText(for code: Int32) -> String {
        if let words = spanishWords[code] { return "\(words) (errno \(code))" }
        let english = strerror(code).map { String(cString: $0) } ?? "errno \(code)"
        return "\(english) (\(errnoName(code)), errno \(code))"
    }

    /// The Spanish words for the errnos the tool meets (glibc's es_ES translations).
    static let spanishWords: [Int32: String] = [
        EPERM: "Operación no permitida",
        ENOENT: "No existe el archivo o el directorio",
        EIO: "Error de entrada/salida",
        ENXIO: "No existe el dispositivo o la dirección",
        E2BIG: "La lista de argumentos es demasiado larga",
        ENOEXEC: "Error de formato de ejecutable",
        EBADF: "Descriptor de archivo incorrecto",
        EAGAIN: "Recurso no disponible temporalmente",
        ENOMEM: "No se puede asignar memoria",
        EACCES: "Permiso denegado",
        EFAULT: "Dirección incorrecta",
        EBUSY: "Dispositivo o recurso ocupado",
        EEXIST: "El archivo ya existe",
        EXDEV: "Enlace entre dispositivos no válido",
        ENODEV: "No existe el dispositivo",
        ENOTDIR: "No es un directorio",
        EISDIR: "Es un directorio",
        EINVAL: "Argumento no válido",
        ENFILE: "Demasiados archivos abiertos en el sistema",
        EMFILE: "Demasiados archivos abiertos",
        ETXTBSY: "Archivo de texto ocupado",
        EFBIG: "Archivo demasiado grande",
        ENOSPC: "No queda espacio en el dispositivo",
        ESPIPE: "Búsqueda ilegal",
        EROFS: "Sistema de archivos de solo lectura",
        EMLINK: "Demasiados enlaces",
        EPIPE: "Tubería rota",
        ERANGE: "Resultado numérico fuera de rango",
        ENAMETOOLONG: "Nombre de archivo demasiado largo",
        ENOTEMPTY: "El directorio no está vacío",
        ELOOP: "Demasiados niveles de enlaces simbólicos",
        ENOTSUP: "Operación no admitida",
        ETIMEDOUT: "Se agotó el tiempo de conexión",
        EINTR: "Llamada al sistema interrumpida",
        ECHILD: "No hay ningún proceso hijo",
        EDQUOT: "Se ha excedido la cuota de disco",
    ]

    /// `ENOENT`, `EXDEV`, ...; `errno N` for one without a name here.
    public static func errnoName(_ code: Int32) -> String {
        let names: [Int32: String] = [
            EPERM: "EPERM", ENOENT: "ENOENT", EIO: "EIO", ENXIO: "ENXIO", E2BIG: "E2BIG", ENOEXEC: "ENOEXEC", EBADF: "EBADF",
            EAGAIN: "EAGAIN", ENOMEM: "ENOMEM", EACCES: "EACCES", EFAULT: "EFAULT", EBUSY: "EBUSY", EEXIST: "EEXIST",
            EXDEV: "EXDEV", ENODEV: "ENODEV", ENOTDIR: "ENOTDIR", EISDIR: "EISDIR", EINVAL: "EINVAL", ENFILE: "ENFILE",
            EMFILE: "EMFILE", ETXTBSY: "ETXTBSY", EFBIG: "EFBIG", ENOSPC: "ENOSPC", ESPIPE: "ESPIPE", EROFS: "EROFS",
            EMLINK: "EMLINK", EPIPE: "EPIPE", ERANGE: "ERANGE", ENAMETOOLONG: "ENAMETOOLONG", ENOTEMPTY: "ENOTEMPTY",
            ELOOP: "ELOOP", ENOTSUP: "ENOTSUP", ETIMEDOUT: "ETIMEDOUT", EINTR: "EINTR", ECHILD: "ECHILD", EDQUOT: "EDQUOT",
            ENOSYS: "ENOSYS", EOVERFLOW: "EOVERFLOW", ENOLCK: "ENOLCK", ESTALE: "ESTALE", ENOTTY: "ENOTTY",
        ]
        return names[code] ?? "errno \(code)"
    }

    /// The file kinds `notRegularFile` names (`fifo`, `socket`, `directory`, ...).
    static func spanishKind(_ kind: String) -> String {
        switch kind {
        case "fifo": return "fifo"
        case "socket": return "socket"
        case "directory": return "directorio"
        case "character device": return "dispositivo de caracteres"
        case "block device": return "dispositivo de bloques"
        case "symbolic link": return "enlace simbólico"
        case "regular file": return "archivo normal"
        case "special file": return "archivo especial"
        default: return kind
        }
    }
}

extension Machine {
    /// `unreadableReason(_:)` in English and in Spanish; nil when the file can be read.
    public func unreadableReasons(_ path: String) -> (en: String, es: String)? {
        do { _ = try read(path); return nil } catch {
            switch error {
            case .notFound: return ("missing", "falta")
            case .outsideRoot:
                return ("missing: a symbolic link on its way leads out of the root \(root); not followed",
                        "falta: un enlace simbólico del camino sale de la raíz \(root); no se sigue")
            default: return (error.description, error.spanishDescription)
            }
        }
    }
}
