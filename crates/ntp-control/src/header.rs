//! The 12-octet Mode 6 header, opcodes and server error codes.

use std::fmt;

/// Octets in the fixed header.
pub const HEADER_LEN: usize = 12;
/// Maximum data octets in one request or response fragment (`CTL_MAX_DATA_LEN`).
pub const CTL_MAX_DATA_LEN: usize = 468;
/// Mode 6 is "control".
pub const MODE_CONTROL: u8 = 6;

pub const FLAG_RESPONSE: u8 = 0x80;
pub const FLAG_ERROR: u8 = 0x40;
pub const FLAG_MORE: u8 = 0x20;
const OPCODE_MASK: u8 = 0x1f;

/// Mode 6 opcodes (protocol.md §5.1). Opcodes are five bits; unknown values
/// are kept as `Other` so that a hostile reply cannot make decoding fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Opcode {
    Unspec,
    ReadStat,
    ReadVar,
    WriteVar,
    ReadClock,
    WriteClock,
    Configure,
    ReadMru,
    ReadOrdlistA,
    ReqNonce,
    Other(u8),
}

impl Opcode {
    pub fn code(self) -> u8 {
        match self {
            Opcode::Unspec => 0,
            Opcode::ReadStat => 1,
            Opcode::ReadVar => 2,
            Opcode::WriteVar => 3,
            Opcode::ReadClock => 4,
            Opcode::WriteClock => 5,
            Opcode::Configure => 8,
            Opcode::ReadMru => 10,
            Opcode::ReadOrdlistA => 11,
            Opcode::ReqNonce => 12,
            Opcode::Other(c) => c & OPCODE_MASK,
        }
    }

    pub fn from_code(code: u8) -> Opcode {
        match code & OPCODE_MASK {
            0 => Opcode::Unspec,
            1 => Opcode::ReadStat,
            2 => Opcode::ReadVar,
            3 => Opcode::WriteVar,
            4 => Opcode::ReadClock,
            5 => Opcode::WriteClock,
            8 => Opcode::Configure,
            10 => Opcode::ReadMru,
            11 => Opcode::ReadOrdlistA,
            12 => Opcode::ReqNonce,
            c => Opcode::Other(c),
        }
    }
}

/// Error code carried in the high octet of the status word when E is set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ServerErrorCode(pub u8);

impl ServerErrorCode {
    pub const UNSPEC: Self = Self(0);
    pub const PERMISSION: Self = Self(1);
    pub const BADFMT: Self = Self(2);
    pub const BADOP: Self = Self(3);
    pub const BADASSOC: Self = Self(4);
    pub const UNKNOWNVAR: Self = Self(5);
    pub const BADVALUE: Self = Self(6);
    pub const RESTRICT: Self = Self(7);

    /// The name ntpq prints; codes outside 0..7 print as a number (the
    /// reference crashes on them).
    pub fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0 => "UNSPEC",
            1 => "PERMISSION",
            2 => "BADFMT",
            3 => "BADOP",
            4 => "BADASSOC",
            5 => "UNKNOWNVAR",
            6 => "BADVALUE",
            7 => "RESTRICT",
            _ => return None,
        })
    }
}

impl fmt::Display for ServerErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "{}", self.0),
        }
    }
}

/// A decoded Mode 6 header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub leap: u8,
    pub version: u8,
    pub mode: u8,
    pub response: bool,
    pub error: bool,
    pub more: bool,
    pub opcode: Opcode,
    pub sequence: u16,
    pub status: u16,
    pub associd: u16,
    pub offset: u16,
    pub count: u16,
}

impl Header {
    /// A request header as the reference client builds it: LI=3, VN=2, mode 6.
    pub fn request(opcode: Opcode, sequence: u16, associd: u16, count: u16) -> Header {
        Header {
            leap: 3,
            version: 2,
            mode: MODE_CONTROL,
            response: false,
            error: false,
            more: false,
            opcode,
            sequence,
            status: 0,
            associd,
            offset: 0,
            count,
        }
    }

    /// Decodes the first 12 octets; `None` if the datagram is shorter.
    pub fn decode(buf: &[u8]) -> Option<Header> {
        let b = buf.get(..HEADER_LEN)?;
        let u16_at = |i: usize| u16::from_be_bytes([b[i], b[i + 1]]);
        Some(Header {
            leap: b[0] >> 6,
            version: (b[0] >> 3) & 7,
            mode: b[0] & 7,
            response: b[1] & FLAG_RESPONSE != 0,
            error: b[1] & FLAG_ERROR != 0,
            more: b[1] & FLAG_MORE != 0,
            opcode: Opcode::from_code(b[1]),
            sequence: u16_at(2),
            status: u16_at(4),
            associd: u16_at(6),
            offset: u16_at(8),
            count: u16_at(10),
        })
    }

    pub fn encode(&self) -> [u8; HEADER_LEN] {
        let mut b = [0u8; HEADER_LEN];
        b[0] = (self.leap & 3) << 6 | (self.version & 7) << 3 | (self.mode & 7);
        b[1] = self.opcode.code()
            | if self.response { FLAG_RESPONSE } else { 0 }
            | if self.error { FLAG_ERROR } else { 0 }
            | if self.more { FLAG_MORE } else { 0 };
        b[2..4].copy_from_slice(&self.sequence.to_be_bytes());
        b[4..6].copy_from_slice(&self.status.to_be_bytes());
        b[6..8].copy_from_slice(&self.associd.to_be_bytes());
        b[8..10].copy_from_slice(&self.offset.to_be_bytes());
        b[10..12].copy_from_slice(&self.count.to_be_bytes());
        b
    }
}

/// Rounds `n` up to a multiple of `to` (a power of two).
pub fn pad_len(n: usize, to: usize) -> usize {
    n.div_ceil(to) * to
}

/// Builds a request datagram: header, data, zero padding to a multiple of 4.
/// The caller checks the data size against [`CTL_MAX_DATA_LEN`].
pub fn encode_request(opcode: Opcode, sequence: u16, associd: u16, data: &[u8]) -> Vec<u8> {
    let header = Header::request(opcode, sequence, associd, data.len() as u16);
    let mut out = Vec::with_capacity(pad_len(HEADER_LEN + data.len(), 4));
    out.extend_from_slice(&header.encode());
    out.extend_from_slice(data);
    out.resize(pad_len(out.len(), 4), 0);
    out
}

/// Splits a response into fragments of up to `CTL_MAX_DATA_LEN` data
/// octets and wraps them with [`encode_fragments`].
pub fn encode_response(request: &Header, leap: u8, status: u16, data: &[u8]) -> Vec<Vec<u8>> {
    if data.is_empty() {
        return encode_fragments(request, leap, status, [&[][..]]);
    }
    encode_fragments(request, leap, status, data.chunks(CTL_MAX_DATA_LEN))
}

/// Wraps already split response data in headers as ntpd does: running
/// offsets, M set on all but the last, each datagram padded to 4 octets.
/// `request` supplies the sequence, opcode, association id and version.
pub fn encode_fragments<'a, I>(
    request: &Header,
    leap: u8,
    status: u16,
    fragments: I,
) -> Vec<Vec<u8>>
where
    I: IntoIterator<Item = &'a [u8]>,
{
    let fragments: Vec<&[u8]> = fragments.into_iter().collect();
    let n = fragments.len();
    let mut offset = 0usize;
    fragments
        .into_iter()
        .enumerate()
        .map(|(i, chunk)| {
            let h = Header {
                leap,
                version: request.version,
                mode: MODE_CONTROL,
                response: true,
                error: false,
                more: i + 1 < n,
                opcode: request.opcode,
                sequence: request.sequence,
                status,
                associd: request.associd,
                offset: offset as u16,
                count: chunk.len() as u16,
            };
            offset += chunk.len();
            let mut pkt = h.encode().to_vec();
            pkt.extend_from_slice(chunk);
            pkt.resize(pad_len(pkt.len(), 4), 0);
            pkt
        })
        .collect()
}

/// An error response: E set, the code in the status word's high octet.
pub fn encode_error(request: &Header, leap: u8, code: ServerErrorCode) -> Vec<u8> {
    let h = Header {
        leap,
        version: request.version,
        mode: MODE_CONTROL,
        response: true,
        error: true,
        more: false,
        opcode: request.opcode,
        sequence: request.sequence,
        status: (code.0 as u16) << 8,
        associd: request.associd,
        offset: 0,
        count: 0,
    };
    h.encode().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rv_request_matches_captured_bytes() {
        // protocol.md §2.1: the captured `rv` request.
        let pkt = encode_request(Opcode::ReadVar, 1, 0, b"");
        assert_eq!(pkt, [0xd6, 0x02, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn request_data_is_padded_but_count_is_not() {
        let pkt = encode_request(Opcode::ReadVar, 7, 3, b"leap,stratum");
        assert_eq!(pkt.len(), 24);
        let h = Header::decode(&pkt).unwrap();
        assert_eq!(h.count, 12);
        let pkt = encode_request(Opcode::ReadVar, 7, 3, b"leap");
        assert_eq!(pkt.len(), 16);
        let pkt = encode_request(Opcode::ReadVar, 7, 3, b"stratum");
        assert_eq!(pkt.len(), 20);
        assert_eq!(&pkt[19..], &[0]);
    }

    #[test]
    fn header_round_trips() {
        let h = Header {
            leap: 1,
            version: 4,
            mode: 6,
            response: true,
            error: true,
            more: true,
            opcode: Opcode::ReadMru,
            sequence: 0xfffe,
            status: 0x0500,
            associd: 0x1234,
            offset: 468,
            count: 17,
        };
        assert_eq!(Header::decode(&h.encode()), Some(h));
    }

    #[test]
    fn short_buffer_does_not_decode() {
        assert_eq!(Header::decode(&[0xd6; 11]), None);
    }

    #[test]
    fn error_code_names() {
        assert_eq!(ServerErrorCode(5).to_string(), "UNKNOWNVAR");
        assert_eq!(ServerErrorCode(200).to_string(), "200");
    }
}
