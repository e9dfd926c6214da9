//! `--verify`: ntpd's MRU counters read over Mode 6 before and after a run,
//! their differences, and warnings when they disagree with what was sent.

use std::net::SocketAddrV4;
use std::time::Duration;

use crate::report::Json;
use crate::*;

/// ntpd's MRU counters before and after (when `--verify`).
#[derive(Clone, Debug, Default)]
pub struct MruCheck {
    pub before: Option<Vec<(String, String)>>,
    pub after: Option<Vec<(String, String)>>,
    pub error: Option<String>,
}

impl MruCheck {
    /// Reads the counters; a failure is recorded, not fatal.
    pub fn read(&mut self, target: SocketAddrV4, after: bool) {
        match mode6::read_vars(target, mode6::MRU_VARS, Duration::from_secs(3)) {
            Ok(v) if after => self.after = Some(v),
            Ok(v) => self.before = Some(v),
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    fn delta(&self, name: &str) -> Option<i64> {
        let b = mode6::get_u64(self.before.as_ref()?, name)?;
        let a = mode6::get_u64(self.after.as_ref()?, name)?;
        Some(a as i64 - b as i64)
    }

    /// `mru_depth` after the run.
    pub fn depth_after(&self) -> Option<u64> {
        mode6::get_u64(self.after.as_ref()?, "mru_depth")
    }

    pub(crate) fn json(&self) -> Json {
        let obj = |v: &Option<Vec<(String, String)>>| match v {
            None => Json::Null,
            Some(v) => Json::Obj(
                v.iter()
                    .map(|(k, val)| {
                        let n = mode6::get_u64(v, k);
                        (
                            k.clone(),
                            n.map(|n| Json::Int(n as i64))
                                .unwrap_or(Json::Str(val.clone())),
                        )
                    })
                    .collect(),
            ),
        };
        let mut items = vec![
            ("before".into(), obj(&self.before)),
            ("after".into(), obj(&self.after)),
        ];
        if let Some(e) = &self.error {
            items.push(("error".into(), Json::Str(e.clone())));
        }
        Json::Obj(items)
    }

    pub(crate) fn text(&self) -> String {
        if let Some(e) = &self.error {
            return format!("ntpd MRU counters unavailable: {e}");
        }
        let mut s = String::from("ntpd MRU:");
        for name in [
            "mru_depth",
            "mru_new",
            "mru_exists",
            "mru_recycleold",
            "mru_recyclefull",
            "mru_none",
        ] {
            if let Some(a) = self.after.as_ref().and_then(|v| mode6::get_u64(v, name)) {
                s.push_str(&format!(" {name} {a}"));
                if let Some(d) = self.delta(name) {
                    s.push_str(&format!(" ({d:+})"));
                }
                s.push(',');
            }
        }
        if let Some(m) = self
            .after
            .as_ref()
            .and_then(|v| mode6::get_u64(v, "mru_maxdepth"))
        {
            s.push_str(&format!(" mru_maxdepth {m}"));
        }
        s.trim_end_matches(',').to_string()
    }

    /// Warnings about a list that could not hold every client.
    pub(crate) fn warnings(&self) -> Vec<String> {
        let mut w = Vec::new();
        for (name, why) in [
            (
                "mru_none",
                "list full and the oldest entry younger than `mru minage`: clients NOT added",
            ),
            (
                "mru_recyclefull",
                "list full (mru maxdepth/maxmem): oldest entries recycled",
            ),
            ("mru_recycleold", "entries older than `mru maxage` recycled"),
        ] {
            if let Some(d) = self.delta(name).filter(|&d| d > 0) {
                w.push(format!("ntpd {name} rose by {d}: {why}"));
            }
        }
        w
    }
}
