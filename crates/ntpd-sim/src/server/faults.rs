//! Fault injection on the way out: silence, corruption, reordering, loss
//! and duplication as the scenario's `[faults]` asks.

use ntp_control::header::HEADER_LEN;

use super::ServerState;
use crate::scenario::{Malformed, Reorder};

impl ServerState {
    pub(super) fn apply_faults(&mut self, mut out: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
        let f = self.scenario.faults.clone();
        if f.silence || f.silence_after.is_some_and(|n| self.faulted_replies >= n) {
            return Vec::new();
        }
        self.faulted_replies = self.faulted_replies.saturating_add(1);
        if let Some(kind) = f.malformed {
            let frac = f.malformed_fraction.unwrap_or(1.0);
            for pkt in out.iter_mut() {
                if self.fault_rng.next_f64() < frac {
                    corrupt(pkt, kind);
                }
            }
        }
        match f.reorder {
            Reorder::None => {}
            Reorder::Reverse => out.reverse(),
            Reorder::Rotate => {
                if !out.is_empty() {
                    out.rotate_left(1);
                }
            }
            Reorder::Swap => {
                if out.len() >= 2 {
                    out.swap(0, 1);
                }
            }
        }
        let mut result = Vec::with_capacity(out.len());
        for pkt in out {
            if f.drop > 0.0 && self.fault_rng.next_f64() < f.drop {
                continue;
            }
            let dup = f.duplicate > 0.0 && self.fault_rng.next_f64() < f.duplicate;
            if dup {
                result.push(pkt.clone());
            }
            result.push(pkt);
        }
        result
    }
}

fn corrupt(pkt: &mut Vec<u8>, kind: Malformed) {
    match kind {
        Malformed::Truncate => pkt.truncate(8),
        Malformed::ShortData => {
            let count = u16::from_be_bytes([pkt[10], pkt[11]]) as usize;
            if count > 0 {
                pkt.truncate(HEADER_LEN + count / 2);
            } else {
                pkt[10..12].copy_from_slice(&8u16.to_be_bytes());
            }
        }
        Malformed::WrongSequence => {
            let s = u16::from_be_bytes([pkt[2], pkt[3]]).wrapping_add(1000);
            pkt[2..4].copy_from_slice(&s.to_be_bytes());
        }
        Malformed::BadCount => {
            let c = u16::from_be_bytes([pkt[10], pkt[11]]).saturating_add(100);
            pkt[10..12].copy_from_slice(&c.to_be_bytes());
        }
    }
}
