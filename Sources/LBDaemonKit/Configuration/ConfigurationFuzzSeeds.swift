/// Valid configuration files in each format, and the fragments worth inserting whole, for
/// `lbbench fuzz` and the fuzz sample tests to mutate (copies of the test fixtures, so that the
/// benchmark needs no files).
package enum ConfigurationFuzzSeeds {
    /// Seeds of `format`.
    package static func seeds(_ format: ConfigurationFormat) -> [String] {
        switch format {
        case .native: [native, "version: 1\naliases:\n  a.example.org: [n1.example.org]\n"]
        case .golbdLines: [golbdLines]
        case .golbdYAML: [golbdYAML]
        }
    }

    /// Keys, YAML syntax and separators of the three formats.
    package static let tokens: [[UInt8]] = [
        "aliases:", "members:", "best_hosts: ", "parameters ", "clusters ", " = ", "#", ": ", "- ", "[", "]",
        "{", "}", "&a ", "*a", "<<: ", "!!str ", "|\n", ">\n", "---\n", "\n  ", "\n", "'", "\"", ",", "~",
        "2001:db8::1", ".example.org", "polling_interval: ", "30s", "behaviour#mindless ", "ttl#60 ",
    ].map { Array($0.utf8) }

    static let native = #"""
        # lbd's native format, one feature per alias (see ConfigurationNativeTests).
        version: 1

        defaults:
          best_hosts: 2
          when_none_usable: empty
          polling_interval: 5m
          ttl: 120
          external: yes
          partition: batch

        aliases:
          # A bare list: members only, every default.
          list.example.org: [n1.example.org, n2.example.org, n3.example.org]
          # Members as one blank-separated string; best_hosts all.
          string.example.org:
            members: n1.example.org   n2.example.org n3.example.org
            best_hosts: all
          # Durations, metric (golbd's name), a partition of its own; the anchor is merged below.
          durations.example.org: &common
            members:
              - n4.example.org
              - n5.example.org
            polling_interval: 30s
            ttl: 60
            external: false
            metric: minimum
            partition: web
          # Everything from the anchor, polling_interval overridden.
          merged.example.org:
            <<: *common
            polling_interval: 90
          # Any case, a trailing dot, an address member.
          Case.Example.ORG.:
            members: [N6.Example.Org., "2001:DB8::1"]
            best_hosts: -1

        dns:
          server: "[2001:db8::53]:5353"
          timeout: 500ms
          retries: 0
          max_concurrent_updates: 16

        snmp:
          version: v2c
          community: s3cret
          port: 1161
          timeout: 1.5s
          retries: 5
          concurrency: 10

        ha:
          mode: heartbeat
          master: lbd1.example.org
          heartbeat_directory: /srv/heartbeat
          heartbeat_file: hb.txt
          takeover_after: 2m

        http:
          listen: off
        """#

    static let golbdLines = #"""
        # golbd line format: the sample from golbd's tests, plus a few aliases.
        master = lbdxyz.cern.ch
        heartbeat_path = /var/www/html/load-balancing
        heartbeat_file = heartbeat
        tsig_key_prefix = abcd-
        tsig_internal_key = xxx123==
        tsig_external_key = yyy123==
        snmpd_password = zzz123
        dns_manager = 137.138.28.176
        parameters aiermis.cern.ch = behaviour#mindless best_hosts#1 external#no metric#cmsfrontier polling_interval#300 statistics#long ttl#60
        clusters aiermis.cern.ch = ermis19.cern.ch ermis20.cern.ch
        # Every metric, best_hosts -1, and every spelling of external.
        parameters random.example.org = best_hosts#2 metric#minimum external#yes polling_interval#10 ttl#30
        clusters random.example.org = a.example.org b.example.org c.example.org
        parameters empty.example.org = best_hosts#-1 metric#minino external#true
        clusters empty.example.org = a.example.org
        parameters keep.example.org = best_hosts#1 metric#cmsfrontier external#no behaviour#mindless statistics#none
        clusters keep.example.org = b.example.org
        parameters false.example.org = best_hosts#1 metric#cmsfrontier external#false statistics#long
        clusters false.example.org = c.example.org
        """#

    static let golbdYAML = #"""
        # The golbd line-format sample (golbd-sample.conf) in golbd's YAML format.
        master: lbdxyz.cern.ch
        heartbeatpath: /var/www/html/load-balancing
        heartbeatfile: heartbeat
        tsigkeyprefix: abcd-
        tsiginternalkey: xxx123==
        tsigexternalkey: yyy123==
        snmppassword: zzz123
        dnsmanager: 137.138.28.176:53
        parameters:
          aiermis.cern.ch:
            behaviour: mindless
            best_hosts: 1
            external: false
            metric: cmsfrontier
            polling_interval: 300
            statistics: long
            ttl: 60
        clusters:
          aiermis.cern.ch:
            - ermis19.cern.ch
            - ermis20.cern.ch
        """#
}
