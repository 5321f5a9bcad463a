extension Stage {
    /// Stage 2: what the firmware must enable, with the menu words for this board's vendor.
    public static let bios = Stage(
        id: .bios,
        title: LocalizedText(en: "BIOS / UEFI settings", es: "Ajustes de BIOS / UEFI"),
        explanation: LocalizedText(
            en: "SR-IOV, ARI and the IOMMU (VT-d / AMD-Vi) are switched on in the firmware setup. The exact menu depends on the board vendor; some boards have no option and others have it on with no menu entry.",
            es: "SR-IOV, ARI y la IOMMU (VT-d / AMD-Vi) se activan en la configuración del firmware. El menú exacto depende del fabricante de la placa; algunas placas no tienen la opción y otras la tienen activada sin entrada en el menú."),
        checks: [FirmwareIOMMUTableCheck.self, ARIForwardingCheck.self, SRIOVBIOSSettingCheck.self]
    )
}
