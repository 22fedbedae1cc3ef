extension TSIGRecord {
    func write(to writer: inout DNSWireWriter) throws(DNSEncodingError) {
        guard mac.count <= 0xFFFF, otherData.count <= 0xFFFF else {
            throw DNSEncodingError(.recordDataTooLong, "TSIG MAC or other data over 65535 octets")
        }
        writer.write(algorithm, compress: false)
        writer.writeUInt48(timeSigned)
        writer.write(fudge)
        writer.write(UInt16(mac.count))
        writer.write(mac)
        writer.write(originalID)
        writer.write(error.rawValue)
        writer.write(UInt16(otherData.count))
        writer.write(otherData)
    }

    static func read(_ reader: inout DNSWireReader) throws(DNSDecodingError) -> TSIGRecord {
        let algorithm = try reader.readName()
        let timeSigned = try reader.readUInt48("TSIG time signed")
        let fudge = try reader.readUInt16("TSIG fudge")
        let macSize = try reader.readUInt16("TSIG MAC size")
        let mac = try reader.readBytes(Int(macSize), "TSIG MAC")
        let originalID = try reader.readUInt16("TSIG original ID")
        let error = try reader.readUInt16("TSIG error")
        let otherLength = try reader.readUInt16("TSIG other length")
        let otherData = try reader.readBytes(Int(otherLength), "TSIG other data")
        return TSIGRecord(
            algorithm: algorithm, timeSigned: timeSigned, fudge: fudge, mac: mac, originalID: originalID,
            error: ResponseCode(rawValue: error), otherData: otherData)
    }
}
