//! The TLS parameters of a connection string, which smsdesk reads itself
//! (`split`): `sslmode`, with libpq's five values (the `postgres` crate
//! knows only `disable`, `prefer` and `require`), and `sslrootcert` (which
//! it does not know at all). Both are taken out of the string, so what is
//! left is handed to `postgres::Config` unchanged. Both forms libpq has
//! are read: a URL (`postgres://…?sslmode=verify-full&sslrootcert=…`,
//! values percent-encoded) and keywords (`host=… sslmode=verify-full`,
//! values optionally in single quotes). A parameter given twice counts
//! the last time, as in libpq.

use std::fmt;
use std::path::PathBuf;

use percent_encoding::percent_decode_str;

/// How much TLS a connection insists on (libpq's `sslmode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SslMode {
    /// Never TLS.
    Disable,
    /// TLS if the server accepts it, else in clear (libpq's default). An
    /// attacker on the path can always make it fall back to clear.
    Prefer,
    /// TLS or nothing; the certificate is checked only when
    /// `sslrootcert` names a file (as libpq does).
    Require,
    /// TLS; the certificate must chain to a trusted CA (any host name).
    VerifyCa,
    /// TLS; the certificate must chain to a trusted CA and name the host.
    VerifyFull,
}

impl SslMode {
    fn parse(value: &str) -> Result<Self, ParamError> {
        Ok(match value {
            "disable" => Self::Disable,
            "prefer" => Self::Prefer,
            "require" => Self::Require,
            "verify-ca" => Self::VerifyCa,
            "verify-full" => Self::VerifyFull,
            other => return Err(ParamError::UnknownSslMode(other.to_owned())),
        })
    }

    /// Whether the server's certificate must chain to a trusted CA.
    pub fn verifies(self) -> bool {
        matches!(self, Self::VerifyCa | Self::VerifyFull)
    }

    /// What `postgres` is told: whether TLS is tried, and whether it is a must.
    pub fn negotiation(self) -> postgres::config::SslMode {
        match self {
            Self::Disable => postgres::config::SslMode::Disable,
            Self::Prefer => postgres::config::SslMode::Prefer,
            Self::Require | Self::VerifyCa | Self::VerifyFull => postgres::config::SslMode::Require,
        }
    }
}

impl fmt::Display for SslMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Disable => "disable",
            Self::Prefer => "prefer",
            Self::Require => "require",
            Self::VerifyCa => "verify-ca",
            Self::VerifyFull => "verify-full",
        })
    }
}

/// The CAs a server's certificate is checked against (`sslrootcert`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RootCert {
    /// Not set: with `verify-ca` and `verify-full`, the system's CAs;
    /// otherwise the certificate is not checked.
    Unset,
    /// `sslrootcert=system`: the system's CAs (as libpq 16).
    System,
    /// A PEM file with the CA certificate(s).
    File(PathBuf),
}

/// The TLS parameters of one connection string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    pub mode: SslMode,
    pub root_cert: RootCert,
}

/// A TLS parameter smsdesk cannot use.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ParamError {
    #[error("unknown sslmode {0:?}; use disable, prefer, require, verify-ca or verify-full")]
    UnknownSslMode(String),
    #[error("sslrootcert is empty; give the path of a PEM file with the CA certificate(s), or \"system\"")]
    EmptyRootCert,
    #[error("sslrootcert=system checks the host name, so it needs sslmode=verify-full (or no sslmode), not {0}")]
    WeakModeWithSystemRoots(SslMode),
    #[error("{0}: not valid percent-encoded UTF-8")]
    BadEncoding(&'static str),
    #[error("unterminated quoted value in the connection string")]
    Unterminated,
}

/// Takes `sslmode` and `sslrootcert` out of `url` (a URL or keywords):
/// what is left, for `postgres::Config`, and what they said.
pub fn split(url: &str) -> Result<(String, Settings), ParamError> {
    let mut mode = None;
    let mut root = None;
    let mut take = |key: &str, value: &str| -> Result<bool, ParamError> {
        match key {
            "sslmode" => mode = Some(SslMode::parse(value)?),
            "sslrootcert" => root = Some(value.to_owned()),
            _ => return Ok(false),
        }
        Ok(true)
    };
    let rest = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        split_url(url, &mut take)?
    } else {
        split_keywords(url, &mut take)?
    };
    let root_cert = match root.as_deref() {
        None => RootCert::Unset,
        Some("") => return Err(ParamError::EmptyRootCert),
        Some("system") => RootCert::System,
        Some(path) => RootCert::File(PathBuf::from(path)),
    };
    let mode = match (mode, &root_cert) {
        // As libpq: the system's CAs vouch for any name, so the name is checked.
        (None, RootCert::System) => SslMode::VerifyFull,
        (Some(weak), RootCert::System) if weak != SslMode::VerifyFull => {
            return Err(ParamError::WeakModeWithSystemRoots(weak))
        }
        (mode, _) => mode.unwrap_or(SslMode::Prefer),
    };
    Ok((rest, Settings { mode, root_cert }))
}

type Take<'a> = dyn FnMut(&str, &str) -> Result<bool, ParamError> + 'a;

/// The URL form, read as `postgres` reads it: the query starts at the
/// first `?` after the credentials (up to the first `@`).
fn split_url(url: &str, take: &mut Take<'_>) -> Result<String, ParamError> {
    let after_credentials = url.find('@').map_or(0, |at| at + 1);
    let Some(question) = url[after_credentials..].find('?').map(|q| after_credentials + q) else {
        return Ok(url.to_owned());
    };
    let mut kept = Vec::new();
    for pair in url[question + 1..].split('&') {
        let taken = match pair.split_once('=') {
            Some((key, value)) => {
                let key = decode(key, "a parameter's name")?;
                match key.as_str() {
                    "sslmode" => take(&key, &decode(value, "sslmode")?)?,
                    "sslrootcert" => take(&key, &decode(value, "sslrootcert")?)?,
                    _ => false,
                }
            }
            // Malformed: left for `postgres` to refuse.
            None => false,
        };
        if !taken {
            kept.push(pair);
        }
    }
    let base = &url[..question];
    Ok(if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    })
}

fn decode(s: &str, what: &'static str) -> Result<String, ParamError> {
    percent_decode_str(s)
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| ParamError::BadEncoding(what))
}

/// The keyword form, read with `postgres`'s rules (`key = value`, a
/// value in single quotes or not, `\` escaping the next character), and
/// written back with every value quoted.
fn split_keywords(s: &str, take: &mut Take<'_>) -> Result<String, ParamError> {
    let mut kept = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut key = String::new();
        while let Some(c) = chars.next_if(|c| !c.is_whitespace() && *c != '=') {
            key.push(c);
        }
        if key.is_empty() {
            // The end, or a stray `=` left for `postgres` to refuse.
            if chars.peek().is_some() {
                kept.push(chars.collect::<String>());
            }
            break;
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.next_if_eq(&'=').is_none() {
            // No value: left for `postgres` to refuse.
            kept.push(key + &chars.collect::<String>());
            break;
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let quoted = chars.next_if_eq(&'\'').is_some();
        let mut value = String::new();
        let mut closed = !quoted;
        while let Some(c) = chars.peek().copied() {
            if quoted && c == '\'' {
                chars.next();
                closed = true;
                break;
            }
            if !quoted && c.is_whitespace() {
                break;
            }
            chars.next();
            if c == '\\' {
                value.extend(chars.next());
            } else {
                value.push(c);
            }
        }
        if !closed {
            return Err(ParamError::Unterminated);
        }
        if !take(&key, &value)? {
            let escaped = value.replace('\\', "\\\\").replace('\'', "\\'");
            kept.push(format!("{key}='{escaped}'"));
        }
    }
    Ok(kept.join(" "))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn file(path: &str) -> RootCert {
        RootCert::File(PathBuf::from(path))
    }

    #[test]
    fn a_url_loses_its_tls_parameters_and_keeps_the_others() {
        let (rest, tls) = split(
            "postgres://u:p@h:5432/db?options=-csearch_path%3Ds&sslmode=verify-full&sslrootcert=/etc/ca%20dir/ca.pem&application_name=x",
        )
        .unwrap();
        assert_eq!(
            rest,
            "postgres://u:p@h:5432/db?options=-csearch_path%3Ds&application_name=x"
        );
        assert_eq!(tls.mode, SslMode::VerifyFull);
        assert_eq!(tls.root_cert, file("/etc/ca dir/ca.pem"));

        let (rest, tls) = split("postgresql://h/db?sslmode=verify-ca").unwrap();
        assert_eq!((rest.as_str(), tls.mode), ("postgresql://h/db", SslMode::VerifyCa));
        // A `?` in the password is not the query.
        let (rest, tls) = split("postgres://u:p?x@h/db").unwrap();
        assert_eq!((rest.as_str(), tls.mode), ("postgres://u:p?x@h/db", SslMode::Prefer));
        // The last one counts.
        assert_eq!(
            split("postgres://h?sslmode=require&sslmode=disable").unwrap().1.mode,
            SslMode::Disable
        );
    }

    #[test]
    fn keywords_lose_their_tls_parameters_and_keep_the_others() {
        let (rest, tls) =
            split(r"host=db.example.com  sslmode = verify-full sslrootcert='/etc/my ca\'s/ca.pem' dbname=x\ y")
                .unwrap();
        assert_eq!(rest, r"host='db.example.com' dbname='x y'");
        assert_eq!(tls.mode, SslMode::VerifyFull);
        assert_eq!(tls.root_cert, file("/etc/my ca's/ca.pem"));
        let (rest, _) = split(r"password='a\\b\'c'").unwrap();
        assert_eq!(rest, r"password='a\\b\'c'");
        let config: postgres::Config = rest.parse().unwrap();
        assert_eq!(config.get_password(), Some(&br"a\b'c"[..]));
        assert_eq!(split("host=h sslmode='unterminated"), Err(ParamError::Unterminated));
    }

    #[test]
    fn the_default_is_prefer_as_in_libpq() {
        let (rest, tls) = split("postgres://u:p@h/db").unwrap();
        assert_eq!(rest, "postgres://u:p@h/db");
        assert_eq!(
            tls,
            Settings {
                mode: SslMode::Prefer,
                root_cert: RootCert::Unset
            }
        );
        assert_eq!(split("host=h").unwrap().1.mode, SslMode::Prefer);
    }

    #[test]
    fn unknown_or_weak_settings_are_refused_with_the_reason() {
        let bad = split("postgres://h/db?sslmode=verify_full").unwrap_err();
        assert_eq!(
            bad.to_string(),
            "unknown sslmode \"verify_full\"; use disable, prefer, require, verify-ca or verify-full"
        );
        assert_eq!(
            split("host=h sslmode=allow"),
            Err(ParamError::UnknownSslMode("allow".into()))
        );
        assert_eq!(split("postgres://h/db?sslrootcert="), Err(ParamError::EmptyRootCert));
        assert_eq!(
            split("postgres://h/db?sslrootcert=system&sslmode=require"),
            Err(ParamError::WeakModeWithSystemRoots(SslMode::Require))
        );
        let system = split("postgres://h/db?sslrootcert=system").unwrap().1;
        assert_eq!((system.mode, system.root_cert), (SslMode::VerifyFull, RootCert::System));
        assert_eq!(
            split("postgres://h/db?sslmode=%FF"),
            Err(ParamError::BadEncoding("sslmode"))
        );
    }
}
