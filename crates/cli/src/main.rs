//! `baseline`: an AWS account's security and governance baseline as code.
//! Data goes to stdout, progress and logs to stderr.

mod commands;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgAction, Args, Parser, Subcommand};

/// Keep an AWS account's security baseline as code: plan shows what differs, apply fixes it.
#[derive(Debug, Parser)]
#[command(name = "baseline", version, propagate_version = true)]
struct Cli {
    /// More logs on stderr: -v info (AWS call count), -vv every AWS call, -vvv everything.
    #[arg(short, long, action = ArgAction::Count, global = true)]
    verbose: u8,

    /// AWS profile to use (SSO and assume-role profiles work); default: AWS_PROFILE.
    #[arg(long, global = true, value_name = "NAME")]
    profile: Option<String>,

    /// Region for AWS calls; default: `account.home_region`, then the profile's region.
    #[arg(long, global = true, value_name = "REGION")]
    region: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check baseline.yaml without calling AWS.
    Validate(FileArg),
    /// Read the account and show what differs from baseline.yaml.
    Plan {
        #[command(flatten)]
        file: FileArg,
        /// Exit 2 when there are changes to apply (manual items alone do not count).
        #[arg(long)]
        detailed_exitcode: bool,
    },
    /// Show the plan, ask for confirmation, and make the changes.
    Apply {
        #[command(flatten)]
        file: FileArg,
        /// Apply without asking (for CI).
        #[arg(long)]
        auto_approve: bool,
        /// How many changes may run at once.
        #[arg(long, default_value_t = 8, value_name = "N")]
        parallelism: usize,
        /// Where to write the initial passwords of new console users (created with mode
        /// 0600). Required when apply creates one; passwords are never printed.
        #[arg(long, value_name = "FILE")]
        password_file: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
struct FileArg {
    /// The baseline file.
    #[arg(
        short = 'f',
        long = "file",
        default_value = "baseline.yaml",
        value_name = "FILE"
    )]
    file: PathBuf,
}

/// Exit codes, as Terraform's `-detailed-exitcode`.
pub(crate) mod exit {
    pub const OK: u8 = 0;
    pub const ERROR: u8 = 1;
    pub const CHANGES: u8 = 2;
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            commands::error(&format!("cannot start the async runtime: {err}"), None);
            return ExitCode::from(exit::ERROR);
        }
    };
    let out = commands::Output {
        color: std::io::stdout().is_terminal() && !no_color(),
        stdin_is_terminal: std::io::stdin().is_terminal(),
    };
    let aws = baseline_aws::ContextOptions {
        profile: cli.profile,
        region: cli.region,
        password_file: match &cli.command {
            Command::Apply { password_file, .. } => password_file.clone(),
            _ => None,
        },
    };
    let code = runtime.block_on(async {
        match cli.command {
            Command::Validate(file) => commands::validate(&file.file),
            Command::Plan {
                file,
                detailed_exitcode,
            } => commands::plan(&file.file, aws, out, detailed_exitcode).await,
            Command::Apply {
                file,
                auto_approve,
                parallelism,
                password_file: _,
            } => commands::apply(&file.file, aws, out, auto_approve, parallelism).await,
        }
    });
    ExitCode::from(code)
}

/// NO_COLOR set to anything but the empty string turns colour off (no-color.org).
fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "warn,baseline=info",
        2 => "warn,baseline=debug",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("BASELINE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal() && !no_color())
        .with_target(false)
        .without_time()
        .init();
}
