/// lbclient's readers of untrusted text, each with valid inputs to mutate: what `lbbench fuzz`
/// and the fuzz sample tests drive. Each reader returns the size of what it produced (values,
/// messages), so that the work is not optimised away and a test can bound it.
package enum ClientFuzzProbes {
    /// A configuration file: its lines, then every line's check prepared (arguments validated,
    /// expressions and daemon specifications parsed).
    package static func readConfigFile(_ text: String) -> Int {
        let (file, errors) = ClientConfigFile.parseKeepingGoing(text, path: "lbclient.conf")
        let messages = errors.reduce(0) { $0 + $1.description.utf8.count }
        switch file.prepare() {
        case .success(let prepared): return messages + prepared.count
        case .failure(let failure): return messages + failure.description.utf8.count
        }
    }

    /// An `lbaliases` file.
    package static func readAliasList(_ text: String) -> Int {
        let (aliases, problems) = AliasListFile.read(text, path: "lbaliases")
        return aliases.reduce(0) { $0 + $1.utf8.count }
            + problems.reduce(0) { $0 + $1.description.utf8.count }
    }

    /// A metric expression, parsed then evaluated with a number for every metric it names.
    package static func evaluateExpression(_ text: String) -> Int {
        do {
            let expression = try MetricExpression(text)
            var values = MetricValues()
            for (index, reference) in expression.metricReferences.enumerated() {
                values[reference.name] = .number(Double(index % 7) - 1.5)
            }
            return (try? expression.evaluate(with: values))?.description.utf8.count ?? 1
        } catch {
            return error.description.utf8.count
        }
    }

    /// What `lemon-cli --script` printed.
    package static func readLemonOutput(_ text: String) -> Int {
        do {
            let output = try LemonOutput(parsing: text)
            return output.valuesByID.values.reduce(0) { total, values in
                total + values.reduce(0) { $0 + (LemonOutput.number($1).isNaN ? 1 : 2) }
            }
        } catch {
            return error.description.utf8.count
        }
    }

    /// What `collectdctl getval` and `collectdctl listval` printed (the same text through both
    /// readers).
    package static func readCollectdOutput(_ text: String) -> Int {
        let identifiers = CollectdAlarmsCheck.identifiers(inListval: text).reduce(0) { $0 + $1.utf8.count }
        do {
            return identifiers + (try CollectdValue.parseList(text, from: "collectdctl")).count
        } catch {
            return identifiers + error.description.utf8.count
        }
    }

    /// Valid configuration files.
    package static let configSeeds = [
        """
        # a typical node
        check nologin
        check tmpfull
        check sshdaemon
        check daemon --port 80 --protocol tcp --ip 0.0.0.0
        check command /bin/true --timeout 5
        check lemon [13163] > 0 && _13423:2 < 90
        check collectd [load/load:shortterm] < 40 || [df-root/percent_bytes-free] > 5
        load lemon ([20002:1] + [20003]) * 2
        load collectd 100 - [cpu/percent-idle]
        load constant 100
        check collectd_alarms [{"state": "FAILURE"}]
        check eos
        check roger
        check reboot
        """,
        "load constant 7\ncheck nologin\n",
        "check lemon (_13163 = 1) ? [1] ** 2 : -[2] % 3\nload lemon [a] =~ '^x.*y$' ? 1 : 2\n",
    ]

    /// Valid `lbaliases` files.
    package static let aliasSeeds = [
        "lbalias=www.example.org\nlbalias = api.example.org\n# comment\nlbalias=x.y\n",
        "  lbalias=alias-1.cern.ch  trailing\r\nother=line\nlbalias=alias-2.cern.ch\n",
    ]

    /// Valid expressions, with every operator family.
    package static let expressionSeeds = [
        "[13163] > 0 && _13423:2 < 90",
        "([a] + [b]) * 2 - [c] / 4 % 3 ** 2",
        "[x] == 'on' ? 1 : ([y] != 2 || !true)",
        "[load/load:shortterm] < 40 && [df/x] >= 5",
        "'abc' =~ '^a.c$' && 'z' !~ 'y+' && [m] in (1, 2, 3)",
        "~[a] & 7 | [b] ^ 3 << 2 >> 1 ?? -1",
        "_1 = 2",
    ]

    /// Valid `lemon-cli --script` outputs.
    package static let lemonSeeds = [
        "node01 13163 1700000000 1\nnode01 13423 1700000000 12.5 90 t\nnode01 20002 1700000000 false\n",
        "host 1 2 3\n\nhost 4 5 -1.5e3 nan inf\n",
    ]

    /// Valid `collectdctl getval` and `listval` outputs.
    package static let collectdSeeds = [
        "shortterm=1.500000e-01\nmidterm=2.000000e-01\nlongterm=nan\n",
        "node01/load/load\nnode01/df-root/percent_bytes-free\nnode01/cpu-0/cpu-idle\n",
        "value=5\n",
    ]

    /// Keywords and separators worth inserting whole into lbclient's text inputs.
    package static let tokens: [[UInt8]] = [
        "check ", "load ", "lemon ", "collectd ", "nologin", "daemon ", "--port ", "[", "]", "(", ")", "'",
        "\"", "&&", "||", "**", "=~", "??", " ? ", " : ", "_1:2", "\n", "\r\n", "\t", "lbalias=", "=", "/",
        "#", "e+308", "nan", "-", "\u{0}", "é",
    ].map { Array($0.utf8) }
}
