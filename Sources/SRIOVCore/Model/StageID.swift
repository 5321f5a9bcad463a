/// The four stages of the guide, in order.
public enum StageID: String, Sendable, Codable, CaseIterable {
    case prerequisites, bios, device, activation
}
