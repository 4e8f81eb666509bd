//! One connection and the statements prepared on it. smsdesk's hot
//! statements (the engine's commit and reads, the shared inbox's) run many
//! times a second with new parameters: sent each time as text (`Parse`),
//! PostgreSQL parsed and planned them every time, about a third of its work
//! per statement in the ingest benchmark. A `Session` prepares each SQL
//! text once (with its parameters' types) and runs it as `Bind`/`Execute`
//! from then on, in the same one round trip.
//!
//! Prepared statements belong to the connection: a new connection starts
//! with none (`Conn` and the bridge's pool make a new `Session`). They
//! stay valid across schema changes: PostgreSQL plans them again when a
//! table they use changes, and every statement here names the columns it
//! returns, so their result types cannot change under them.

use std::collections::HashMap;

use postgres::types::{ToSql, Type};
use postgres::{Client, Row, Statement};

/// Statements kept per connection at most; smsdesk's SQL texts are a fixed
/// set, well under this. A text beyond it is prepared for its call only.
const KEPT: usize = 64;

/// A connection and its prepared statements.
pub struct Session {
    client: Client,
    prepared: HashMap<String, Statement>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("prepared", &self.prepared.len())
            .finish_non_exhaustive()
    }
}

impl Session {
    /// A new connection's session: nothing prepared yet.
    pub fn new(client: Client) -> Self {
        Self {
            client,
            prepared: HashMap::new(),
        }
    }

    /// The connection, for statements run once (migrations, the lease).
    pub fn client(&mut self) -> &mut Client {
        &mut self.client
    }

    /// The connection back, its prepared statements forgotten.
    pub fn into_client(self) -> Client {
        self.client
    }

    /// Whether the connection is closed (the server went away).
    pub fn is_closed(&self) -> bool {
        self.client.is_closed()
    }

    /// Runs `sql` with `params` (each with its type, as `query_typed`
    /// takes them), prepared on this connection the first time.
    pub fn query(&mut self, sql: &str, params: &[(&(dyn ToSql + Sync), Type)]) -> Result<Vec<Row>, postgres::Error> {
        let statement = self.statement(sql, params)?;
        let values: Vec<&(dyn ToSql + Sync)> = params.iter().map(|(value, _)| *value).collect();
        self.client.query(&statement, &values)
    }

    /// The same, for a statement that returns exactly one row.
    pub fn query_one(&mut self, sql: &str, params: &[(&(dyn ToSql + Sync), Type)]) -> Result<Row, postgres::Error> {
        let statement = self.statement(sql, params)?;
        let values: Vec<&(dyn ToSql + Sync)> = params.iter().map(|(value, _)| *value).collect();
        self.client.query_one(&statement, &values)
    }

    /// `sql` prepared for `params`' types: the kept statement, or a new
    /// one (kept while there is room). A text run with other types than
    /// before is prepared again for them.
    fn statement(&mut self, sql: &str, params: &[(&(dyn ToSql + Sync), Type)]) -> Result<Statement, postgres::Error> {
        let same_types = |s: &Statement| s.params().iter().eq(params.iter().map(|(_, t)| t));
        if let Some(kept) = self.prepared.get(sql).filter(|s| same_types(s)) {
            return Ok(kept.clone());
        }
        let types: Vec<Type> = params.iter().map(|(_, t)| t.clone()).collect();
        let statement = self.client.prepare_typed(sql, &types)?;
        if self.prepared.len() < KEPT || self.prepared.contains_key(sql) {
            self.prepared.insert(sql.to_owned(), statement.clone());
        }
        Ok(statement)
    }

    /// How many statements this connection keeps prepared (for tests).
    pub fn prepared(&self) -> usize {
        self.prepared.len()
    }
}
