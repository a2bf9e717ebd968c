//! The command line: `serve` (the default), `migrate`, `openapi`, `create-user`,
//! `seed-demo`, and the data's safety net: `backup`, `restore`, `export`, `import`.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::auth::Role;
use crate::auth::password::{Passwords, check_strength};
use crate::config::Config;
use crate::db::AnyConnection;
use crate::http::validate::is_plausible_email;

#[derive(Parser)]
#[command(
    name = "kiosque",
    version,
    about = "Kiosque: a headless CMS for news publishers"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the API server (the default). Applies pending migrations first.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document (or write it to a file).
    Openapi {
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Create an account. The password is read from standard input.
    CreateUser {
        #[arg(long)]
        email: String,
        /// member, author, editor or admin
        #[arg(long, default_value = "member")]
        role: String,
        /// Display name (default: the part of the e-mail before @).
        #[arg(long)]
        name: Option<String>,
    },
    /// Fill an empty database with a generated French local-news site
    /// (sections, authors, tags, articles over four years).
    SeedDemo {
        /// How many articles.
        #[arg(long, default_value_t = 2400)]
        articles: usize,
        /// Random seed: the same seed gives the same site.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Write a consistent copy of the database while the server keeps serving
    /// (SQLite: a SQLite file; PostgreSQL: a portable export).
    Backup {
        /// The file to write (replaced once the copy is complete).
        #[arg(long)]
        to: PathBuf,
    },
    /// Load a backup (or an export) into an empty database.
    Restore {
        #[arg(long)]
        from: PathBuf,
        /// Replace the data of a non-empty database (in the same transaction:
        /// if the restore fails, the old data stays).
        #[arg(long)]
        force: bool,
    },
    /// Write every table of the site as JSON Lines (docs/export-format.md),
    /// to move it to another database or backend.
    Export {
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// The media library's housekeeping.
    Media {
        #[command(subcommand)]
        action: MediaCommand,
    },
    /// Load an export into an empty database, all or nothing.
    Import {
        /// The export to read (default: standard input).
        file: Option<PathBuf>,
        /// Replace the data of a non-empty database (in the same transaction).
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand)]
enum MediaCommand {
    /// Remove stored files that no media item (nor variant) names any more,
    /// once older than the grace period.
    Gc {
        /// Leave files younger than this many hours (uploads in flight).
        #[arg(long, default_value_t = 24)]
        grace_hours: u64,
        /// Count what would be removed, remove nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

pub fn main() -> ExitCode {
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    if let Some(Command::Openapi { output }) = &cli.command {
        // needs no configuration nor database
        return print_openapi(output.as_ref());
    }
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    crate::init_tracing(&config);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => actix_web::rt::System::new()
            .block_on(crate::serve(config))
            .map_err(|e| e.to_string()),
        Command::Migrate => crate::db::migrate(&config.database).map(|n| {
            println!("applied {n} migration(s) to {}", config.database.redacted());
        }),
        Command::CreateUser { email, role, name } => create_user(&config, &email, &role, name),
        Command::SeedDemo { articles, seed } => crate::seed::seed(&config, articles, seed)
            .map(|s| {
                println!(
                    "seeded {} sections, {} authors, {} tags, {} events, {} pictures and {} articles into {}",
                    s.sections,
                    s.authors,
                    s.tags,
                    s.events,
                    s.pictures,
                    s.articles,
                    config.database.redacted()
                );
            })
            .map_err(|e| e.detail),
        Command::Backup { to } => crate::transfer::backup(&config.database, &to)
            .map(|kind| {
                let what = match kind {
                    crate::transfer::backup::Backup::SqliteFile => "a SQLite copy".to_string(),
                    crate::transfer::backup::Backup::Export(s) => {
                        format!("an export of {} rows", s.total())
                    }
                };
                eprintln!(
                    "backed up {} to {} ({what})",
                    config.database.redacted(),
                    to.display()
                );
                audit_copy(&config, "backup.created", &to.display().to_string());
            })
            .map_err(|e| e.to_string()),
        Command::Restore { from, force } => crate::db::migrate(&config.database).and_then(|_| {
            crate::transfer::restore(&config.database, &from, force)
                .map(|s| report("restored", &s, &config))
                .map_err(|e| e.to_string())
        }),
        Command::Export { output } => export(&config, output.as_deref()),
        Command::Import { file, force } => crate::db::migrate(&config.database).and_then(|_| {
            let options = crate::transfer::import::Options { replace: force };
            let result = match &file {
                Some(path) => std::fs::File::open(path)
                    .map_err(|e| format!("{}: {e}", path.display()))
                    .and_then(|f| {
                        let mut input = std::io::BufReader::new(f);
                        crate::transfer::import(&config.database, &mut input, options)
                            .map_err(|e| e.to_string())
                    }),
                None => {
                    crate::transfer::import(&config.database, &mut std::io::stdin().lock(), options)
                        .map_err(|e| e.to_string())
                }
            };
            result.map(|s| report("imported", &s, &config))
        }),
        Command::Media {
            action:
                MediaCommand::Gc {
                    grace_hours,
                    dry_run,
                },
        } => media_gc(&config, grace_hours, dry_run),
        Command::Openapi { .. } => unreachable!("handled above"),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // the sink may be gone (a closed pipe): exit with the code anyway
            let _ = writeln!(std::io::stderr(), "error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn media_gc(config: &Config, grace_hours: u64, dry_run: bool) -> Result<(), String> {
    crate::db::migrate(&config.database)?;
    let store = crate::storage::open(&config.media.storage, &config.media.dir)?;
    let db = crate::db::Db::new(&config.database, 2, config.db_connect_timeout);
    let grace = std::time::Duration::from_secs(grace_hours.saturating_mul(3600));
    let done = actix_web::rt::System::new()
        .block_on(crate::media::collect(&*store, &db, grace, dry_run))
        .map_err(|e| e.to_string())?;
    let verb = if dry_run { "would remove" } else { "removed" };
    let _ = writeln!(
        std::io::stdout(),
        "media gc: {verb} {} unused file(s); kept {} in use and {} younger than {grace_hours} h",
        done.removed,
        done.kept,
        done.young
    );
    Ok(())
}

fn print_openapi(output: Option<&PathBuf>) -> ExitCode {
    let json = crate::routes::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serialises");
    let written = match output {
        Some(path) => std::fs::write(path, format!("{json}\n")),
        None => writeln!(std::io::stdout(), "{json}"),
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn report(done: &str, summary: &crate::transfer::Summary, config: &Config) {
    let tables = summary.rows.iter().filter(|(_, n)| *n > 0).count();
    eprintln!(
        "{done} {} rows in {tables} tables into {}",
        summary.total(),
        config.database.redacted()
    );
}

fn export(config: &Config, output: Option<&std::path::Path>) -> Result<(), String> {
    let summary = match output {
        Some(path) => {
            let file =
                std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let mut out = std::io::BufWriter::new(file);
            let result = crate::transfer::export(&config.database, &mut out);
            if result.is_err() {
                let _ = std::fs::remove_file(path);
            }
            result
        }
        None => crate::transfer::export(
            &config.database,
            &mut std::io::BufWriter::new(std::io::stdout().lock()),
        ),
    }
    .map_err(|e| e.to_string())?;
    eprintln!(
        "exported {} rows from {}",
        summary.total(),
        config.database.redacted()
    );
    let to = output.map_or("standard output".to_string(), |p| p.display().to_string());
    audit_copy(config, "export.created", &to);
    Ok(())
}

/// Records in the audit log that the site's data was copied out (by the
/// operator, at the machine: the actor is `system`). The copy is made
/// whatever happens here; a failure to record is said, not fatal.
fn audit_copy(config: &Config, action: &str, to: &str) {
    let recorded = AnyConnection::open(&config.database)
        .map_err(|e| e.to_string())
        .and_then(|mut conn| {
            let entry = crate::audit::Entry::new(action).detail("to", to);
            let now = crate::state::now_micros();
            crate::audit::record(&mut conn, &crate::audit::Actor::system(), entry, now)
                .map_err(|e| e.detail)
        });
    if let Err(e) = recorded {
        let _ = writeln!(
            std::io::stderr(),
            "warning: not recorded in the audit log: {e}"
        );
    }
}

fn read_password() -> Result<String, String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").map_err(|e| e.to_string())?;
        let again = rpassword::prompt_password("Again: ").map_err(|e| e.to_string())?;
        if first != again {
            return Err("the two passwords differ".into());
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}

fn create_user(
    config: &Config,
    email: &str,
    role: &str,
    name: Option<String>,
) -> Result<(), String> {
    let email = email.trim().to_lowercase();
    if !is_plausible_email(&email) {
        return Err(format!("`{email}` is not a valid e-mail address"));
    }
    let role = Role::parse(role)
        .ok_or_else(|| format!("`{role}` is not a role (member, author, editor, admin)"))?;
    let password = read_password()?;
    if let Some(problem) = check_strength("password", &password, Some(&email)).first() {
        return Err(format!("the password {}", problem.message));
    }
    crate::db::migrate(&config.database)?;
    let hash = Passwords::new(config.argon2_memory_kib, config.argon2_iterations)
        .hash(&password)
        .map_err(|e| e.detail)?;
    let display_name =
        name.unwrap_or_else(|| email.split('@').next().unwrap_or(&email).to_string());
    let now = crate::state::now_micros();
    let mut conn = AnyConnection::open(&config.database).map_err(|e| e.to_string())?;
    let user = crate::users::open_account(
        &mut conn,
        crate::users::NewAccount {
            email: email.clone(),
            password_hash: hash,
            display_name,
            role,
            bio: String::new(),
        },
        now,
    )
    .map_err(|e| e.detail)?;
    println!("created {} {} (id {})", role.as_str(), user.email, user.id);
    Ok(())
}
