//! `kehoach serve`: the web pages and the JSON API over HTTP.

use crate::EXIT_OK;
use std::io::Write;
use std::net::SocketAddr;

/// Arguments of `kehoach serve`.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Serves the imported plans over HTTP, read-only: a search page with facets and highlighted
snippets (/), the plan list (/plans), one plan with its task table (/plan/ID), the comparison of
two plans (/compare?a=ID&b=ID), target timelines (/targets?q=…), and a JSON API with the shapes of
the CLI's --json: /api/search, /api/plans, /api/plans/ID, /api/diff?a=&b=, /api/targets?q=.
Everything (styles, script) is embedded; nothing is fetched from elsewhere. Plans imported while
the server runs appear within a few seconds.

The server binds to loopback by default; --addr 0.0.0.0:8080 exposes it to the network.

Exit status:
  2  the server could not start (no index in the data directory, address in use)

Examples:
  kehoach serve
  kehoach serve --data /srv/kehoach --addr 127.0.0.1:9000
  curl 'http://127.0.0.1:8080/api/search?q=ho+so+truc+tuyen&year=2024&facets=1'")]
pub struct Args {
    #[command(flatten)]
    pub store: crate::store::StoreArgs,
    /// The address to listen on (port 0 picks a free port).
    #[arg(long, value_name = "HOST:PORT", default_value = kehoach_serve::DEFAULT_ADDR)]
    pub addr: SocketAddr,
}

/// Runs the command (until the process is stopped).
pub fn run(args: Args) -> anyhow::Result<u8> {
    let state = kehoach_serve::AppState::from_boxed(args.store.open()?);
    kehoach_serve::run_state(state, args.addr, |bound| {
        let mut out = std::io::stdout().lock();
        // The first line names the URL (scripts read it to find a picked port).
        let _ = writeln!(
            out,
            "kehoach: serving {} at http://{bound}/",
            args.store.shown()
        );
        let _ = out.flush();
    })?;
    Ok(EXIT_OK)
}
