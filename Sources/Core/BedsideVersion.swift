/// Bedside's version: what `bedside --version` prints and what a gateway reports on
/// `/healthz`, so `bedside doctor --gateway` can tell a client and a server apart.
public enum BedsideVersion {
    public static let current = "0.1.0"
}
