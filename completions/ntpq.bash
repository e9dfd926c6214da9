# bash completion for ntpq.
# Generated from ntpq-rs's option definitions and command table;
# do not edit: regenerate with UPDATE_DOCS=1 cargo test -p ntpq --test docs

_ntpq_words() {
    case "$1" in
        '') printf '%s\n' ':config' 'EOF' 'addvars' 'apeers' 'associations' 'authenticate' 'authinfo' 'cl' 'clearvars' 'clocklist' 'clockvar' 'config-from-file' 'cooked' 'cv' 'debug' 'delay' 'direct' 'doflake' 'exit' 'format' 'help' 'host' 'hostnames' 'ifstats' 'iostats' 'kerninfo' 'keyid' 'keytype' 'lassociations' 'logfile' 'lopeers' 'lpassociations' 'lpeers' 'monstats' 'mreadlist' 'mreadvar' 'mrl' 'mrulist' 'mrv' 'mssntpinfo' 'noflake' 'ntpversion' 'ntsinfo' 'opeers' 'passociations' 'passwd' 'peers' 'poll' 'pstats' 'quit' 'raw' 'readlist' 'readvar' 'reslist' 'rl' 'rmvars' 'rpeers' 'rv' 'showvars' 'sysinfo' 'sysstats' 'timeout' 'timerstats' 'units' 'version' 'writelist' 'writevar' ;;
        'authenticate') printf '%s\n' 'yes' 'no' ;;
        'debug') printf '%s\n' 'more' 'less' 'no' ;;
        'format') printf '%s\n' 'classic' 'json' 'table' ;;
        'help') printf '%s\n' ':config' 'EOF' 'addvars' 'apeers' 'associations' 'authenticate' 'authinfo' 'cl' 'clearvars' 'clocklist' 'clockvar' 'config-from-file' 'cooked' 'cv' 'debug' 'delay' 'direct' 'doflake' 'exit' 'format' 'help' 'host' 'hostnames' 'ifstats' 'iostats' 'kerninfo' 'keyid' 'keytype' 'lassociations' 'logfile' 'lopeers' 'lpassociations' 'lpeers' 'monstats' 'mreadlist' 'mreadvar' 'mrl' 'mrulist' 'mrv' 'mssntpinfo' 'noflake' 'ntpversion' 'ntsinfo' 'opeers' 'passociations' 'passwd' 'peers' 'poll' 'pstats' 'quit' 'raw' 'readlist' 'readvar' 'reslist' 'rl' 'rmvars' 'rpeers' 'rv' 'showvars' 'sysinfo' 'sysstats' 'timeout' 'timerstats' 'units' 'version' 'writelist' 'writevar' ;;
        'hostnames') printf '%s\n' 'yes' 'no' 'hostnum' 'hostname' ;;
        'keytype') printf '%s\n' 'MD5' 'SHA1' 'SHA224' 'SHA256' 'SHA384' 'SHA512' 'SHA512-224' 'SHA512-256' 'SHA3-224' 'SHA3-256' 'SHA3-384' 'SHA3-512' 'AES-128' 'AES-192' 'AES-256' 'RIPEMD160' 'BLAKE2B512' 'BLAKE2S256' 'SM3' 'MD5-SHA1' 'SHAKE128' 'SHAKE256' 'ARIA-128' 'ARIA-192' 'ARIA-256' 'CAMELLIA-128' 'CAMELLIA-192' 'CAMELLIA-256' 'SM4' ;;
        'mrulist') printf '%s\n' 'mincount=' 'mindrop=' 'minscore=' 'resall=' 'resany=' 'kod' 'limited' 'maxlstint=' 'minlstint=' 'laddr=' 'recent=' 'frags=' 'limit=' 'sort=lstint' 'sort=-lstint' 'sort=avgint' 'sort=-avgint' 'sort=addr' 'sort=-addr' 'sort=count' 'sort=-count' 'sort=score' 'sort=-score' 'sort=drop' 'sort=-drop' 'direct' 'stats' 'follow' 'interval=' 'duration=' ;;
    esac
}

# The value of -c: a command, then (in a quoted value) its arguments.
_ntpq_command() {
    local IFS=$'\n' typed="${1#[\"\']}"
    if [[ "$typed" != *' '* ]]; then
        COMPREPLY=($(compgen -W "$(_ntpq_words '')" -- "$typed"))
        return
    fi
    local cmd="${typed%% *}" head="${typed% *} " last="${typed##* }"
    case "$cmd" in
        'config-from-file'|'logfile') COMPREPLY=($(compgen -f -P "$head" -- "$last")) ;;
        'host') COMPREPLY=($(compgen -A hostname -P "$head" -- "$last")) ;;
        *) COMPREPLY=($(compgen -W "$(_ntpq_words "$cmd")" -P "$head" -- "$last")) ;;
    esac
}

_ntpq() {
    local cur="$2" prev="$3"
    case "$prev" in
        -a|--authentication) :; return ;;
        -c|--command) _ntpq_command "$cur"; return ;;
        -D|--set-debug-level) :; return ;;
        -k|--keyfile) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        -l|--logfile) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        -W|--width) :; return ;;
        --format) :; return ;;
    esac
    if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W '-4 --ipv4 -6 --ipv6 -a --authentication -c --command -d --debug -D --set-debug-level -h --help -k --keyfile -l --logfile -n --numeric -p --peers -s --srcname -S --srcnumber -V --version -w --wide -W --width -u --units --json --format' -- "$cur"))
        return
    fi
    COMPREPLY=($(compgen -A hostname -- "$cur"))
}
complete -F _ntpq ntpq
