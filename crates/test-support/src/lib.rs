//! Test support: the moto emulator, started once per test binary by the repository's own
//! launcher; a fresh 12-digit account per test (credentials from sts:AssumeRole into it), so
//! tests run in parallel with no resets; and running the real `baseline` binary.

#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use aws_config::{BehaviorVersion, Region, SdkConfig};

/// The repository root (this crate lives in `crates/test-support`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A running emulator. Its standard input is held open for the life of the test process;
/// when the process ends, the launcher sees end-of-file and stops the server.
#[derive(Debug)]
pub struct Emulator {
    pub endpoint: String,
    _child: Child,
    _stdin: ChildStdin,
}

static EMULATOR: OnceLock<Emulator> = OnceLock::new();

/// The emulator for this test binary, started on first use.
pub fn emulator() -> &'static Emulator {
    EMULATOR.get_or_init(start_emulator)
}

fn start_emulator() -> Emulator {
    let root = repo_root();
    let python = root.join(".venv/bin/python");
    // Cheap when nothing changed; installs moto and the access-rule oracle otherwise.
    let status = Command::new("bash")
        .arg(root.join("scripts/emulator-setup"))
        .status()
        .expect("run scripts/emulator-setup");
    assert!(status.success(), "scripts/emulator-setup failed");
    let mut command = Command::new(&python);
    command
        .arg(root.join("emulator/launch.py"))
        .arg("--exit-on-stdin-eof");
    let (child, stdin, endpoint) = launch(command, "the emulator");
    Emulator {
        endpoint,
        _child: child,
        _stdin: stdin,
    }
}

/// Starts a launcher (`emulator/launch.py`, `emulator/faults.py`) that prints `PORT n`
/// first and stops when its standard input closes. Returns it, its standard input (to hold
/// open for the life of the test process) and its endpoint; `what` names it in panics.
fn launch(mut command: Command, what: &str) -> (Child, ChildStdin, String) {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|err| panic!("start {what}: {err:?}"));
    let stdin = child.stdin.take().expect("the launcher's stdin");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("the launcher's stdout"))
        .read_line(&mut first)
        .unwrap_or_else(|err| panic!("read the port of {what}: {err:?}"));
    let port: u16 = first
        .trim()
        .strip_prefix("PORT ")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("{what} said {first:?}, not its port"));
    (child, stdin, format!("http://127.0.0.1:{port}"))
}

/// A 12-digit account id no other test uses (never moto's default 123456789012).
pub fn fresh_account_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.write_u32(std::process::id());
    let n = 200_000_000_000 + hasher.finish() % 700_000_000_000;
    n.to_string()
}

/// Temporary credentials for one account on the emulator.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
}

/// One test's own account on the emulator, with a folder for its files.
#[derive(Debug)]
pub struct TestAccount {
    pub id: String,
    pub endpoint: String,
    pub credentials: Credentials,
    dir: tempfile::TempDir,
}

fn static_config(endpoint: &str, credentials: aws_sdk_sts::config::Credentials) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::from_static("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(aws_sdk_sts::config::SharedCredentialsProvider::new(
            credentials,
        ))
        .build()
}

impl Credentials {
    fn sdk(&self) -> aws_sdk_sts::config::Credentials {
        aws_sdk_sts::config::Credentials::new(
            &self.access_key_id,
            &self.secret_access_key,
            Some(self.session_token.clone()),
            None,
            "test",
        )
    }

    /// A session on `role_arn`, assumed with `sts`; `what` names the step in panics.
    async fn assume(sts: &aws_sdk_sts::Client, role_arn: String, what: &str) -> Self {
        let assumed = sts
            .assume_role()
            .role_arn(role_arn)
            .role_session_name("baseline-test")
            .send()
            .await
            .expect(what);
        let c = assumed.credentials().expect("credentials");
        Self {
            access_key_id: c.access_key_id().to_owned(),
            secret_access_key: c.secret_access_key().to_owned(),
            session_token: c.session_token().to_owned(),
        }
    }
}

impl TestAccount {
    /// A fresh account: sts:AssumeRole into it (moto does not check the role).
    pub async fn new() -> Self {
        let endpoint = emulator().endpoint.clone();
        let id = fresh_account_id();
        let base = aws_sdk_sts::config::Credentials::new("testing", "testing", None, None, "test");
        let sts = aws_sdk_sts::Client::new(&static_config(&endpoint, base));
        let role_arn = format!("arn:aws:iam::{id}:role/baseline-test");
        let credentials = Credentials::assume(&sts, role_arn, "AssumeRole on the emulator").await;
        Self {
            id,
            endpoint,
            credentials,
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// SDK settings acting in this account, for changes made "out of band".
    pub fn sdk_config(&self) -> SdkConfig {
        static_config(&self.endpoint, self.credentials.sdk())
    }

    /// The account's SDK settings, in `region`.
    pub fn sdk_config_in(&self, region: &str) -> SdkConfig {
        self.sdk_config()
            .to_builder()
            .region(Region::new(region.to_owned()))
            .build()
    }

    /// SDK settings acting in member account `account_id`, reached as baseline reaches it:
    /// this account assumes the member's `OrganizationAccountAccessRole`.
    pub async fn member_config(&self, account_id: &str) -> SdkConfig {
        let sts = aws_sdk_sts::Client::new(&self.sdk_config());
        let role_arn = format!("arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole");
        let what = "AssumeRole into the member account";
        let credentials = Credentials::assume(&sts, role_arn, what).await;
        static_config(&self.endpoint, credentials.sdk())
    }

    /// Makes every write of `account_id` to the REST service `service` (its signing name)
    /// fail with AccessDeniedException, as an explicit deny would.
    pub fn deny_writes(&self, account_id: &str, service: &str) {
        self.extension(
            "deny",
            &format!(r#"{{"account_id":"{account_id}","service":"{service}","denied":true}}"#),
        );
    }

    pub fn iam(&self) -> aws_sdk_iam::Client {
        aws_sdk_iam::Client::new(&self.sdk_config())
    }

    /// This test's folder.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file into this test's folder and returns its path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir().join(name);
        std::fs::write(&path, text).expect("write test file");
        path
    }

    /// `bin` with an environment that reaches only the emulator, as this account. HOME is the
    /// test's folder, so no developer's ~/.aws is read.
    pub fn command(&self, bin: &str) -> Command {
        let mut command = self.bare_command(bin);
        let c = &self.credentials;
        command
            .env("AWS_ACCESS_KEY_ID", &c.access_key_id)
            .env("AWS_SECRET_ACCESS_KEY", &c.secret_access_key)
            .env("AWS_SESSION_TOKEN", &c.session_token);
        command
    }

    /// `bin` reaching the emulator with no credentials in the environment.
    pub fn bare_command(&self, bin: &str) -> Command {
        let mut command = Command::new(bin);
        command
            .env_clear()
            .current_dir(self.dir())
            .env("HOME", self.dir())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        command
    }

    /// Sets the root user's MFA and access-key state, which no AWS API can do, through the
    /// launcher's test-only extension.
    pub fn set_root_state(&self, mfa_enabled: bool, access_keys_present: bool) {
        self.extension(
            "root-state",
            &format!(
                r#"{{"account_id":"{}","mfa_enabled":{mfa_enabled},"access_keys_present":{access_keys_present}}}"#,
                self.id
            ),
        );
    }

    /// Clicks the link in the confirmation e-mail of a subscription (the launcher's
    /// test-only extension: moto has no mailbox).
    pub fn confirm_subscription(&self, region: &str, topic_arn: &str, endpoint: &str) {
        self.extension(
            "confirm-subscription",
            &format!(
                r#"{{"account_id":"{}","region":"{region}","topic_arn":"{topic_arn}","endpoint":"{endpoint}"}}"#,
                self.id
            ),
        );
    }

    /// Whether Cost Explorer has been turned on, which only a person can do in the console.
    pub fn set_cost_explorer(&self, enabled: bool) {
        self.extension(
            "cost-explorer",
            &format!(r#"{{"account_id":"{}","enabled":{enabled}}}"#, self.id),
        );
    }

    /// POSTs `body` to the launcher's `/_baseline/NAME` endpoint.
    fn extension(&self, name: &str, body: &str) {
        let host = self.endpoint.trim_start_matches("http://");
        let mut stream = TcpStream::connect(host).expect("connect to the emulator");
        write!(
            stream,
            "POST /_baseline/{name} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .expect("send");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("answer");
        assert!(answer.starts_with("HTTP/1.1 200"), "{name}: {answer}");
    }
}

/// The fault-injecting proxy (`emulator/faults.py`) in front of the emulator: with
/// probability `rate` (deterministic per `seed`) a request gets one fault of `kinds`
/// (`5xx`, `throttle`, `reset`, `delay`, `lost`: forwarded, then the answer dropped). It
/// stops when the test process ends.
#[derive(Debug)]
pub struct FaultProxy {
    pub endpoint: String,
    _child: Child,
    _stdin: ChildStdin,
}

impl FaultProxy {
    pub fn start(seed: u64, rate: f64, kinds: &str) -> Self {
        Self::launch(&[
            "--seed",
            &seed.to_string(),
            "--rate",
            &rate.to_string(),
            "--kinds",
            kinds,
        ])
    }

    /// A proxy that loses the answer of the first request for each of `operations` (it is
    /// forwarded, so the change is made) and passes everything else.
    pub fn losing(operations: &str) -> Self {
        Self::launch(&["--rate", "0", "--lose", operations])
    }

    /// A proxy that refuses every request for each of `operations` with the service's
    /// access-denied error, as AWS does for a caller whose policy lacks them.
    pub fn denying(operations: &str) -> Self {
        Self::launch(&["--rate", "0", "--deny", operations])
    }

    fn launch(args: &[&str]) -> Self {
        let root = repo_root();
        let mut command = Command::new(root.join(".venv/bin/python"));
        command
            .arg(root.join("emulator/faults.py"))
            .args(["--upstream", &emulator().endpoint])
            .args(args)
            .args(["--spare", "1", "--exit-on-stdin-eof"]);
        let (child, stdin, endpoint) = launch(command, "the fault proxy");
        Self {
            endpoint,
            _child: child,
            _stdin: stdin,
        }
    }
}

/// What a run of the binary printed, and how it ended.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn of(mut command: Command) -> Self {
        let Output {
            status,
            stdout,
            stderr,
        } = command.output().expect("run the binary");
        let run = Self {
            code: status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        };
        assert!(
            !run.stderr.contains("panicked"),
            "the binary panicked:\n{}",
            run.stderr
        );
        run
    }

    /// Panics with both streams when the exit code is not `code`.
    #[track_caller]
    pub fn expect_code(self, code: i32) -> Self {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Panics with stdout when it does not contain `text`.
    #[track_caller]
    pub fn stdout_has(&self, text: &str) -> &Self {
        expect_contains("stdout", &self.stdout, text, true);
        self
    }

    /// Panics with stdout when it contains `text`.
    #[track_caller]
    pub fn stdout_lacks(&self, text: &str) -> &Self {
        expect_contains("stdout", &self.stdout, text, false);
        self
    }

    /// Panics with stderr when it does not contain `text`.
    #[track_caller]
    pub fn stderr_has(&self, text: &str) -> &Self {
        expect_contains("stderr", &self.stderr, text, true);
        self
    }
}

/// Panics, showing `output` (a stream called `name`), unless whether it contains `text` is
/// `expected`.
#[track_caller]
fn expect_contains(name: &str, output: &str, text: &str, expected: bool) {
    let wrong = if expected { "no" } else { "unexpected" };
    assert!(
        output.contains(text) == expected,
        "{wrong} `{text}` in {name}:\n{output}"
    );
}

/// Asks the access-rule oracle (`oracle/evaluate.mjs`, an independent IAM policy evaluator,
/// installed by `scripts/oracle-setup`) whether AWS would allow each request. Each request
/// is one JSON object in the oracle's input form; each answer has a `decision`: `Allowed`,
/// `ImplicitlyDenied`, `ExplicitlyDenied` or `Error`.
pub fn oracle(requests: &[serde_json::Value]) -> Vec<serde_json::Value> {
    let root = repo_root();
    if !root
        .join("oracle/node_modules/@cloud-copilot/iam-simulate")
        .exists()
    {
        let status = Command::new("bash")
            .arg(root.join("scripts/oracle-setup"))
            .status()
            .expect("run scripts/oracle-setup");
        assert!(status.success(), "scripts/oracle-setup failed");
    }
    let mut child = Command::new("node")
        .arg(root.join("oracle/evaluate.mjs"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start node oracle/evaluate.mjs (Node.js 18 or later)");
    let mut input = String::new();
    for request in requests {
        input.push_str(&request.to_string());
        input.push('\n');
    }
    let mut stdin = child.stdin.take().expect("oracle stdin");
    let writer = std::thread::spawn(move || {
        stdin
            .write_all(input.as_bytes())
            .expect("write to the oracle");
    });
    let output = child.wait_with_output().expect("oracle output");
    writer.join().expect("oracle writer");
    assert!(output.status.success(), "the oracle failed: {output:?}");
    let answers: Vec<serde_json::Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("the oracle answers JSON"))
        .collect();
    assert_eq!(answers.len(), requests.len(), "one answer per request");
    answers
}
