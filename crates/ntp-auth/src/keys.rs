//! Key files (`ntp.keys`, protocol.md §9.6), read as the reference ntpq
//! reads its `-k` file — `keyid type key` per line, `#` comments — except
//! that a malformed line is skipped with a warning naming the file and
//! line instead of ending the program with a traceback.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::mac::{KeyType, Secret};

/// One key of a key file.
#[derive(Clone, Debug)]
pub struct Key {
    pub id: u32,
    /// The type as written (`AES`/`AES128CMAC` become `AES-128`).
    pub type_name: String,
    /// The type when this client can compute it.
    pub kind: Option<KeyType>,
    pub secret: Secret,
}

/// The keys of one file, plus what was wrong with it.
#[derive(Clone, Debug, Default)]
pub struct KeyFile {
    pub path: PathBuf,
    keys: BTreeMap<u32, Key>,
    /// Messages for skipped lines and a too-open file (no key material).
    pub warnings: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct KeyFileError {
    pub path: String,
    #[source]
    pub source: std::io::Error,
}

/// The type name the reference keeps: `AES`/`AES128CMAC` (any case) are
/// AES-128, other names as written.
pub fn normalize_type_name(name: &str) -> String {
    let upper = name.to_ascii_uppercase();
    if upper == "AES" || upper == "AES128CMAC" {
        "AES-128".to_string()
    } else {
        name.to_string()
    }
}

/// The largest key file read (a real one holds a few hundred octets; this
/// keeps `-k /dev/zero` or a huge file from eating memory).
pub const MAX_KEY_FILE_BYTES: u64 = 1 << 20;

/// Reads at most `limit` octets of `path`; a longer file (or a device that
/// never ends) is an `InvalidData` error saying so, after `limit` + 1
/// octets read.
pub fn read_limited(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("larger than {limit} octets"),
        ));
    }
    Ok(bytes)
}

impl KeyFile {
    /// Reads (at most [`MAX_KEY_FILE_BYTES`]) and parses `path`; warns if
    /// other users may read it.
    pub fn load(path: &Path) -> Result<KeyFile, KeyFileError> {
        let err = |source| KeyFileError {
            path: path.display().to_string(),
            source,
        };
        let bytes = read_limited(path, MAX_KEY_FILE_BYTES).map_err(err)?;
        let text = String::from_utf8_lossy(&bytes);
        let mut kf = KeyFile::parse(&text, path);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            if let Ok(meta) = std::fs::metadata(path) {
                if meta.permissions().mode() & 0o004 != 0 {
                    kf.warnings.insert(
                        0,
                        format!(
                            "ntpq: warning: key file {} is readable by other users",
                            path.display()
                        ),
                    );
                }
            }
        }
        Ok(kf)
    }

    /// Parses key-file text; `path` only names the file in warnings.
    pub fn parse(text: &str, path: &Path) -> KeyFile {
        let mut kf = KeyFile {
            path: path.to_path_buf(),
            ..KeyFile::default()
        };
        for (n, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let warn = |reason: &str| {
                format!(
                    "ntpq: {}, line {}: {reason}; line ignored",
                    path.display(),
                    n + 1
                )
            };
            let fields: Vec<&str> = line.split_whitespace().collect();
            if fields.len() != 3 {
                kf.warnings.push(warn(&format!(
                    "expected 3 fields (keyid type key), found {}",
                    fields.len()
                )));
                continue;
            }
            let id = match fields[0].parse::<u32>() {
                Ok(id) if (1..=65535).contains(&id) => id,
                _ => {
                    kf.warnings
                        .push(warn("key id is not a number from 1 to 65535"));
                    continue;
                }
            };
            let Some(secret) = Secret::from_text(fields[2]) else {
                kf.warnings
                    .push(warn("key longer than 20 characters is not hexadecimal"));
                continue;
            };
            let type_name = normalize_type_name(fields[1]);
            let kind = KeyType::from_name(&type_name);
            kf.keys.insert(
                id,
                Key {
                    id,
                    type_name,
                    kind,
                    secret,
                },
            );
        }
        kf
    }

    pub fn get(&self, id: u32) -> Option<&Key> {
        self.keys.get(&id)
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn keys(&self) -> impl Iterator<Item = &Key> {
        self.keys.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_the_reference_and_warns_on_bad_lines() {
        let text = "\
# comment
1 MD5 secret  # trailing comment

2 aes 0102030405060708090a0b0c0d0e0f10
3\tSHA1\tabc
4 SHA256 only-two extra
5 MD5
0 MD5 zero
70000 MD5 big
x MD5 nan
6 AES128CMAC zz02030405060708090a0b0c
7 sha1 tail#comment
";
        let kf = KeyFile::parse(text, Path::new("/etc/k"));
        let ids: Vec<u32> = kf.keys().map(|k| k.id).collect();
        assert_eq!(ids, vec![1, 2, 3, 7]);
        assert_eq!(kf.get(1).unwrap().secret.expose(), b"secret");
        assert_eq!(kf.get(2).unwrap().type_name, "AES-128");
        assert_eq!(kf.get(2).unwrap().kind, Some(KeyType::Aes128));
        assert_eq!(kf.get(2).unwrap().secret.len(), 16);
        assert_eq!(kf.get(7).unwrap().secret.expose(), b"tail");
        assert_eq!(kf.get(7).unwrap().kind, Some(KeyType::Sha1));
        assert_eq!(kf.warnings.len(), 6, "{:?}", kf.warnings);
        assert_eq!(
            kf.warnings[0],
            "ntpq: /etc/k, line 6: expected 3 fields (keyid type key), found 4; line ignored"
        );
        assert!(kf.warnings[5].contains("line 11"));
        for w in &kf.warnings {
            assert!(!w.contains("zz0203"), "no key material in warnings");
        }
    }

    #[test]
    fn unreadable_and_world_readable() {
        let dir = std::env::temp_dir().join(format!("ntp-auth-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let missing = dir.join("missing");
        let e = KeyFile::load(&missing).unwrap_err();
        assert!(e.to_string().starts_with(&missing.display().to_string()));
        let f = dir.join("keys");
        std::fs::write(&f, "1 MD5 x\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        let kf = KeyFile::load(&f).unwrap();
        assert_eq!(kf.warnings.len(), 1);
        assert!(kf.warnings[0].contains("readable by other users"));
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(KeyFile::load(&f).unwrap().warnings.is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn endless_or_huge_files_are_refused_after_the_limit() {
        let e = KeyFile::load(Path::new("/dev/zero")).unwrap_err();
        assert_eq!(e.source.kind(), std::io::ErrorKind::InvalidData);
        assert_eq!(
            e.to_string(),
            format!("/dev/zero: larger than {MAX_KEY_FILE_BYTES} octets")
        );
        let dir = std::env::temp_dir().join(format!("ntp-auth-limit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("keys");
        std::fs::write(&f, "1 MD5 x\n").unwrap();
        assert_eq!(read_limited(&f, 8).unwrap(), b"1 MD5 x\n");
        assert!(read_limited(&f, 7).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
