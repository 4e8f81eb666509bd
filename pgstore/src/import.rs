//! The mark of an import under way (`smsdesk import-store`): a row named
//! `import` in `smsdesk_lease`, written before the first record is copied
//! and removed after the last. An instance finding it refuses to lead (the
//! database holds part of a store), and the next `import-store` resumes
//! the copy, which only ever writes the same records again.

use postgres::GenericClient;

const NAME: &str = "import";

/// Marks an import by `holder` as under way (again, if one did not finish).
pub fn begin(client: &mut impl GenericClient, holder: &str) -> Result<(), postgres::Error> {
    client.execute(
        "INSERT INTO smsdesk_lease (name, holder, epoch, valid_until) VALUES ($1, $2, 0, 'infinity') \
         ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder",
        &[&NAME, &holder],
    )?;
    Ok(())
}

/// Who started an import that did not finish, if one did not.
pub fn unfinished(client: &mut impl GenericClient) -> Result<Option<String>, postgres::Error> {
    Ok(client
        .query_opt("SELECT holder FROM smsdesk_lease WHERE name = $1", &[&NAME])?
        .map(|r| r.get(0)))
}

/// The import is complete.
pub fn finish(client: &mut impl GenericClient) -> Result<(), postgres::Error> {
    client.execute("DELETE FROM smsdesk_lease WHERE name = $1", &[&NAME])?;
    Ok(())
}
