//! `smsdesk appservice-registration`: writes the appservice registration
//! file (`matrix.registration`) for the homeserver: new tokens the first
//! time, the same tokens on every later run (so the homeserver and smsdesk
//! keep agreeing), the rest (url, namespaces, sender) from the config.

use std::path::Path;
use std::process::ExitCode;

use crate::appservice::registration::{self, Written};
use crate::config::{Config, MatrixAuth};

pub fn run(path: &Path, print: bool) -> anyhow::Result<ExitCode> {
    let config = match Config::load(path) {
        Ok(c) => c,
        Err(errors) => {
            eprint!("{errors}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let Some(matrix) = &config.matrix else {
        eprintln!(
            "{}: there is no [matrix] section; appservice mode needs one with mode = \"appservice\"",
            path.display()
        );
        return Ok(ExitCode::FAILURE);
    };
    let MatrixAuth::Appservice(appservice) = &matrix.auth else {
        eprintln!(
            "{}: matrix.mode is \"bot\"; set mode = \"appservice\" under [matrix] (and remove password/access_token) first",
            path.display()
        );
        return Ok(ExitCode::FAILURE);
    };
    let (written, how) = registration::write(matrix, appservice, &config.public_url)?;
    let file = appservice.registration.display();
    match how {
        Written::New => println!("wrote {file} with new tokens"),
        Written::Updated => println!("updated {file}; its tokens are kept"),
    }
    println!(
        "The homeserver pushes events to {} and smsdesk acts as {} and @{}…:{}.\n\
         Synapse: add the file's path to app_service_config_files in homeserver.yaml and restart Synapse;\n\
         then start smsdesk (`smsdesk run --config {}`).",
        written.url.as_deref().unwrap_or("(nowhere)"),
        matrix.user,
        appservice.ghost_prefix,
        matrix.user.server_name(),
        path.display()
    );
    if print {
        println!("\n{}", registration::to_yaml(&written)?);
    }
    Ok(ExitCode::SUCCESS)
}
