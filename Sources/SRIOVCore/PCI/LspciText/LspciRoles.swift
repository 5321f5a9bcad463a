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

    /// `PCI_CAP_ID_EA` (PCI Firmware / PCI Local Bus ECN "Enhanced Allocation", pciutils `header.h`).
    static let enhancedAllocationID: UInt16 = 0x14

    /// In address order (lspci's output order): a function with SR-IOV is a PF unless it sits
    /// at a VF address (PF routing ID + VF offset + i * stride, i < NumVFs) of a PF before it,
    /// which makes it a VF even if it shows an SR-IOV capability (some root complexes mirror
    /// the PF's capability into their VFs), or its name says "Virtual Function". `[virtual]`
    /// BARs do not make a function with SR-IOV a VF: a PF whose BARs come from Enhanced
    /// Allocation (Cavium ThunderX, NXP LS1028A) prints them so with pciutils before 3.5.0 or
    /// a kernel that does not flag EA resources. Then, for functions the capabilities did not
    /// place: a name with "Virtual Function", or a PCIe function without Enhanced Allocation
    /// whose BARs are all `[virtual]`, is a VF; Intel iGPU functions beside 00:02.0 and the
    /// PFs named like VFs are placed by the layout (`inferFromLayout`). Returns the notes.
    static func assign(_ functions: inout [PCIFunction], hints: [Hints]) -> [LocalizedText] {
        var index: [PCIAddress: Int] = [:]
        for (i, f) in functions.enumerated() where index[f.address] == nil { index[f.address] = i }
        for i in functions.indices {
            functions[i].role = .none
            functions[i].roleInferredFrom = nil
        }
        var budget = linkBudget
        for i in functions.indices.sorted(by: { functions[$0].address < functions[$1].address }) {
            guard functions[i].role != .vf, functions[i].sriov != nil else { continue }
            if namedVF(functions[i]) {
                functions[i].role = .vf
                functions[i].roleInferredFrom = "name"
                continue
            }
            functions[i].role = .pf
            linkVFs(of: i, in: &functions, index: index, budget: &budget)
        }
        for i in functions.indices where functions[i].role == .none {
            if namedVF(functions[i]) {
                functions[i].role = .vf
                functions[i].roleInferredFrom = "name"
            } else if hints.indices.contains(i), virtualBARsVF(functions[i], hints[i]) {
                functions[i].role = .vf
                functions[i].roleInferredFrom = "virtual-bars"
            }
        }
        var notes = inferFromLayout(&functions, index: index)
        if budget < 0 {
            notes.append(LocalizedText(en: "more VF addresses than \(linkBudget) to check; some PF-VF links were not made",
                                       es: "más de \(linkBudget) direcciones de VF que comprobar; no se hicieron algunos enlaces PF-VF"))
        }
        return notes
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

    /// "Virtual Function" in the device name, in any case (pci.ids has "virtual function"
    /// for Cavium, "Virtual Function" for Intel, Mellanox, Broadcom).
    static func namedVF(_ f: PCIFunction) -> Bool {
        guard let name = f.deviceName else { return false }
        return name.contains("Virtual Function") || name.lowercased().contains("virtual function")
    }

    /// `[virtual]` alone is not enough: a conventional function whose BAR registers read 0 (a
    /// device in D3cold, firmware-hidden BARs: Intel LPSS controllers on laptops) shows it
    /// too, and so does a function whose BARs come from Enhanced Allocation (`lspci.c`
    /// `show_bases` before the `[enhanced]` flag, pciutils commit 558f736, v3.5.0). VFs are
    /// PCI Express functions, so the Express capability must be there or the capability list
    /// unknown, and Enhanced Allocation (capability 0x14) must not be.
    static func virtualBARsVF(_ f: PCIFunction, _ hints: Hints) -> Bool {
        guard hints.allRegionsVirtual else { return false }
        if f.capabilities?.contains(where: { $0.space == .standard && $0.id == enhancedAllocationID }) == true { return false }
        return f.capabilities == nil || f.express != nil
    }
}
