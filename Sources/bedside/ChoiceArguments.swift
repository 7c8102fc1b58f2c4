import ArgumentParser
import Core
import Inference
import LocalGateway

/// Options with a fixed set of values parse into their types, as the config layer reads the
/// same settings (`ConfigChoice.init(setting:)`, any case): `--help` lists the values, and
/// argument-parser refuses any other value with the choices named, before the command runs.
extension ExpressibleByArgument where Self: ConfigChoice {
    public init?(argument: String) { self.init(setting: argument) }
}

extension RetrieverKind: ExpressibleByArgument {}
extension IndexKind: ExpressibleByArgument {}
extension AuditExport.Format: ConfigChoice, ExpressibleByArgument {}
