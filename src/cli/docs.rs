//! `sitelift completions SHELL` and `sitelift man [COMMAND]`: shell
//! completions and manual pages generated from the command definitions, so
//! they never disagree with `--help`. Both print to stdout (no file is
//! written): `sitelift completions bash > ~/.local/share/bash-completion/completions/sitelift`,
//! `sitelift man > sitelift.1`.

use std::io::Write;

use clap::CommandFactory;

use super::Cli;

/// Arguments of `sitelift completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    shell: clap_complete::Shell,
}

/// Arguments of `sitelift man`.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// The page of this command (e.g. `crawl`); without it, the page of `sitelift`.
    command: Option<String>,
}

pub fn completions(a: CompletionsArgs) -> anyhow::Result<u8> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "sitelift", &mut buf);
    print(&buf)
}

pub fn man(a: ManArgs) -> anyhow::Result<u8> {
    let root = Cli::command();
    let page = match &a.command {
        None => root,
        Some(name) => {
            let names: Vec<String> = root
                .get_subcommands()
                .map(|c| c.get_name().to_string())
                .collect();
            let Some(sub) = root.find_subcommand(name) else {
                anyhow::bail!(
                    "no command `{name}`; the commands are: {}",
                    names.join(", ")
                );
            };
            let title = format!("sitelift-{}", sub.get_name());
            sub.clone().name(title)
        }
    };
    let mut buf = Vec::new();
    clap_mangen::Man::new(page).render(&mut buf)?;
    print(&buf)
}

/// Write to stdout; a reader that stopped early (`| head`) is no error.
fn print(buf: &[u8]) -> anyhow::Result<u8> {
    let mut out = std::io::stdout().lock();
    match out.write_all(buf).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(0),
    }
}
