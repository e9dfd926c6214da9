//! The committed man page and completions must equal what the program's
//! own definitions generate. Regenerate with:
//! `UPDATE_DOCS=1 cargo test -p ntpq --test docs`.

use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn check(path: PathBuf, want: String) {
    if std::env::var("UPDATE_DOCS").is_ok() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{} is stale: run UPDATE_DOCS=1 cargo test -p ntpq --test docs",
        path.display()
    );
}

#[test]
fn man_page_is_current() {
    let page = ntpq::docs::man_page();
    assert!(
        page.contains("mrulist"),
        "the command table is in the man page"
    );
    for section in [
        "EXIT STATUS",
        "MRULIST PARAMETERS",
        "OUTPUT FORMATS",
        "PEERS COLUMNS",
        "MRULIST COLUMNS",
        ".SH ENVIRONMENT",
        ".SH FILES",
        ".SH EXAMPLES",
        "SEE ALSO",
    ] {
        assert!(page.contains(section), "the man page has {section}");
    }
    for variable in [
        "NTPQ_MAC_ALIGN",
        "NTPQ_NTP_CONF",
        "NTPQ_HISTORY",
        "NO_COLOR",
    ] {
        assert!(page.contains(variable), "ENVIRONMENT names {variable}");
    }
    // Every sort key and every mrulist tag, with its meaning.
    for key in ntp_control::mru::SortKey::NAMES {
        assert!(
            page.contains(&format!("\\fB{}\\fR\n", key.replace('-', "\\-"))),
            "sort key {key}"
        );
    }
    for tag in ntp_control::mru::options::FILTERS {
        assert!(page.contains(&format!("\\fB{tag}")), "mrulist tag {tag}");
    }
    check(root().join("man/ntpq.1"), page);
}

#[test]
fn completions_are_current() {
    for (file, generate) in ntpq::docs::COMPLETION_FILES {
        let text = generate();
        assert!(text.contains("numeric"), "{file}");
        assert!(
            text.contains("hostnum"),
            "{file}: the command table's words"
        );
        check(root().join("completions").join(file), text);
    }
}
