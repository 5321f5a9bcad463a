import HostAccess
import Synchronization

/// Records every access a `Machine` makes, for tests that check what the tool reads
/// (ReadsCoverageTests: every read must be declared in `HostReads.registry`).
public final class RecordingObserver: MachineObserver {
    private let recorded = Mutex<[MachineAccess]>([])

    public init() {}

    public func observe(_ access: MachineAccess) {
        recorded.withLock { $0.append(access) }
    }

    /// Every access, in order, each once.
    public var accesses: [MachineAccess] {
        recorded.withLock { all in
            var seen = Set<MachineAccess>()
            return all.filter { seen.insert($0).inserted }
        }
    }
}

extension Machine {
    /// The same machine, its accesses told to `observer`.
    public func observed(by observer: any MachineObserver) -> Machine {
        var copy = self
        copy.observer = observer
        return copy
    }
}
