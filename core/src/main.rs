//! `bookrun [--db PATH] [--now RFC3339] COMMAND [JSON-ARGS]`: the command
//! line of Book & Run (SPEC section 8). The result is JSON on stdout (exit
//! 0); a refusal is `{"error":{"code","message"}}` on stderr (exit 1); a
//! usage error exits 2 with code `usage`.

use bookrun::{api, clock, store, Error};
use clap::{CommandFactory, FromArgMatches, Parser};
use serde_json::Value;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "bookrun",
    version,
    about = "Book & Run: group-buy deals with quantity tiers, bookings, wallets and settlement",
    override_usage = "bookrun [--db PATH] [--now RFC3339] [--demo] COMMAND [JSON-ARGS]"
)]
struct Cli {
    /// The database file (default: $BOOKRUN_DB, else the desktop app's own database)
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    /// The clock for this call, as RFC 3339 (default: the system clock)
    #[arg(long, value_name = "RFC3339")]
    now: Option<String>,
    /// On a database with no deals, first create the demo deal (SPEC example 1's "Cars")
    #[arg(long)]
    demo: bool,
    /// The command to run (listed below)
    #[arg(value_name = "COMMAND")]
    command: Option<String>,
    /// The command's arguments as one JSON object ("-" reads it from standard input)
    #[arg(value_name = "JSON-ARGS", allow_hyphen_values = true)]
    json: Option<String>,
}

/// The list of commands printed under `--help`, from the command table.
fn commands_help() -> String {
    let mut s = String::from("Commands (arguments as one JSON object; `?` marks optional ones):\n");
    for c in api::COMMANDS {
        s.push_str(&format!(
            "  {:<19}{}\n  {:<19}  args: {}\n  {:<19}  returns: {}\n",
            c.name, c.summary, "", c.args, "", c.returns
        ));
    }
    s.push_str(
        "\nMoney is a decimal string (\"29500.00\"), times are RFC 3339, ids are integers.\n\
         Example: bookrun --db deals.db get_deal '{\"deal_id\":1}'\n",
    );
    s
}

fn fail(e: &Error) -> ExitCode {
    let _ = writeln!(std::io::stderr(), "{}", e.to_json());
    ExitCode::from(if matches!(e, Error::Usage(_)) { 2 } else { 1 })
}

fn main() -> ExitCode {
    let cmd = Cli::command().after_help(commands_help());
    let cli = match cmd
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind::*;
            if matches!(e.kind(), DisplayHelp | DisplayVersion) {
                // A reader that stopped early (`bookrun --help | head`)
                // is not an error of ours: nothing to report.
                let _ = write!(std::io::stdout(), "{e}");
                return ExitCode::SUCCESS;
            }
            return fail(&Error::Usage(
                e.kind().to_string() + ": " + &first_line(&e.to_string()),
            ));
        }
    };
    match run(cli) {
        Ok((v, conn)) => {
            let out = serde_json::to_string_pretty(&v).expect("json");
            if writeln!(std::io::stdout(), "{out}")
                .and_then(|()| std::io::stdout().flush())
                .is_err()
            {
                return ExitCode::from(1);
            }
            // The answer is out: now copy the WAL into the file, off the
            // command's path (a failure here loses nothing: the WAL stays).
            if let Err(e) = store::checkpoint(&conn) {
                eprintln!("checkpoint: {e}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

fn first_line(s: &str) -> String {
    s.lines()
        .next()
        .unwrap_or_default()
        .trim_start_matches("error: ")
        .to_string()
}

fn run(cli: Cli) -> Result<(Value, rusqlite::Connection), Error> {
    let name = cli.command.ok_or_else(|| {
        Error::Usage("no command given; `bookrun --help` lists the commands".into())
    })?;
    if api::find(&name).is_none() {
        return Err(Error::Usage(format!(
            "unknown command {name:?}; `bookrun --help` lists the commands"
        )));
    }
    let now = match cli.now.as_deref() {
        Some(s) => clock::parse("--now", s).map_err(|e| Error::Usage(e.to_string()))?,
        None => clock::system_now(),
    };
    let text = match cli.json.as_deref() {
        None => "{}".to_string(),
        Some("-") => {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s).map_err(|e| {
                Error::Usage(format!("cannot read JSON-ARGS from standard input: {e}"))
            })?;
            s
        }
        Some(s) => s.to_string(),
    };
    let mut args: Value = serde_json::from_str(&text)
        .map_err(|e| Error::Usage(format!("JSON-ARGS is not valid JSON: {e}")))?;
    if !args.is_object() {
        return Err(Error::Usage(
            "JSON-ARGS must be a JSON object like {\"deal_id\":1}".into(),
        ));
    }
    // The imports read a file named by `path`; `"path": "-"` is standard
    // input, handed to the command as its `csv` text.
    if args["path"] == "-" && cli.json.as_deref() != Some("-") {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| Error::Usage(format!("cannot read the CSV from standard input: {e}")))?;
        let m = args.as_object_mut().expect("an object");
        m.remove("path");
        m.insert("csv".into(), Value::String(s));
    }
    let path = match cli.db {
        Some(p) => p,
        None => store::default_path()?,
    };
    let mut conn = store::open(&path)?;
    if cli.demo {
        bookrun::demo::seed_if_empty(&mut conn, now)?;
    }
    let v = api::execute(&mut conn, &name, args, now)?;
    Ok((v, conn))
}
