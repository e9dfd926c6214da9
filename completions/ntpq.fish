# fish completion for ntpq.
# Generated from ntpq-rs's option definitions and command table;
# do not edit: regenerate with UPDATE_DOCS=1 cargo test -p ntpq --test docs

# The value of -c: a command, then (in a quoted value) its arguments.
function __ntpq_command
    set -l typed (string replace -r '^[\'"]' '' -- (commandline -ct))
    if not string match -q -- '* *' $typed
        printf '%s\n' ':config' 'EOF' 'addvars' 'apeers' 'associations' 'authenticate' 'authinfo' 'cl' 'clearvars' 'clocklist' 'clockvar' 'config-from-file' 'cooked' 'cv' 'debug' 'delay' 'direct' 'doflake' 'exit' 'format' 'help' 'host' 'hostnames' 'ifstats' 'iostats' 'kerninfo' 'keyid' 'keytype' 'lassociations' 'logfile' 'lopeers' 'lpassociations' 'lpeers' 'monstats' 'mreadlist' 'mreadvar' 'mrl' 'mrulist' 'mrv' 'mssntpinfo' 'noflake' 'ntpversion' 'ntsinfo' 'opeers' 'passociations' 'passwd' 'peers' 'poll' 'pstats' 'quit' 'raw' 'readlist' 'readvar' 'reslist' 'rl' 'rmvars' 'rpeers' 'rv' 'showvars' 'sysinfo' 'sysstats' 'timeout' 'timerstats' 'units' 'version' 'writelist' 'writevar'
        return
    end
    set -l cmd (string split -m 1 ' ' -- $typed)[1]
    set -l head (string replace -r '[^ ]*$' '' -- $typed)
    set -l last (string replace -r '.* ' '' -- $typed)
    switch $cmd
        case 'authenticate'
            for w in 'yes' 'no'
                echo $head$w
            end
        case 'config-from-file' 'logfile'
            for w in (__fish_complete_path $last)
                echo $head$w
            end
        case 'debug'
            for w in 'more' 'less' 'no'
                echo $head$w
            end
        case 'format'
            for w in 'classic' 'json' 'table'
                echo $head$w
            end
        case 'help'
            for w in ':config' 'EOF' 'addvars' 'apeers' 'associations' 'authenticate' 'authinfo' 'cl' 'clearvars' 'clocklist' 'clockvar' 'config-from-file' 'cooked' 'cv' 'debug' 'delay' 'direct' 'doflake' 'exit' 'format' 'help' 'host' 'hostnames' 'ifstats' 'iostats' 'kerninfo' 'keyid' 'keytype' 'lassociations' 'logfile' 'lopeers' 'lpassociations' 'lpeers' 'monstats' 'mreadlist' 'mreadvar' 'mrl' 'mrulist' 'mrv' 'mssntpinfo' 'noflake' 'ntpversion' 'ntsinfo' 'opeers' 'passociations' 'passwd' 'peers' 'poll' 'pstats' 'quit' 'raw' 'readlist' 'readvar' 'reslist' 'rl' 'rmvars' 'rpeers' 'rv' 'showvars' 'sysinfo' 'sysstats' 'timeout' 'timerstats' 'units' 'version' 'writelist' 'writevar'
                echo $head$w
            end
        case 'host'
            for w in (__fish_print_hostnames)
                echo $head$w
            end
        case 'hostnames'
            for w in 'yes' 'no' 'hostnum' 'hostname'
                echo $head$w
            end
        case 'keytype'
            for w in 'MD5' 'SHA1' 'SHA224' 'SHA256' 'SHA384' 'SHA512' 'SHA512-224' 'SHA512-256' 'SHA3-224' 'SHA3-256' 'SHA3-384' 'SHA3-512' 'AES-128' 'AES-192' 'AES-256' 'RIPEMD160' 'BLAKE2B512' 'BLAKE2S256' 'SM3' 'MD5-SHA1' 'SHAKE128' 'SHAKE256' 'ARIA-128' 'ARIA-192' 'ARIA-256' 'CAMELLIA-128' 'CAMELLIA-192' 'CAMELLIA-256' 'SM4'
                echo $head$w
            end
        case 'mrulist'
            for w in 'mincount=' 'mindrop=' 'minscore=' 'resall=' 'resany=' 'kod' 'limited' 'maxlstint=' 'minlstint=' 'laddr=' 'recent=' 'frags=' 'limit=' 'sort=lstint' 'sort=-lstint' 'sort=avgint' 'sort=-avgint' 'sort=addr' 'sort=-addr' 'sort=count' 'sort=-count' 'sort=score' 'sort=-score' 'sort=drop' 'sort=-drop' 'direct' 'stats' 'follow' 'interval=' 'duration='
                echo $head$w
            end
    end
end

complete -c ntpq -s 4 -l ipv4 -d 'Force IPv4 DNS name resolution'
complete -c ntpq -s 6 -l ipv6 -d 'Force IPv6 DNS name resolution'
complete -c ntpq -s a -l authentication -x -d 'Enable authentication with the numbered key'
complete -c ntpq -s c -l command -x -a '(__ntpq_command)' -d 'Run a command and exit (may appear multiple times)'
complete -c ntpq -s d -l debug -d 'Increase output debug message level (may appear multiple times)'
complete -c ntpq -s D -l set-debug-level -x -d 'Set the output debug message level'
complete -c ntpq -s h -l help -d 'Print a usage message'
complete -c ntpq -s k -l keyfile -r -F -d 'Key file holding the key given with -a'
complete -c ntpq -s l -l logfile -r -F -d 'Log debug messages to FILE'
complete -c ntpq -s n -l numeric -d 'Numeric host addresses'
complete -c ntpq -s p -l peers -d 'Print a list of the peers (like -c peers)'
complete -c ntpq -s s -l srcname -d 'Prefer the names ntpd was configured with, then reverse DNS'
complete -c ntpq -s S -l srcnumber -d 'Prefer the names ntpd was configured with, else numbers'
complete -c ntpq -s V -l version -d 'Output version information and exit'
complete -c ntpq -s w -l wide -d 'Print long remote names on a line of their own'
complete -c ntpq -s W -l width -x -d 'Force the output width of the peers tables'
complete -c ntpq -s u -l units -d 'Display times with units'
complete -c ntpq -l json -d 'JSON Lines output, one object per line (same as --format json; schema in docs/json.md)'
complete -c ntpq -l format -x -d 'Output format: classic (NTPsec ntpq'\''s text, the default), json (JSON Lines) or table'
complete -c ntpq -f -a '(__fish_print_hostnames)'
