/// A setting with a fixed set of values, read the same way wherever it is written
/// (config.toml, a variable, a command-line flag): its raw value, in any case.
public protocol ConfigChoice: CaseIterable, RawRepresentable, Sendable where RawValue == String {}

extension ConfigChoice {
    /// `text` as one of the values, whatever its case; nil when it is none of them.
    public init?(setting text: String) { self.init(rawValue: text.lowercased()) }

    /// The kind of a key holding one of these values (its errors and reference list them).
    public static var configKind: ConfigKey.Kind { .choice(allCases.map(\.rawValue)) }
}
