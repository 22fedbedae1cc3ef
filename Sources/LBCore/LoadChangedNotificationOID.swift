/// The notification (`snmpTrapOID.0`) lbclient sends when its answer changes, `lbLoadChanged`,
/// under the load-balancing enterprise subtree beside ``loadReportOID``. It carries the new
/// answer as ``loadReportOID`` = OCTET STRING, the text a GET would read (`250`, or
/// `a.example.org=250,b.example.org=-1`). lbd treats it as a hint to re-poll the node.
public let loadChangedNotificationOID = ".1.3.6.1.4.1.96.255.0.1"
