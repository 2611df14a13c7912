//! `sitelift serve DIR`: serve a fixture folder as the live legacy site would
//! be served (pages by URL, 301 for aliases, robots.txt, sitemaps), to try a
//! crawl without touching the real server.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Arguments of `sitelift serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The fixture folder (pages with NAME.meta.json sidecars).
    dir: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    /// Crawl-delay (seconds) to announce in robots.txt.
    #[arg(long)]
    crawl_delay: Option<u32>,
}

pub fn run(a: Args) -> anyhow::Result<u8> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    rt.block_on(async {
        let index = crate::serve::site_index(&a.dir)?;
        for w in &index.warnings {
            eprintln!("sitelift: warning: {w}");
        }
        let opts = crate::serve::ServeOptions { crawl_delay: a.crawl_delay, extra: None };
        let handle = crate::serve::serve(&a.dir, a.bind, opts).await?;
        eprintln!(
            "sitelift: serving {} ({} pages) on http://{}/ — crawl it with --connect-to HOST={}; Ctrl-C to stop",
            a.dir.display(),
            index.pages.len(),
            handle.addr(),
            handle.addr()
        );
        tokio::signal::ctrl_c().await?;
        handle.shutdown().await;
        anyhow::Ok(())
    })?;
    Ok(0)
}
