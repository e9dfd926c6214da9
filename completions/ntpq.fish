complete -c ntpq -s a -l authentication -d 'Enable authentication with the numbered key' -r
complete -c ntpq -s c -l command -d 'Run a command and exit (may appear multiple times)' -r
complete -c ntpq -s D -l set-debug-level -d 'Set the output debug message level' -r
complete -c ntpq -s k -l keyfile -d 'Key file holding the key given with -a' -r
complete -c ntpq -s l -l logfile -d 'Log debug messages to FILE' -r
complete -c ntpq -s W -l width -d 'Force the output width of the peers tables' -r
complete -c ntpq -s 4 -l ipv4 -d 'Force IPv4 DNS name resolution'
complete -c ntpq -s 6 -l ipv6 -d 'Force IPv6 DNS name resolution'
complete -c ntpq -s d -l debug -d 'Increase output debug message level (may appear multiple times)'
complete -c ntpq -s h -l help -d 'Print a usage message'
complete -c ntpq -s n -l numeric -d 'Numeric host addresses'
complete -c ntpq -s p -l peers -d 'Print a list of the peers (like -c peers)'
complete -c ntpq -s s -l srcname -d 'Prefer the names ntpd was configured with, then reverse DNS'
complete -c ntpq -s S -l srcnumber -d 'Prefer the names ntpd was configured with, else numbers'
complete -c ntpq -s V -l version -d 'Output version information and exit'
complete -c ntpq -s w -l wide -d 'Print long remote names on a line of their own'
complete -c ntpq -s u -l units -d 'Display times with units'
