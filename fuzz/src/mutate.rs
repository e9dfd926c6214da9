//! Input mutation for the coverage-less driver: byte-level edits, a
//! per-target dictionary of protocol tokens, numbers at the edges of their
//! ranges, and splicing with other corpus entries.

/// xorshift64*: fast, seedable, good enough to pick mutations.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        // splitmix64 of the seed: a zero seed still gives a good state.
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Rng((z ^ (z >> 31)) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

/// Bytes that often change a parser's path: separators, quotes, line
/// ends, NUL, ESC, DEL and the first non-ASCII octets.
const INTERESTING_BYTES: &[u8] = b"\0\x01\x1b\x7f\x80\xff\"',=.:;[]%# \t\r\n-+0189aefxX_\\";

/// Numbers at the edges of the ranges the parsers check.
const NUMBERS: &[&str] = &[
    "0",
    "1",
    "-1",
    "7",
    "8",
    "15",
    "16",
    "31",
    "32",
    "127",
    "128",
    "255",
    "256",
    "468",
    "469",
    "4095",
    "4096",
    "65535",
    "65536",
    "2147483647",
    "-2147483648",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "18446744073709551615",
    "99999999999999999999999999999999999999999",
    "0x",
    "0x0",
    "0xffffffff",
    "0xffffffff.ffffffff",
    "0x80000000.00000000",
    "1e308",
    "-1e308",
    "1e-320",
    "nan",
    "inf",
    "-inf",
    "0.000",
    "1_0",
    "0b1",
    "0o7",
    "00",
    "1.",
    ".5",
];

pub struct Mutator<'a> {
    pub rng: Rng,
    pub dict: &'a [&'a [u8]],
    pub max_len: usize,
}

impl Mutator<'_> {
    /// Applies one to eight stacked edits; `others` is the corpus to splice from.
    pub fn mutate(&mut self, data: &mut Vec<u8>, others: &[Vec<u8>]) {
        let edits = 1 + self.rng.below(8);
        for _ in 0..edits {
            self.edit(data, others);
        }
        data.truncate(self.max_len);
    }

    fn token(&mut self) -> &[u8] {
        if !self.dict.is_empty() && !self.rng.chance(3) {
            self.dict[self.rng.below(self.dict.len())]
        } else {
            NUMBERS[self.rng.below(NUMBERS.len())].as_bytes()
        }
    }

    fn pos(&mut self, data: &[u8]) -> usize {
        self.rng.below(data.len() + 1)
    }

    fn edit(&mut self, data: &mut Vec<u8>, others: &[Vec<u8>]) {
        match self.rng.below(13) {
            // Flip a bit.
            0 if !data.is_empty() => {
                let i = self.rng.below(data.len());
                data[i] ^= 1 << self.rng.below(8);
            }
            // Replace a byte with a random or an interesting one.
            1 if !data.is_empty() => {
                let i = self.rng.below(data.len());
                data[i] = self.rng.next_u64() as u8;
            }
            2 if !data.is_empty() => {
                let i = self.rng.below(data.len());
                data[i] = INTERESTING_BYTES[self.rng.below(INTERESTING_BYTES.len())];
            }
            // Insert a few random bytes.
            3 => {
                let at = self.pos(data);
                let n = 1 + self.rng.below(8);
                let bytes: Vec<u8> = (0..n).map(|_| self.rng.next_u64() as u8).collect();
                data.splice(at..at, bytes);
            }
            // Delete a range.
            4 if !data.is_empty() => {
                let at = self.rng.below(data.len());
                let n = 1 + self.rng.below((data.len() - at).min(32));
                data.drain(at..at + n);
            }
            // Duplicate a range (repeated items, long lists).
            5 if !data.is_empty() => {
                let at = self.rng.below(data.len());
                let n = 1 + self.rng.below((data.len() - at).min(64));
                let chunk = data[at..at + n].to_vec();
                let to = self.pos(data);
                let times = 1 + self.rng.below(4);
                for _ in 0..times {
                    data.splice(to..to, chunk.iter().copied());
                }
            }
            // Insert or overwrite with a dictionary token or a number.
            6 | 7 => {
                let at = self.pos(data);
                let token = self.token().to_vec();
                data.splice(at..at, token);
            }
            8 if !data.is_empty() => {
                let at = self.rng.below(data.len());
                let token = self.token().to_vec();
                let end = (at + token.len()).min(data.len());
                data.splice(at..end, token);
            }
            // Splice with another corpus entry.
            9 if !others.is_empty() => {
                let other = &others[self.rng.below(others.len())];
                if !other.is_empty() {
                    let from = self.rng.below(other.len());
                    let n = 1 + self.rng.below(other.len() - from);
                    let at = self.pos(data);
                    data.splice(at..at, other[from..from + n].iter().copied());
                }
            }
            // Swap two bytes.
            10 if data.len() > 1 => {
                let a = self.rng.below(data.len());
                let b = self.rng.below(data.len());
                data.swap(a, b);
            }
            // Truncate.
            11 if !data.is_empty() => {
                let at = self.rng.below(data.len());
                data.truncate(at);
            }
            // Add or subtract a small number to a byte (counts, lengths).
            _ if !data.is_empty() => {
                let i = self.rng.below(data.len());
                let delta = self.rng.below(33) as i32 - 16;
                data[i] = (data[i] as i32 + delta) as u8;
            }
            _ => {
                let token = self.token().to_vec();
                data.extend_from_slice(&token);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutations_change_inputs_and_respect_the_length_limit() {
        let mut m = Mutator {
            rng: Rng::new(7),
            dict: &[b"addr.0=", b"nonce="],
            max_len: 64,
        };
        let seed = b"addr.0=1.2.3.4:123, last.0=0x1.2".to_vec();
        let mut changed = 0;
        for _ in 0..1000 {
            let mut d = seed.clone();
            m.mutate(&mut d, std::slice::from_ref(&seed));
            assert!(d.len() <= 64);
            changed += usize::from(d != seed);
        }
        assert!(changed > 900, "only {changed} of 1000 mutants differ");
    }

    #[test]
    fn rng_is_deterministic_per_seed() {
        let a: Vec<u64> = {
            let mut r = Rng::new(1);
            (0..4).map(|_| r.next_u64()).collect()
        };
        let mut r = Rng::new(1);
        assert_eq!(a, (0..4).map(|_| r.next_u64()).collect::<Vec<_>>());
        assert_ne!(Rng::new(2).next_u64(), a[0]);
    }
}
