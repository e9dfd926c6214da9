//! The client: the open host's [`Transport`], the sequence counter (which
//! survives host changes, as in the reference), and authentication —
//! signing, the MAC-alignment retry and the clearing of credentials after
//! a server error. It knows nothing of commands or settings: each call
//! says how to query ([`QueryParams`], `authenticate`).

use std::io::Write;
use std::time::{Duration, Instant};

use ntp_control::mru::{
    Finish, MruError, MruOptions, MruRetrieval, RetrievalConfig, MRU_ROW_LIMIT,
};
use ntp_control::{Opcode, Query, QueryError, Request, Response, ServerErrorCode};

use crate::auth::{Auth, Prompt};
use crate::error::CmdError;
use crate::output::Output;
use crate::resolve::Family;
use crate::transport::{Connect, Failure, QueryParams, ReadReplies, Transport};

/// The open host: the name as typed, and how to reach it.
struct Host {
    name: String,
    transport: Box<dyn Transport>,
}

pub struct Client {
    connector: Box<dyn Connect>,
    host: Option<Host>,
    /// Last sequence number used.
    sequence: u16,
    /// Key file, credentials and MAC alignment.
    pub auth: Auth,
    prompt: Box<dyn Prompt>,
    /// The server's MRU row limit as learnt this session (BADVALUE lowers it).
    pub mru_row_limit: u32,
    /// The key id the last request was signed with (None: unsigned); kept
    /// after a server error clears the credentials, to say which was refused.
    pub signed_with: Option<i64>,
}

/// How a retrieval ended when it produced a list.
pub struct Retrieved {
    pub retrieval: MruRetrieval,
    /// Ctrl-C stopped it (the list read so far is partial).
    pub interrupted: bool,
}

/// Whether requests with `opcode` carry a MAC (protocol.md §9.1).
pub fn needs_auth(opcode: Opcode, authenticate: bool) -> bool {
    authenticate
        || matches!(
            opcode,
            Opcode::Configure | Opcode::ReadOrdlistA | Opcode::WriteVar
        )
}

impl Client {
    pub fn new(connector: Box<dyn Connect>, auth: Auth, prompt: Box<dyn Prompt>) -> Client {
        Client {
            connector,
            host: None,
            sequence: 0,
            auth,
            prompt,
            mru_row_limit: MRU_ROW_LIMIT,
            signed_with: None,
        }
    }

    /// Opens `name` (the open host stays open on failure); on failure
    /// prints the lookup messages and returns false.
    pub fn open(
        &mut self,
        name: &str,
        family: Family,
        out: &mut Output<dyn Write>,
        debug: i64,
    ) -> bool {
        match self.connector.connect(name, family) {
            Ok(transport) => {
                if debug >= 3 {
                    out.log_debug(&format!("Opening host {name}"));
                }
                self.host = Some(Host {
                    name: name.to_string(),
                    transport,
                });
                true
            }
            Err(lines) if out.mode.is_json() => {
                // The connector says why in lines of text; only the socket
                // failure is not about the name.
                let code = if lines.iter().any(|l| l.contains("cannot open a socket")) {
                    "socket"
                } else {
                    "name_resolution"
                };
                out.host = Some(name.to_string());
                out.problem("error", code, &lines.join("\n"), None);
                false
            }
            Err(lines) => {
                for l in lines {
                    out.log(&l);
                }
                false
            }
        }
    }

    pub fn close(&mut self) {
        self.host = None;
    }

    /// The open host's name as the user typed it.
    pub fn host_name(&self) -> Option<&str> {
        self.host.as_ref().map(|h| h.name.as_str())
    }

    /// The open host's address.
    pub fn server_addr(&self) -> Option<std::net::SocketAddr> {
        self.host.as_ref().map(|h| h.transport.server())
    }

    /// Whether the open host's last conversation was refused.
    pub fn refused(&self) -> bool {
        self.host.as_ref().is_some_and(|h| h.transport.refused())
    }

    /// The reference's `password()` for the open host (see [`Auth`]).
    pub fn obtain_credentials(&mut self, out: &mut Output<dyn Write>) -> Result<(), CmdError> {
        let host = self.host_name().unwrap_or("").to_string();
        self.auth
            .obtain_credentials(&host, self.prompt.as_mut(), out)
    }

    /// One query to the open host. A request refused with PERMISSION is
    /// retried once with the other MAC alignment where 1.2.2 and 1.2.3+
    /// servers look for the key id at different places; a server error
    /// clears the credentials (protocol.md §4.2).
    pub fn query(
        &mut self,
        request: Request,
        params: &QueryParams,
        authenticate: bool,
        out: &mut Output<dyn Write>,
    ) -> Result<Response, CmdError> {
        let signed = needs_auth(request.opcode, authenticate);
        let count = request.data.len();
        let align = self.auth.align;
        let mut result = self.exchange(request.clone(), params, authenticate, align, out);
        if signed
            && !self.auth.forced
            && ntp_auth::trailer::alignments_differ(count)
            && matches!(
                result,
                Err(CmdError::Query(QueryError::Server(
                    ServerErrorCode::PERMISSION
                )))
            )
        {
            let other = align.other();
            if params.debug >= 1 {
                out.log_debug(&format!(
                    "PERMISSION with {}-octet MAC alignment; retrying with {}",
                    align.octets(),
                    other.octets()
                ));
            }
            result = self.exchange(request, params, authenticate, other, out);
            if result.is_ok() {
                self.auth.align = other;
            }
        }
        if let Err(CmdError::Query(QueryError::Server(_))) = &result {
            self.auth.clear_credentials();
        }
        result
    }

    fn exchange(
        &mut self,
        request: Request,
        params: &QueryParams,
        authenticate: bool,
        align: ntp_auth::Align,
        out: &mut Output<dyn Write>,
    ) -> Result<Response, CmdError> {
        if self.host.is_none() {
            return Err(CmdError::NoHost);
        }
        let signer = self.signer_for(request.opcode, authenticate, align)?;
        self.signed_with = signer.as_ref().and(self.auth.keyid);
        let check = self.auth.response_check();
        let host = self.host.as_mut().ok_or(CmdError::NoHost)?;
        let server = host.transport.server();
        let mut q = Query::prepare(request, self.sequence, Some(server), params.timeouts);
        q.set_signer(signer);
        q.set_verbosity(params.debug.min(u32::from(u8::MAX)) as u8);
        if let Some(check) = check {
            q.set_response_check(check);
        }
        q.begin(host.transport.now());
        let run = host.transport.exchange(&mut q, out, params);
        self.sequence = q.sequence();
        run?;
        match q.take_outcome() {
            Some(outcome) => outcome.map_err(CmdError::Query),
            None => Err(CmdError::Query(QueryError::Timeout)),
        }
    }

    /// The open host's clock ([`Transport::now`]).
    pub fn now(&self) -> Instant {
        self.host
            .as_ref()
            .map_or_else(Instant::now, |h| h.transport.now())
    }

    /// Waits between two polls of `mrulist follow` ([`Transport::pause`]).
    pub fn pause(&mut self, interval: Duration, left: Option<Duration>) -> bool {
        match self.host.as_mut() {
            Some(h) => h.transport.pause(interval, left),
            None => true,
        }
    }

    /// Runs `m` again once [`MruRetrieval::follow`] has started its next
    /// poll (`mrulist follow`); true when Ctrl-C stopped it.
    pub fn retrieve_more(
        &mut self,
        m: &mut MruRetrieval,
        params: &QueryParams,
        out: &mut Output<dyn Write>,
        read: &mut ReadReplies<'_>,
    ) -> Result<bool, CmdError> {
        let host = self.host.as_mut().ok_or(CmdError::NoHost)?;
        let run = host.transport.retrieve(m, out, params, read);
        self.sequence = m.sequence();
        match run {
            Ok(()) => Ok(false),
            Err(Failure::Interrupted) => Ok(true),
            Err(Failure::Query(e)) => Err(CmdError::Query(e)),
        }
    }

    /// Runs a whole MRU retrieval on the open host; `read` reads the
    /// replies received. Requests are signed when `authenticate` is on.
    #[allow(clippy::too_many_arguments)]
    pub fn retrieve(
        &mut self,
        options: MruOptions,
        frags_cap: u32,
        read_counters: bool,
        params: &QueryParams,
        authenticate: bool,
        out: &mut Output<dyn Write>,
        read: &mut ReadReplies<'_>,
    ) -> Result<Retrieved, CmdError> {
        let signer = self.signer_for(Opcode::ReadMru, authenticate, self.auth.align)?;
        self.signed_with = signer.as_ref().and(self.auth.keyid);
        let check = self.auth.response_check();
        let host = self.host.as_mut().ok_or(CmdError::NoHost)?;
        let config = RetrievalConfig {
            server: host.transport.server(),
            timeouts: params.timeouts,
            row_limit: self.mru_row_limit,
            frags_cap,
            sequence: self.sequence,
            verbosity: params.debug.min(u32::from(u8::MAX)) as u8,
            read_counters,
        };
        let mut m = MruRetrieval::new(options, config, signer, check, host.transport.now());
        let run = host.transport.retrieve(&mut m, out, params, read);
        self.sequence = m.sequence();
        self.mru_row_limit = m.row_limit();
        if let Some(Finish::Failed(MruError::Query(QueryError::Server(_)))) = m.finish() {
            self.auth.clear_credentials();
        }
        match run {
            Ok(()) => Ok(Retrieved {
                retrieval: m,
                interrupted: false,
            }),
            Err(Failure::Interrupted) => Ok(Retrieved {
                retrieval: m,
                interrupted: true,
            }),
            Err(Failure::Query(e)) => Err(CmdError::Query(e)),
        }
    }

    /// The signer for a request with `opcode`, if it must be signed.
    fn signer_for(
        &self,
        opcode: Opcode,
        authenticate: bool,
        align: ntp_auth::Align,
    ) -> Result<Option<ntp_control::query::Signer>, CmdError> {
        if !needs_auth(opcode, authenticate) {
            return Ok(None);
        }
        self.auth.signer(align).map(Some).map_err(CmdError::msg)
    }
}
