/// The version of the product: `lbd --version` and `lbclient --version` print this one number,
/// so that the daemon and the node agent of one release are recognisably the same.
public enum ProductVersion {
    public static let current = "0.4.0"
}
