//! Who a database URL names, for messages an operator reads: host and
//! port, database and user, never the password (a URL's password must not
//! reach a terminal or a log).

use std::str::FromStr;

/// `host:port, database D, user U` as the URL says (defaults as libpq:
/// port 5432, database named after the user); the URL is not shown when
/// it cannot be read.
pub fn target(url: &str) -> String {
    let Ok(config) = postgres::Config::from_str(url) else {
        return "a URL that cannot be read".to_owned();
    };
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|h| match h {
            postgres::config::Host::Tcp(name) => name.clone(),
            postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .collect();
    let ports = config.get_ports();
    let places: Vec<String> = hosts
        .iter()
        .enumerate()
        .map(|(i, host)| {
            let port = ports.get(i).or(ports.first()).copied().unwrap_or(5432);
            format!("{host}:{port}")
        })
        .collect();
    let user = config.get_user().unwrap_or("(none)");
    let database = config.get_dbname().unwrap_or(user);
    let places = if places.is_empty() {
        "localhost:5432".to_owned()
    } else {
        places.join(", ")
    };
    format!("{places}, database {database}, user {user}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_the_place_and_never_the_password() {
        let t = super::target("postgres://desk:hunter2@db.example.com:6543/smsdesk?sslmode=require");
        assert_eq!(t, "db.example.com:6543, database smsdesk, user desk");
        assert_eq!(
            super::target("postgres://desk:pw@db.example.com/smsdesk"),
            "db.example.com:5432, database smsdesk, user desk"
        );
        assert!(!super::target("postgres://desk:hunter2@h/d").contains("hunter2"));
    }
}
