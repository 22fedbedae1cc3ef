/// The OID under which every node reports its load, as golbd and golbclient use it: no `.0`
/// instance suffix.
public let loadReportOID = ".1.3.6.1.4.1.96.255.1"
