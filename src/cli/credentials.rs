//! The provider account's name and password, from the environment only: a
//! flag would show them in `ps`.

use anyhow::bail;
use voxprep::provider::Credentials;

/// The environment variable holding the account name (`CpName`).
pub const ENV_NAME: &str = "QXT_CP_NAME";
/// The environment variable holding the password (`CpPassword`).
pub const ENV_PASSWORD: &str = "QXT_CP_PASSWORD";

/// The credentials from [`ENV_NAME`] and [`ENV_PASSWORD`]; a missing or
/// empty one is a usage error naming the variable.
pub fn from_env() -> anyhow::Result<Credentials> {
    let name = var(ENV_NAME)?;
    let password = var(ENV_PASSWORD)?;
    Ok(Credentials::try_new(name, password)?)
}

fn var(name: &str) -> anyhow::Result<String> {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => Ok(v),
        Ok(_) => bail!("{name} is set but empty; set it to your provider account's value"),
        Err(std::env::VarError::NotPresent) => {
            bail!("{name} is not set; export {name} with your provider account's value")
        }
        Err(std::env::VarError::NotUnicode(_)) => bail!("{name} is not valid UTF-8"),
    }
}
