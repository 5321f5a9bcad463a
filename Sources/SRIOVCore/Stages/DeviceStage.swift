extension Stage {
    /// Stage 3: whether the device itself can do SR-IOV, and with which driver.
    public static let device = Stage(
        id: .device,
        title: LocalizedText(en: "Device compatibility", es: "Compatibilidad del dispositivo"),
        explanation: LocalizedText(
            en: "The device needs both the ARI and the SR-IOV capabilities (as `lspci -vv -d ::200 | grep IOV` shows), a number of VFs, and a driver that can create them.",
            es: "El dispositivo necesita las capacidades ARI y SR-IOV (como muestra `lspci -vv -d ::200 | grep IOV`), un número de VFs y un controlador que pueda crearlas."),
        checks: [SRIOVCapabilityCheck.self, ARICapabilityCheck.self, VFCapacityCheck.self, DriverSupportCheck.self]
    )
}
