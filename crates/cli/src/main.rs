//! `baseline`: an AWS account's security and governance baseline as code.
//! Data goes to stdout, progress and logs to stderr.

mod commands;
mod output;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgAction, Args, CommandFactory, Parser, Subcommand};

/// The version, and the commit it was built from when known.
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), env!("BASELINE_VERSION_SUFFIX"));

/// Keep an AWS account's security baseline as code: plan shows what differs, apply fixes it.
#[derive(Debug, Parser)]
#[command(name = "baseline", version = VERSION, propagate_version = true)]
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

    /// Colour in the plan: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto, value_name = "WHEN")]
    color: Color,

    /// Show each region's changes on their own, not folded with those alike in other regions.
    #[arg(long, global = true)]
    no_fold: bool,

    #[command(subcommand)]
    command: Command,
}

/// `--section NAME`: the sections init writes by their key in the file (the account is
/// always written).
fn init_section() -> impl clap::builder::TypedValueParser<Value = baseline_aws::InitSection> {
    use baseline_aws::InitSection;
    use clap::builder::TypedValueParser as _;
    let keys = InitSection::ALL
        .iter()
        .filter(|s| **s != InitSection::Account)
        .map(|s| s.key());
    clap::builder::PossibleValuesParser::new(keys).map(|key| {
        InitSection::ALL
            .into_iter()
            .find(|s| s.key() == key)
            .unwrap_or(InitSection::Account)
    })
}

/// When output is coloured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

impl Color {
    /// Whether a stream that is (or is not) a terminal gets colour.
    fn on(self, terminal: bool) -> bool {
        match self {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => terminal && !no_color(),
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check baseline.yaml without calling AWS (`--strict`: and every policy it writes with
    /// AWS's own policy validator, which needs credentials).
    Validate {
        #[command(flatten)]
        file: FileArg,
        /// Also check every policy document with IAM Access Analyzer's ValidatePolicy: an
        /// error or a security warning fails validation.
        #[arg(long)]
        strict: bool,
    },
    /// Read the account and show what differs from baseline.yaml.
    Plan {
        #[command(flatten)]
        file: FileArg,
        /// Exit 2 when there are changes to apply (manual items alone do not count).
        #[arg(long)]
        detailed_exitcode: bool,
        /// Also save the plan, for `baseline apply PLAN` and `baseline show PLAN`.
        #[arg(long, value_name = "PLAN")]
        out: Option<PathBuf>,
        #[command(flatten)]
        format: FormatArg,
        #[command(flatten)]
        accounts: AccountsArg,
    },
    /// Show the plan, ask for confirmation, and make the changes.
    Apply {
        #[command(flatten)]
        file: FileArg,
        /// A plan saved with `plan --out`: apply exactly it, after checking that the account
        /// has not changed since.
        #[arg(value_name = "PLAN")]
        saved: Option<PathBuf>,
        #[command(flatten)]
        run: RunArgs,
        #[command(flatten)]
        accounts: AccountsArg,
    },
    /// Plan the removal of everything the baseline declares, and make it after confirmation.
    Destroy {
        #[command(flatten)]
        file: FileArg,
        #[command(flatten)]
        run: RunArgs,
        #[command(flatten)]
        accounts: AccountsArg,
    },
    /// Write a starting baseline.yaml from the live account, to adopt it as it is.
    Init {
        /// Where to write it.
        #[arg(
            short = 'f',
            long = "file",
            default_value = "baseline.yaml",
            value_name = "FILE"
        )]
        file: PathBuf,
        /// Replace the file if it exists (with --section: replace those sections of it).
        #[arg(long)]
        force: bool,
        /// Describe only this section (repeatable); added to FILE when it exists, so an
        /// account can be adopted one part at a time. `account` is always written.
        #[arg(long = "section", value_name = "SECTION", value_parser = init_section())]
        sections: Vec<baseline_aws::InitSection>,
    },
    /// Remove the account's apply lock, left by a run that was killed. Check first that the
    /// run that holds it is really gone.
    ForceUnlock(FileArg),
    /// Print the JSON Schema of baseline.yaml (for editors: yaml-language-server).
    Schema,
    /// Print a saved plan as text, JSON or Markdown, without calling AWS.
    Show {
        /// A saved plan; several (the shards of `plan --shard I/N`) are shown as one.
        #[arg(value_name = "PLAN", required = true)]
        plan: Vec<PathBuf>,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Print the completion script for a shell, e.g.
    /// `baseline completions bash > ~/.local/share/bash-completion/completions/baseline`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `baseline man > baseline.1 && man ./baseline.1`.
    Man,
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

#[derive(Debug, Args)]
struct AccountsArg {
    /// Limit the run to these accounts (ids, or names under `organization.accounts`);
    /// repeat it or separate with commas. Default: the pinned account and every target.
    #[arg(long, value_name = "ACCOUNT", value_delimiter = ',')]
    target_account: Vec<String>,
    /// How many member accounts are planned and applied at once (default:
    /// `targets.parallelism`, else 4).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    account_parallelism: Option<u16>,
    /// Plan shard I of N of the member accounts (a CI matrix job; shard 1 also plans the
    /// pinned account); `baseline show` puts the shards' saved plans back together.
    #[arg(long, value_name = "I/N")]
    shard: Option<baseline_engine::Shard>,
}

impl AccountsArg {
    fn fanout(&self) -> commands::Fanout {
        commands::Fanout {
            only: self.target_account.clone(),
            parallelism: self.account_parallelism.map(usize::from),
            shard: self.shard,
        }
    }
}

#[derive(Debug, Args)]
struct RunArgs {
    /// Apply without asking (for CI).
    #[arg(long)]
    auto_approve: bool,
    /// How many changes may run at once.
    #[arg(long, default_value_t = 8, value_name = "N")]
    parallelism: usize,
    /// Where to write the initial passwords of new console users (created with mode 0600).
    /// Required when apply creates one; passwords are never printed.
    #[arg(long, value_name = "FILE")]
    password_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[group(multiple = false)]
struct FormatArg {
    /// Print the plan as JSON (docs/plan-format.md) instead of text.
    #[arg(long)]
    json: bool,
    /// Print the plan as Markdown for a pull-request comment (at most 65,536 characters).
    #[arg(long)]
    markdown: bool,
}

impl FormatArg {
    fn format(&self) -> output::Format {
        if self.json {
            output::Format::Json
        } else if self.markdown {
            output::Format::Markdown
        } else {
            output::Format::Text
        }
    }
}

/// Exit codes, as Terraform's `-detailed-exitcode`.
pub(crate) mod exit {
    pub const OK: u8 = 0;
    pub const ERROR: u8 = 1;
    pub const CHANGES: u8 = 2;
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose, cli.color);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            output::error(&format!("cannot start the async runtime: {err}"), None);
            return ExitCode::from(exit::ERROR);
        }
    };
    let out = output::Output {
        color: cli.color.on(std::io::stdout().is_terminal()),
        stdin_is_terminal: std::io::stdin().is_terminal(),
        fold: !cli.no_fold,
        verbose: cli.verbose > 0,
    };
    let aws = |password_file: Option<PathBuf>| baseline_aws::ContextOptions {
        profile: cli.profile.clone(),
        region: cli.region.clone(),
        password_file,
    };
    let run = |args: &RunArgs| commands::Run {
        auto_approve: args.auto_approve,
        parallelism: args.parallelism,
    };
    // `apply` without a saved plan, and `destroy`: one run, towards another goal.
    let plan_and_apply = async |file: &FileArg, args: &RunArgs, accounts: &AccountsArg, goal| {
        let options = aws(args.password_file.clone());
        commands::apply(
            &file.file,
            options,
            out,
            run(args),
            goal,
            &accounts.fanout(),
        )
        .await
    };
    let code = runtime.block_on(async {
        match &cli.command {
            Command::Validate { file, strict } => {
                if *strict {
                    commands::validate_strict(&file.file, aws(None)).await
                } else {
                    commands::validate(&file.file)
                }
            }
            Command::Plan {
                file,
                detailed_exitcode,
                out: save,
                format,
                accounts,
            } => {
                let report = commands::PlanOutput {
                    format: format.format(),
                    save: save.as_deref(),
                    detailed: *detailed_exitcode,
                };
                commands::plan(&file.file, aws(None), out, report, &accounts.fanout()).await
            }
            Command::Apply {
                file,
                saved: Some(saved),
                run: args,
                accounts,
            } => {
                if !accounts.target_account.is_empty()
                    || accounts.account_parallelism.is_some()
                    || accounts.shard.is_some()
                {
                    output::error(
                        "a saved plan is applied whole: --target-account and --account-parallelism belong to `plan --out`",
                        Some("make the plan with the accounts you want, then apply it"),
                    );
                    return exit::ERROR;
                }
                let _ = file;
                let options = aws(args.password_file.clone());
                commands::apply_saved(saved, options, out, run(args)).await
            }
            Command::Apply {
                file,
                saved: None,
                run: args,
                accounts,
            } => plan_and_apply(file, args, accounts, commands::Goal::Baseline).await,
            Command::Destroy {
                file,
                run: args,
                accounts,
            } => plan_and_apply(file, args, accounts, commands::Goal::Destroy).await,
            Command::Show { plan, format } => commands::show(plan, out, format.format()),
            Command::Schema => commands::schema(),
            Command::ForceUnlock(file) => commands::force_unlock(&file.file, aws(None)).await,
            Command::Init {
                file,
                force,
                sections,
            } => commands::init(file, aws(None), *force, sections).await,
            Command::Completions { shell } => completions(*shell),
            Command::Man => man(),
        }
    });
    ExitCode::from(code)
}

/// The completion script for `shell`, from the command's own definition.
fn completions(shell: clap_complete::Shell) -> u8 {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "baseline", &mut script);
    output::print(&String::from_utf8_lossy(&script));
    exit::OK
}

/// The manual page, from the command's own definition.
fn man() -> u8 {
    let mut page = Vec::new();
    if let Err(err) = clap_mangen::Man::new(Cli::command()).render(&mut page) {
        output::error(&format!("cannot write the manual page: {err}"), None);
        return exit::ERROR;
    }
    output::print(&String::from_utf8_lossy(&page));
    exit::OK
}

/// NO_COLOR set to anything but the empty string turns colour off (no-color.org).
fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

fn init_logging(verbose: u8, color: Color) {
    let default = match verbose {
        // The SDK warns with its debug dump when credentials fail to load; the error says
        // what is wrong in words, and -v shows the dump.
        0 => "warn,aws_config=error",
        1 => "warn,baseline=info",
        2 => "warn,baseline=debug",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("BASELINE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(color.on(std::io::stderr().is_terminal()))
        .with_target(false)
        .without_time()
        .init();
}
