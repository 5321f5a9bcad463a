/// Decides PF/VF roles for functions read from lspci output, where there are no `physfn` /
/// `virtfn` links to read.
enum LspciRoles {
    /// What the lines of a function said beyond the model, for the VF rules.
    struct Hints {
        /// Every BAR line was marked `[virtual]`: lspci's sign of a BAR the kernel assigned
        /// without a config-space register, as VF BARs are.
        var allRegionsVirtual = false
    }

    /// VF addresses computed over the whole output, at most: NumVFs is 16 bits per PF, and
    /// a crafted input with thousands of PFs must not cost billions of steps.
    static let linkBudget = 1 << 20

    /// In address order (lspci's output order): a function with SR-IOV is a PF unless it sits
    /// at a VF address (PF routing ID + VF offset + i * stride, i < NumVFs) of a PF before it,
    /// which makes it a VF even if it shows an SR-IOV capability (some root complexes mirror
    /// the PF's capability into their VFs). A function whose name says "Virtual Function", or
    /// a PCIe function whose BARs are all `[virtual]`, is a VF whose PF is not in the output.
    /// Returns a note when the link budget ran out.
    static func assign(_ functions: inout [PCIFunction], hints: [Hints]) -> String? {
        var index: [PCIAddress: Int] = [:]
        for (i, f) in functions.enumerated() where index[f.address] == nil { index[f.address] = i }
        for i in functions.indices { functions[i].role = .none }
        var budget = linkBudget
        for i in functions.indices.sorted(by: { functions[$0].address < functions[$1].address }) {
            guard functions[i].role != .vf, functions[i].sriov != nil else { continue }
            if looksLikeVF(functions[i], hints.indices.contains(i) ? hints[i] : Hints()) {
                functions[i].role = .vf
                continue
            }
            functions[i].role = .pf
            linkVFs(of: i, in: &functions, index: index, budget: &budget)
        }
        for i in functions.indices where functions[i].role == .none {
            if looksLikeVF(functions[i], hints.indices.contains(i) ? hints[i] : Hints()) { functions[i].role = .vf }
        }
        return budget < 0 ? "more VF addresses than \(linkBudget) to check; some PF-VF links were not made" : nil
    }

    static func linkVFs(of pf: Int, in functions: inout [PCIFunction], index: [PCIAddress: Int], budget: inout Int) {
        guard let state = functions[pf].sriov, let numVFs = state.numVFs, numVFs > 0, numVFs <= Int(UInt16.max),
              let offset = state.vfOffset.flatMap(UInt16.init(exactly:)),
              let stride = state.vfStride.flatMap(UInt16.init(exactly:)) else { return }
        // With stride 0 every VF would have the same address.
        let count = min(stride == 0 ? 1 : numVFs, max(budget, 0))
        budget -= stride == 0 ? 1 : numVFs
        guard count > 0,
              let addresses = SRIOVCapability.vfAddresses(pf: functions[pf].address, offset: offset, stride: stride, count: count)
        else { return }
        for address in addresses {
            guard let vf = index[address], vf != pf, functions[vf].role != .pf else { continue }
            functions[vf].role = .vf
            functions[vf].physfn = functions[pf].address
            functions[pf].virtfns.append(address)
        }
    }

    /// `[virtual]` alone is not enough: a conventional function whose BAR registers read 0 (a
    /// device in D3cold, firmware-hidden BARs: Intel LPSS controllers on laptops) shows it
    /// too. VFs are PCI Express functions, so the Express capability must be there or the
    /// capability list unknown.
    static func looksLikeVF(_ f: PCIFunction, _ hints: Hints) -> Bool {
        if f.deviceName?.contains("Virtual Function") == true { return true }
        return hints.allRegionsVirtual && (f.capabilities == nil || f.express != nil)
    }
}
